package io.strata.lsm;

import io.strata.CorruptionException;
import io.strata.StrataException;
import io.strata.fs.FileLock;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.Limits;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A key-value store in one directory: a log-structured merge tree. Writes go to a write-ahead log
 * and a memtable; full memtables are flushed to sorted table files in the background, and
 * background compactions merge those down through levels 1 to 6 (rules in {@code
 * lsm/COMPACTION.md}), slowing writers down when level 0 grows faster than they keep up.
 *
 * <p>Keys and values are byte arrays compared as unsigned bytes; keys up to {@value
 * #MAX_KEY_BYTES} bytes (64 KiB), values up to {@value #MAX_VALUE_BYTES} bytes (256 MiB). Arrays
 * are copied in and out: the caller may reuse its arrays, and never sees the store's.
 *
 * <p>Durability: a write returns after the write-ahead log has its batch. With {@link
 * WriteOptions#sync()} the log is fsynced first (concurrent synced writers share one fsync), so
 * the batch survives a power loss; without it, the batch survives a crash of the process, and
 * {@link #syncWal()} later makes it survive a power loss too. Batches are atomic.
 *
 * <p>Errors: damaged files give {@link CorruptionException} (file, offset, failed check). When the
 * write-ahead log or a background flush fails, or an {@link Error} (out of memory, say) interrupts
 * a write, the store stays readable but refuses writes until reopened, and {@link #close()} still
 * returns. Every method throws {@link IllegalStateException} after {@link #close()}, as does a
 * read already under way when it needs what the close released.
 *
 * <p>Thread-safety: all methods may be called from any number of threads. Concurrent writers are
 * queued; the writer at the head of the queue (the leader) writes its own batch and those queued
 * behind it as one log record. Reads take no lock: they pin a {@code ReadView}. Locks, and what
 * each guards: the mutex (the log, the stop flags, and the state of the commit pipeline, the
 * flusher and the compaction scheduler; see {@code Engine} and each room), the version set's lock
 * (the version chain and the manifest), the compaction scheduler's monitor (one {@link
 * #compactRange} at a time), and the monitors inside {@code ObsoleteFiles} and {@code
 * SnapshotList}. Order: the compactRange monitor before the mutex; the mutex before the version
 * set's lock and the obsolete files' pending set; nothing is taken under the version set's lock
 * that calls back into the engine's locks.
 *
 * <p>The engine's parts, each in its own class: {@code CommitPipeline} (the write path) behind
 * {@code CommitEnv}, {@code WriteStall} (back-pressure), {@code Recovery} (opening), {@code
 * ReadOnlyRecovery} (opening read-only), {@code Checkpoint}, {@code DbProperties}, {@code
 * Level0Writer} (flush output), {@code CompactionScheduler} (background compactions and
 * compactRange), {@code Flusher} (the memtables, their switch and the flush job), {@code
 * ReadPath} (the published read view and the reads over it), {@code ObsoleteFiles}, {@code
 * SnapshotList}, {@code EngineCounters} (stats); tables, memtables, versions and compaction in the
 * non-exported {@code io.strata.lsm.internal} packages; test-only: {@code TestKnobs} (settings)
 * and {@code TestAccess} (a look inside). {@code Engine} owns the rooms, the mutex, the log, the
 * stop flags and the environments the rooms see the store through, and closes it; {@code Opener}
 * builds it for {@link #open} and {@link #openReadOnly}. This class holds the public API, which
 * checks arguments and delegates to the engine.
 */
public final class Db implements AutoCloseable {
  /** Largest key accepted: 64 KiB. */
  public static final int MAX_KEY_BYTES = Limits.MAX_KEY_BYTES;
  /** Largest value accepted: 256 MiB. */
  public static final int MAX_VALUE_BYTES = Limits.MAX_VALUE_BYTES;

  /** The engine: the rooms, the mutex, the log and the stop flags (see {@link Engine}). */
  private final Engine engine;

  /** The deepest level, where {@link #compactRange} puts what it compacts. */
  static final int LAST_LEVEL = CompactionScheduler.LAST_LEVEL;

  /** Builds the store's engine; {@link Opener} then runs its recovery. */
  Db(Path dir, Options options, TestKnobs knobs, FileLock lock, boolean readOnly) {
    this.engine = new Engine(this, dir, options, knobs, lock, readOnly);
  }

  /** The engine behind this Db (for {@link Opener}). */
  Engine engine() {
    return engine;
  }

  /** Opens (creating if needed) the store in {@code dir} with default options. */
  public static Db open(Path dir) {
    return open(dir, Options.defaults());
  }

  /**
   * Opens (creating if needed) the store in {@code dir}: replays the manifest and the write-ahead
   * log, flushes what the log held to a table, and starts a new log segment.
   *
   * @throws StrataException when the directory is held by another open {@code Db} (in this
   *     process or another), or cannot be read or written
   * @throws CorruptionException when a file needed to open the store is damaged
   */
  public static Db open(Path dir, Options options) {
    return open(dir, options, TestKnobs.NONE);
  }

  /** {@link #open(Path, Options)} with test-only knobs (for tests in this package). */
  static Db open(Path dir, Options options, TestKnobs knobs) {
    return Opener.open(dir, options, knobs);
  }

  // ---------------------------------------------------------------- arguments and state checks

  static void checkKey(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("key of " + key.length + " bytes exceeds the limit of "
          + MAX_KEY_BYTES + " bytes");
    }
  }

  static void checkValue(byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("value of " + value.length
          + " bytes exceeds the limit of " + MAX_VALUE_BYTES + " bytes");
    }
  }

  void checkOpen() {
    engine.checkOpen();
  }

  // ---------------------------------------------------------------- writes

  /** Sets {@code key} to {@code value} (not synced). */
  public void put(byte[] key, byte[] value) {
    put(key, value, WriteOptions.defaults());
  }

  /**
   * Sets {@code key} to {@code value}; with {@link WriteOptions#sync()} it survives a power loss
   * once this returns.
   */
  public void put(byte[] key, byte[] value, WriteOptions options) {
    checkKey(key);
    checkValue(value);
    Objects.requireNonNull(options, "options");
    write(new WriteBatch(key.length + value.length + 12).put(key, value), options);
  }

  /** Removes {@code key} (not synced); no error when it is absent. */
  public void delete(byte[] key) {
    delete(key, WriteOptions.defaults());
  }

  /**
   * Removes {@code key}; no error when it is absent. With {@link WriteOptions#sync()} the removal
   * survives a power loss once this returns.
   */
  public void delete(byte[] key, WriteOptions options) {
    checkKey(key);
    Objects.requireNonNull(options, "options");
    write(new WriteBatch(key.length + 8).delete(key), options);
  }

  /**
   * Makes every write that returned before this call durable, as if each had been written with
   * {@link WriteOptions#sync()}: takes its turn in the write queue, fsyncs the write-ahead log
   * and writes nothing. Writes that run concurrently with it may or may not be covered.
   *
   * @throws StrataException when the fsync fails (the Db then refuses writes until reopened: a
   *     failed fsync is never retried as if it had worked) or an earlier failure stopped writes
   */
  public void syncWal() {
    engine.syncWal();
  }

  /**
   * Applies a batch atomically.
   *
   * @throws IllegalArgumentException when the batch is larger than one write-ahead log record
   *     may be ({@link io.strata.wal.WalOptions#MAX_RECORD_BYTES}, about 2 GiB, with its
   *     header); it is refused before anything is written and the Db stays writable
   * @throws StrataException when the write-ahead log fails (the Db then refuses writes until
   *     reopened) or an earlier background failure stopped writes
   */
  public void write(WriteBatch batch, WriteOptions options) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(options, "options");
    engine.write(batch, options);
  }

  // ---------------------------------------------------------------- flush

  /**
   * Flushes the memtable to a table file and waits until it is recorded. Returns at once when the
   * memtable is empty.
   */
  public void flush() {
    engine.flush();
  }

  // ---------------------------------------------------------------- compaction

  /**
   * Compacts every table holding keys in {@code [from, to]} (null: unbounded on that side), after
   * flushing the memtable, into the last level: versions that no open snapshot can see and
   * deletions that hide nothing any more are dropped. Background compactions finish first and
   * wait meanwhile. Returns when done.
   *
   * @throws StrataException when the compaction cannot write its tables or record them; the
   *     store is unchanged then
   */
  public void compactRange(byte[] from, byte[] to) {
    engine.compactRange(from, to);
  }

  /**
   * Waits until no flush or compaction is running and none is due: every level scores below 1
   * (or its due work meets a running compaction). Useful after a bulk load, before measuring.
   *
   * @throws StrataException when a background flush or compaction failed
   */
  public void waitForCompactions() {
    engine.waitForCompactions();
  }

  // ---------------------------------------------------------------- reads

  /** The value of {@code key}, or null when absent. */
  public byte[] get(byte[] key) {
    return get(key, ReadOptions.defaults());
  }

  /** The value of {@code key} as of the options' snapshot (or now), or null when absent. */
  public byte[] get(byte[] key, ReadOptions options) {
    checkKey(key);
    Objects.requireNonNull(options, "options");
    return engine.get(key, options);
  }

  /** A cursor over the whole store as it is now. Close it when done. */
  public Cursor cursor() {
    return cursor(ReadOptions.defaults());
  }

  /** A cursor over the store as of the options' snapshot (or now). Close it when done. */
  public Cursor cursor(ReadOptions options) {
    Objects.requireNonNull(options, "options");
    return engine.cursor(options);
  }

  /** A snapshot of the current state. Close it when done. */
  public Snapshot snapshot() {
    return engine.snapshot();
  }

  void releaseSnapshot(Snapshot s) {
    engine.releaseSnapshot(s);
  }

  // ---------------------------------------------------------------- introspection

  /**
   * Reads every block of every live table file from disk (not from the block cache) and checks
   * it: footer, index, filter, properties and every data block's checksum and structure, and the
   * file's size against the manifest. Reads and writes may go on meanwhile; the tables checked
   * are those of the version current when it starts.
   *
   * @return every problem found, at most one per damaged block (a table whose footer, index or
   *     properties are damaged, or which is missing, counts once); empty when all is well
   */
  public List<CorruptionException> verifyChecksums() {
    return engine.verifyChecksums();
  }

  /** Current figures of the store. */
  public DbStats stats() {
    return engine.stats();
  }

  /** Test-only: a look inside this Db for tests in this package (see {@link TestAccess}). */
  TestAccess testAccess() {
    return engine.testAccess();
  }

  // ---------------------------------------------------------------- read-only opens

  /** {@link #openReadOnly(Path, Options)} with default options. */
  public static Db openReadOnly(Path dir) {
    return openReadOnly(dir, Options.defaults());
  }

  /**
   * Opens the existing store in {@code dir} for reading only. Takes no lock, so it may be used
   * while another {@code Db} (in this process or another) has the store open for writing; writes,
   * deletes and creates no file, not even to repair a torn log tail: the write-ahead log is
   * replayed into memory. Reads see the store as it was when the open read it: the tables the
   * manifest named then (every one is opened at once and kept open until {@link #close()}, so a
   * writer's compaction deleting them later cannot take them away; this costs one open file per
   * table) and the log records written by then. Later writes by another process are not seen;
   * open again to see them.
   *
   * <p>When a writer changes the store while this open reads it (a table or log segment the
   * manifest named is deleted before it could be opened, or the manifest rolls over) the open
   * starts again, up to five times; then the last failure is thrown, as it is at once for damage.
   *
   * <p>Every write method ({@code put}, {@code delete}, {@code write}, {@code syncWal}, {@code
   * flush}, {@code compactRange}) throws {@link UnsupportedOperationException}; {@link
   * #waitForCompactions()} returns at once. {@link #checkpoint(Path)} works (it writes only its
   * target).
   *
   * @throws StrataException when {@code dir} holds no store or cannot be read
   * @throws CorruptionException when a file needed to open the store is damaged or missing
   */
  public static Db openReadOnly(Path dir, Options options) {
    return Opener.openReadOnly(dir, options);
  }

  /** Whether this Db was opened by {@link #openReadOnly}. */
  public boolean isReadOnly() {
    return engine.isReadOnly();
  }

  // ---------------------------------------------------------------- checkpoints

  /**
   * Writes a consistent copy of the store as it is at one moment into {@code target}, a directory
   * that must not exist, while reads and writes go on: every write that returned before this call
   * is in the copy, none that starts after it returns is, and a write running concurrently is
   * wholly in or wholly out (batches stay atomic). The copy is a store of its own, for {@link
   * #open} (or {@link #openReadOnly}).
   *
   * <p>How: under the Db's mutex it takes the current view (memtables and table version) and the
   * last sequence number; the version's tables are hard-linked into the target ({@link
   * FileSystem#link}; copied where links fail, e.g. across devices), what the memtables hold up to
   * that sequence is written as level-0 tables, and a manifest and {@code CURRENT} are written
   * last. No log segment is copied; nothing in the source directory changes. The target holds a
   * marker file from its creation until the end, so a checkpoint interrupted by a crash is
   * refused by every open, naming the marker, instead of opening as a partial store.
   *
   * @throws IllegalArgumentException when {@code target} exists
   * @throws StrataException when the copy cannot be written (the target is then incomplete)
   */
  public void checkpoint(Path target) {
    Objects.requireNonNull(target, "target");
    engine.checkpoint(target);
  }

  // ---------------------------------------------------------------- multiGet

  /** {@link #multiGet(List, ReadOptions)} with default read options. */
  public List<byte[]> multiGet(List<byte[]> keys) {
    return multiGet(keys, ReadOptions.defaults());
  }

  /**
   * The values of {@code keys} (null where absent), in the order of the keys, all read from one
   * view at one sequence number (the options' snapshot, or now): one consistent state, as if read
   * at one instant; a key may appear more than once. Cheaper than a loop of {@link #get}: the
   * keys are probed in sorted order ({@link MultiGet}), so keys that fall in the same table block
   * share one index search and one block fetch, and blocks the cache lacks that lie back to back
   * are read with one read. A batch that must read many blocks from disk (24 reads or more in one
   * level) shares those reads with the store's one helper thread (a daemon started on demand,
   * ended at {@link #close()} or after 30 s idle; none on a one-core machine); the calling thread
   * reads too, and returns once every read of its batch is done.
   *
   * @return an unmodifiable list of the same size as {@code keys}, holding copies
   */
  public List<byte[]> multiGet(List<byte[]> keys, ReadOptions options) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(options, "options");
    byte[][] k = new byte[keys.size()][];
    for (int i = 0; i < k.length; i++) {
      k[i] = keys.get(i);
      if (k[i] == null) {
        throw new NullPointerException("keys[" + i + "]");
      }
      checkKey(k[i]);
    }
    return engine.multiGet(k, options);
  }

  // ---------------------------------------------------------------- properties

  /**
   * Level summary: one line per level, "L&lt;n&gt; &lt;tables&gt; tables &lt;bytes&gt; bytes
   * score &lt;s&gt;".
   */
  public static final String PROPERTY_LEVELS = "strata.levels";
  /** Approximate bytes in a key range; the name is followed by {@code :<hexFrom>..<hexTo>}. */
  public static final String PROPERTY_APPROXIMATE_BYTES = "strata.approximate-bytes";
  /** Estimated number of live keys. */
  public static final String PROPERTY_ESTIMATED_KEYS = "strata.estimated-keys";
  /** Bytes held by the memtables. */
  public static final String PROPERTY_MEMTABLE_BYTES = "strata.memtable-bytes";
  /** Estimated bytes compactions still have to rewrite. */
  public static final String PROPERTY_PENDING_COMPACTION_BYTES = "strata.pending-compaction-bytes";
  /** The background failure that stopped writes, or "none". */
  public static final String PROPERTY_BACKGROUND_ERRORS = "strata.background-errors";

  /** The property names {@link #property} knows, in a fixed order. */
  public static final List<String> PROPERTIES = List.of(PROPERTY_LEVELS,
      PROPERTY_APPROXIMATE_BYTES + ":<hexFrom>..<hexTo>", PROPERTY_ESTIMATED_KEYS,
      PROPERTY_MEMTABLE_BYTES, PROPERTY_PENDING_COMPACTION_BYTES, PROPERTY_BACKGROUND_ERRORS);

  /**
   * A named figure of the store, as text (numbers in decimal):
   *
   * <ul>
   *   <li>{@code strata.levels}: one line per level 0 to 6, {@code L<n> <tables> tables <bytes>
   *       bytes score <score>}, the score as in {@link DbStats.LevelStats#score()}.
   *   <li>{@code strata.approximate-bytes:<hexFrom>..<hexTo>}: bytes of table files holding user
   *       keys in {@code [from, to)}, the keys in hexadecimal, either side empty for unbounded
   *       ({@code strata.approximate-bytes:..} is the whole store). Estimated from the table
   *       indexes at data-block granularity; memtables are not counted.
   *   <li>{@code strata.estimated-keys}: entries of all tables and memtables; overwritten and
   *       deleted versions not yet compacted away count too, so it is an upper bound of the live
   *       keys, exact right after a full compaction of a store without deletions.
   *   <li>{@code strata.memtable-bytes}: bytes held by the mutable and the flushing memtable.
   *   <li>{@code strata.pending-compaction-bytes}: for each level due for compaction (score at
   *       least 1), the bytes above its target (level 0: all its bytes); an estimate of the work
   *       compactions have to do before every level is within its target.
   *   <li>{@code strata.background-errors}: the failure of a background flush or compaction or of
   *       the write-ahead log that stopped writes, or {@code none}.
   * </ul>
   *
   * @throws IllegalArgumentException for an unknown name (the message lists the known ones) or a
   *     malformed range
   */
  public String property(String name) {
    Objects.requireNonNull(name, "name");
    return engine.property(name);
  }

  // ---------------------------------------------------------------- close

  /**
   * Waits for queued writes and a running flush to finish, syncs and closes the write-ahead log
   * (the memtable is not flushed: the log holds it), and releases the directory. Idempotent.
   */
  @Override
  public void close() {
    engine.close();
  }
}

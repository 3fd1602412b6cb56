package io.strata.lsm;

import io.strata.CorruptionException;
import io.strata.StrataException;
import io.strata.fs.FileLock;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.Limits;
import io.strata.lsm.internal.compaction.CompactionPicker;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import io.strata.wal.Durability;
import io.strata.wal.Wal;
import io.strata.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

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
 * flusher and the compaction scheduler; see the fields and each room), the version set's own lock
 * (the version chain and the manifest), the compaction scheduler's monitor (one {@link
 * #compactRange} at a time), and the monitors inside {@code ObsoleteFiles} and {@code
 * SnapshotList}. Order: the compactRange monitor before the mutex; the mutex before the version
 * set's lock and the obsolete files' pending set; nothing is taken under the version set's lock
 * that calls back into this class's locks.
 *
 * <p>The engine's parts, each in its own class: {@code CommitPipeline} (the write path) behind
 * {@code CommitEnv}, {@code WriteStall} (back-pressure), {@code Recovery} (opening), {@code
 * ReadOnlyRecovery} (opening read-only), {@code Checkpoint}, {@code DbProperties}, {@code
 * Level0Writer} (flush output), {@code CompactionScheduler} (background compactions and
 * compactRange), {@code Flusher} (the memtables, their switch and the flush job), {@code
 * ReadPath} (the published read view and the reads over it), {@code ObsoleteFiles}, {@code
 * SnapshotList}, {@code EngineCounters} (stats); tables, memtables, versions and compaction in the
 * non-exported {@code io.strata.lsm.internal} packages; test-only: {@code TestKnobs} (settings)
 * and {@code TestAccess} (a look inside). This class holds the public API, which checks arguments
 * and delegates, the environments the rooms see it through, opening and close.
 */
public final class Db implements AutoCloseable {
  /** Largest key accepted: 64 KiB. */
  public static final int MAX_KEY_BYTES = Limits.MAX_KEY_BYTES;
  /** Largest value accepted: 256 MiB. */
  public static final int MAX_VALUE_BYTES = Limits.MAX_VALUE_BYTES;

  private static final System.Logger LOG = System.getLogger(Db.class.getName());

  // ---- Constant after construction (the rooms are thread-safe themselves, see each class).
  private final Path dir;
  private final Options options;
  /** Test-only hook and limits ({@link TestKnobs#NONE} outside tests). */
  private final TestKnobs knobs;
  private final FileSystem fs;
  /** Null when read-only: a read-only Db takes no lock. */
  private final FileLock lock;
  /** Opened by {@link #openReadOnly}: writes nothing, deletes nothing, refuses writes. */
  private final boolean readOnly;
  private final BlockCache blockCache;
  private final TableCache tables;
  /** Versions and the manifest; its own lock (see {@link VersionSet}). */
  private final VersionSet versions;
  private final CompactionPicker picker;
  /** Writes memtables to level-0 tables (flushes, recovery). */
  private final Level0Writer level0Writer;
  /** New table numbers and the deletion of files nothing needs. */
  private final ObsoleteFiles obsolete;
  /** The open snapshots. */
  private final SnapshotList snapshots = new SnapshotList();
  /** The published read view and the reads over it. */
  private final ReadPath reads;
  /** The memtables, their switch and the flush job; sees this Db as its env. */
  private final Flusher flusher;
  /** The writer queue, group commit, log append and memtable insert; sees this Db as its env. */
  private final CommitPipeline commits;
  private final ExecutorService flushExecutor;
  private final ExecutorService compactionExecutor;
  /** Background compactions and compactRange. */
  private final CompactionScheduler compactions;
  /** Totals for stats(). */
  private final EngineCounters counters = new EngineCounters();

  /**
   * The mutex: guards the fields below marked "guarded by mutex", the commit pipeline's queue,
   * the flusher's memtables and the compaction scheduler's state, so the decisions to switch
   * memtables and to start flushes and compactions. Never held while a file is written (leaders,
   * flushes and compactions release it around their I/O).
   */
  private final ReentrantLock mutex = new ReentrantLock();
  /** Signalled when background work finishes (a flush ends, an error is recorded). */
  private final Condition backgroundDone = mutex.newCondition();

  // ---- Guarded by mutex.
  /** The log; set once by recovery, read by the leader and the memtable switch under the mutex. */
  private Wal wal;

  // ---- Written under the mutex, read without it (volatile or atomic).
  /** close() has begun: no new writes, flushes or compactions. */
  private volatile boolean closing;
  /** close() (or a failed open) has finished releasing: every method throws. */
  private volatile boolean closed;
  /** The first failure that stopped writes, or null. */
  private volatile Throwable backgroundError;
  /** The last sequence number whose group is in the memtable (published by the leader). */
  private final AtomicLong lastSequence = new AtomicLong();

  /** The deepest level, where {@link #compactRange} puts what it compacts. */
  static final int LAST_LEVEL = CompactionScheduler.LAST_LEVEL;

  private Db(Path dir, Options options, TestKnobs knobs, FileLock lock, boolean readOnly) {
    this.dir = dir;
    this.readOnly = readOnly;
    this.options = options;
    this.knobs = knobs;
    this.fs = options.fileSystem();
    this.lock = lock;
    this.blockCache = new BlockCache(options.blockCacheBytes());
    // read-only: every table stays open (see openReadOnly), so a writer's deletions cannot reach it
    this.tables = new TableCache(fs, dir, blockCache,
        readOnly ? Integer.MAX_VALUE : options.maxOpenFiles(),
        knobs.maxBlockBytes(), knobs.hook());
    this.versions = new VersionSet(fs, dir, v -> scheduleObsoleteFileDeletion(),
        options.maxManifestBytes());
    this.obsolete = new ObsoleteFiles(fs, dir, versions, tables);
    this.level0Writer = new Level0Writer(fs, dir, knobs.tableOptions(options));
    this.picker = new CompactionPicker(knobs.compactionOptions(options));
    this.commits = new CommitPipeline(mutex, new WriteEnv(), knobs.walMaxRecordBytes());
    this.flushExecutor = Executors.newSingleThreadExecutor(threads("flush"));
    this.compactionExecutor = options.backgroundThreads() > 1
        ? Executors.newFixedThreadPool(options.backgroundThreads() - 1, threads("compaction"))
        : flushExecutor;
    this.reads = new ReadPath(this, fs, dir, tables, versions, lastSequence, knobs.hook(),
        knobs.maxBlockBytes(), readOnly);
    this.flusher = new Flusher(mutex, backgroundDone, new FlushEnv(), WriteStall.of(options),
        options.writeBufferSize(), flushExecutor, dir);
    this.compactions = new CompactionScheduler(mutex, backgroundDone, new CompactionEnv(), fs,
        dir, tables, versions, obsolete, counters, picker, knobs.compactionOptions(options),
        knobs.hook(), compactionExecutor, Math.max(1, options.backgroundThreads() - 1));
  }

  private ThreadFactory threads(String role) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r,
          "strata-" + role + "-" + n.incrementAndGet() + " " + dir.getFileName());
      t.setDaemon(true);
      return t;
    };
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
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(knobs, "knobs");
    FileSystem fs = options.fileSystem();
    FileLock lock;
    try {
      fs.createDirectories(dir);
      lock = fs.lock(dir.resolve(FileNames.LOCK));
    } catch (IOException e) {
      throw new StrataException("cannot open " + dir + ": it is in use by another open Db, or"
          + " its lock file cannot be taken (" + e.getMessage() + ")", e);
    }
    Db db = new Db(dir, options, knobs, lock, false);
    try {
      db.recover();
      return db;
    } catch (IOException e) {
      db.abandon(e);
      throw new StrataException("cannot open " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      db.abandon(e);
      throw e;
    }
  }

  private void abandon(Throwable cause) {
    closed = true;
    flushExecutor.shutdownNow();
    compactionExecutor.shutdownNow();
    try {
      // nothing of a failed open may outlive it
      flushExecutor.awaitTermination(1, TimeUnit.MINUTES);
      compactionExecutor.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (wal != null) {
        wal.close();
      }
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    versions.close();
    tables.close();
    try {
      if (lock != null) {
        lock.close();
      }
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * Opens the store's state: {@link Recovery} replays the manifest and the log into a version whose
   * level 0 holds what the log held; then a new log segment and an empty memtable start.
   */
  private void recover() throws IOException {
    Checkpoint.refuseIncomplete(fs, dir);
    long newSegment = new Recovery(fs, dir, options, versions, obsolete, level0Writer).run();
    lastSequence.set(versions.lastSequence());
    long segmentSize = Math.max(64L << 20, 2 * options.writeBufferSize());
    wal = Wal.create(fs, dir, newSegment, WalOptions.builder().segmentSize(segmentSize)
        .maxRecordBytes(knobs.walMaxRecordBytes()).build());
    Memtable mem = Memtable.forWriteBuffer(newSegment, options.writeBufferSize());
    flusher.start(mem);
    reads.start(mem);
    Recovery.deleteTemporaryFiles(fs, dir);
    obsolete.enable();
    obsolete.deleteNow();
    mutex.lock();
    try {
      compactions.maybeSchedule();
    } finally {
      mutex.unlock();
    }
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

  /**
   * Every entry a write accepts must fit a table block later. With the default block limit the
   * key and value limits above guarantee it; only a test's smaller limit can refuse here.
   */
  private void checkFitsTables(WriteBatch batch) {
    if (batch.longestKey() > knobs.maxKeyBytes()) {
      throw new IllegalArgumentException("key of " + batch.longestKey() + " bytes exceeds the"
          + " limit of " + knobs.maxKeyBytes() + " bytes of this Db's table blocks");
    }
    if (batch.longestValue() > knobs.maxValueBytes()) {
      throw new IllegalArgumentException("value of " + batch.longestValue() + " bytes exceeds the"
          + " limit of " + knobs.maxValueBytes() + " bytes of this Db's table blocks");
    }
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Db " + dir + " is closed");
    }
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
    checkOpen();
    checkWritable();
    commits.syncLog();
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
    checkOpen();
    if (batch.size() > knobs.walMaxRecordBytes()) {
      // refused here, before the write queue: the store stays writable
      throw new IllegalArgumentException("batch of " + batch.size() + " bytes (encoded, with its "
          + WriteBatch.HEADER + "-byte header) exceeds the limit of "
          + knobs.walMaxRecordBytes() + " bytes for one write-ahead log record");
    }
    checkFitsTables(batch);
    checkWritable();
    if (batch.count() == 0) {
      return;
    }
    commits.commit(batch, options.isSync());
  }

  /** What the commit pipeline sees of this Db: its log, memtable, back-pressure and sequence. */
  private final class WriteEnv implements CommitEnv {
    @Override
    public void makeRoomForWrite(boolean force) {
      flusher.makeRoomForWrite(force);
    }

    @Override
    public void checkWritable() {
      checkWritesAccepted();
    }

    @Override
    public CommitTarget target() {
      Memtable target = flusher.mem();
      Wal log = wal;
      return new CommitTarget() {
        @Override
        public void append(byte[] record, int length, boolean sync) throws IOException {
          log.append(record, 0, length, sync ? Durability.SYNC : Durability.NONE);
        }

        @Override
        public void apply(ByteSource operations, int count, long first) {
          target.insertBatch(operations, count, first);
        }

        @Override
        public void sync() throws IOException {
          log.sync();
        }
      };
    }

    @Override
    public void stopWrites(StrataException failure) {
      recordBackgroundError(failure);
    }

    @Override
    public long lastSequence() {
      return lastSequence.get();
    }

    @Override
    public void publishSequence(long last) {
      lastSequence.set(last);
    }

    @Override
    public void countUserBytes(long bytes) {
      counters.userWrite(bytes);
    }
  }

  /** What the compaction scheduler sees of this Db. */
  private final class CompactionEnv implements CompactionScheduler.Env {
    @Override
    public boolean stopped() {
      return closing || backgroundError != null;
    }

    @Override
    public boolean closing() {
      return closing;
    }

    @Override
    public void stopWrites(StrataException failure) {
      recordBackgroundError(failure);
    }

    @Override
    public void installVersion() {
      flusher.installView();
    }

    @Override
    public List<Long> snapshotSequences() {
      return snapshots.sequences();
    }

    @Override
    public void deleteObsoleteFiles() {
      obsolete.deleteNow();
    }

    @Override
    public void completed(EventListener.CompactionInfo info) {
      tell(l -> l.onCompactionCompleted(info));
    }
  }

  /** What the flusher sees of this Db: the log, the versions, the table writer, the listener. */
  private final class FlushEnv implements Flusher.Env {
    @Override
    public void checkWritable() {
      checkWritesAccepted();
    }

    @Override
    public Throwable backgroundError() {
      return backgroundError;
    }

    @Override
    public void stopWrites(StrataException failure) {
      recordBackgroundError(failure);
    }

    @Override
    public int level0Files() {
      return versions.current().files(0).size();
    }

    @Override
    public long rotateLog() throws IOException {
      return wal.rotate();
    }

    @Override
    public void installView(Memtable mem, Memtable imm) {
      reads.install(mem, imm);
    }

    @Override
    public long newTableNumber() {
      return obsolete.newOutputNumber();
    }

    @Override
    public FileMetadata writeTable(Memtable frozen, long number) throws IOException {
      FileMetadata f = level0Writer.write(frozen, number);
      if (f != null) {
        counters.flushed(f.fileSize());
      }
      return f;
    }

    @Override
    public void record(FileMetadata table, long logNumber) throws IOException {
      VersionEdit edit = new VersionEdit();
      if (table != null) {
        edit.addFile(0, table);
      }
      edit.logNumber = logNumber;
      edit.lastSequence = lastSequence.get();
      versions.logAndApply(edit);
    }

    @Override
    public void installed(long number) {
      obsolete.installed(number);
      compactions.maybeSchedule();
    }

    @Override
    public void flushed(FileMetadata f, long startNanos) {
      obsolete.deleteNow();
      if (f != null) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        tell(l -> l.onFlushCompleted(new EventListener.FlushInfo(
            new EventListener.TableInfo(f.number(), 0, f.fileSize()), f.entries(), took)));
      }
    }

    @Override
    public void countStall(long nanos) {
      counters.stalled(nanos);
    }
  }

  /** Throws when writes are refused: stopped after an earlier failure, or closing. */
  private void checkWritesAccepted() {
    if (backgroundError != null) {
      throw new StrataException("writes are stopped after an earlier failure ("
          + backgroundError.getMessage() + "); reopen the Db", backgroundError);
    }
    if (closing) {
      throw new IllegalStateException("Db " + dir + " is closed");
    }
  }

  private void recordBackgroundError(Throwable t) {
    mutex.lock();
    try {
      if (backgroundError == null) {
        backgroundError = t;
      }
      backgroundDone.signalAll();
    } finally {
      mutex.unlock();
    }
  }

  // ---------------------------------------------------------------- flush

  /**
   * Flushes the memtable to a table file and waits until it is recorded. Returns at once when the
   * memtable is empty.
   */
  public void flush() {
    checkOpen();
    checkWritable();
    commits.flushRequest();
    flusher.awaitFlushed();
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
    checkOpen();
    checkWritable();
    flush();
    compactions.compactRange(from, to);
  }

  /**
   * Waits until no flush or compaction is running and none is due: every level scores below 1
   * (or its due work meets a running compaction). Useful after a bulk load, before measuring.
   *
   * @throws StrataException when a background flush or compaction failed
   */
  public void waitForCompactions() {
    checkOpen();
    if (readOnly) {
      return; // no background work runs
    }
    mutex.lock();
    try {
      while (backgroundError == null && !closing) {
        compactions.maybeSchedule();
        if (flusher.idle() && !compactions.busy()) {
          return;
        }
        backgroundDone.awaitUninterruptibly();
      }
      if (backgroundError != null) {
        throw new StrataException("background work failed: " + backgroundError.getMessage(),
            backgroundError);
      }
    } finally {
      mutex.unlock();
    }
  }

  /** Calls the listener; what it throws is logged, never passed on. */
  private void tell(java.util.function.Consumer<EventListener> event) {
    try {
      event.accept(options.listener());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "event listener of " + dir + " failed", e);
    }
  }

  // ---------------------------------------------------------------- files

  private void scheduleObsoleteFileDeletion() {
    if (closed || closing || !obsolete.enabled()) {
      return;
    }
    try {
      flushExecutor.execute(() -> {
        if (!closed) {
          obsolete.deleteNow();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException ignored) {
      // closing: the next open deletes what is left
    }
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
    checkOpen();
    return reads.get(key, options);
  }

  /** A cursor over the whole store as it is now. Close it when done. */
  public Cursor cursor() {
    return cursor(ReadOptions.defaults());
  }

  /** A cursor over the store as of the options' snapshot (or now). Close it when done. */
  public Cursor cursor(ReadOptions options) {
    Objects.requireNonNull(options, "options");
    checkOpen();
    return reads.cursor(options);
  }

  /** A snapshot of the current state. Close it when done. */
  public Snapshot snapshot() {
    checkOpen();
    return snapshots.open(lastSequence.get(), this);
  }

  void releaseSnapshot(Snapshot s) {
    snapshots.release(s);
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
    checkOpen();
    return reads.verifyChecksums();
  }

  /** Current figures of the store. */
  public DbStats stats() {
    checkOpen();
    ReadView v = reads.acquire();
    try {
      Set<Long> busy;
      mutex.lock();
      try {
        busy = compactions.busyTables();
      } finally {
        mutex.unlock();
      }
      return counters.stats(v, picker, busy, wal == null ? 0 : wal.bytesWritten(), blockCache);
    } finally {
      v.release();
    }
  }

  /** Test-only: a look inside this Db for tests in this package (see {@link TestAccess}). */
  TestAccess testAccess() {
    return new TestAccess(dir, options, versions, obsolete);
  }

  // ---------------------------------------------------------------- read-only opens

  /** How often {@link #openReadOnly} starts again when a writer changed the store under it. */
  private static final int READ_ONLY_ATTEMPTS = 5;

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
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    FileSystem fs = options.fileSystem();
    for (int attempt = 1; ; attempt++) {
      Db db = new Db(dir, options, TestKnobs.NONE, null, true);
      try {
        db.recoverReadOnly();
        return db;
      } catch (IOException | StrataException e) {
        db.abandon(e);
        boolean noStore = e instanceof StrataException && !(e instanceof CorruptionException)
            && e.getCause() == null;
        if (noStore || attempt >= READ_ONLY_ATTEMPTS) {
          if (e instanceof IOException) {
            throw new StrataException("cannot open " + dir + " read-only: " + e.getMessage()
                + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), e);
          }
          throw (StrataException) e;
        }
        // a writer may have deleted a file between our reading the manifest and opening it
        LockSupport.parkNanos(10_000_000L * attempt);
      } catch (RuntimeException | Error e) {
        db.abandon(e);
        throw e;
      }
    }
  }

  /**
   * Reads the manifest, replays the log into memory and opens every table, writing nothing.
   * Throws {@link IOException} or {@link CorruptionException} when a file is missing or damaged,
   * and a {@link StrataException} without a cause when there is no store.
   */
  private void recoverReadOnly() throws IOException {
    Checkpoint.refuseIncomplete(fs, dir);
    ReadOnlyRecovery r = new ReadOnlyRecovery(fs, dir, options, versions,
        new Recovery(fs, dir, options, versions, obsolete, level0Writer));
    Memtable mem = r.run();
    lastSequence.set(r.lastSequence());
    flusher.start(mem);
    reads.start(mem);
    r.openEveryTable(tables);
  }

  private void closeReadOnly() {
    mutex.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      closed = true;
    } finally {
      mutex.unlock();
    }
    flushExecutor.shutdown();
    compactionExecutor.shutdown();
    reads.releaseView();
    versions.close();
    tables.close();
  }

  /** Whether this Db was opened by {@link #openReadOnly}. */
  public boolean isReadOnly() {
    return readOnly;
  }

  private void checkWritable() {
    if (readOnly) {
      throw new UnsupportedOperationException("Db " + dir + " is open read-only"
          + " (Db.openReadOnly): it refuses writes, flushes and compactions");
    }
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
    checkOpen();
    try {
      if (fs.exists(target)) {
        throw new IllegalArgumentException("checkpoint target " + target + " already exists");
      }
    } catch (IOException e) {
      throw new StrataException("cannot check checkpoint target " + target + ": "
          + e.getMessage(), e);
    }
    ReadView v;
    long sequence;
    mutex.lock();
    try {
      // under the mutex the view is the current one and every published write is in it
      v = reads.acquire();
      sequence = lastSequence.get();
      knobs.hook().accept("checkpoint-view-taken"); // tests take a snapshot of this moment here
    } finally {
      mutex.unlock();
    }
    try {
      new Checkpoint(fs, dir, target, knobs.tableOptions(options), options.maxManifestBytes(),
          knobs.hook()).write(v.version, v.imm, v.mem, sequence, versions::newFileNumber);
    } catch (IOException e) {
      throw new StrataException("checkpoint of " + dir + " into " + target + " failed: "
          + e.getMessage() + " (the target is incomplete; delete it)", e);
    } finally {
      v.release();
    }
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
   * share one index search and one block fetch.
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
    checkOpen();
    return reads.multiGet(k, options);
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
    checkOpen();
    DbStats stats = stats();
    ReadView v = reads.acquire();
    try {
      return DbProperties.get(name, v, stats, tables, backgroundError);
    } finally {
      v.release();
    }
  }

  // ---------------------------------------------------------------- close

  /**
   * Waits for queued writes and a running flush to finish, syncs and closes the write-ahead log
   * (the memtable is not flushed: the log holds it), and releases the directory. Idempotent.
   */
  @Override
  public void close() {
    if (readOnly) {
      closeReadOnly();
      return;
    }
    mutex.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      commits.awaitDrained();
      while (flusher.running() || compactions.backgroundRunning()) {
        backgroundDone.awaitUninterruptibly(); // running compactions see closing and stop soon
      }
    } finally {
      mutex.unlock();
    }
    compactions.afterManualCompaction(() -> closed = true); // a running compactRange finished
    flushExecutor.shutdown();
    compactionExecutor.shutdown();
    try {
      flushExecutor.awaitTermination(1, TimeUnit.MINUTES);
      compactionExecutor.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // whatever closing the log throws, the rest is released: above all the directory's lock
    Throwable failure = null;
    try {
      wal.close();
    } catch (IOException | RuntimeException | Error e) {
      failure = e instanceof Error ? e : new StrataException("closing the write-ahead log of "
          + dir + " failed: " + e.getMessage(), e);
    }
    try {
      reads.releaseView();
      versions.close();
      tables.close();
    } catch (RuntimeException | Error e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    try {
      lock.close();
    } catch (IOException | RuntimeException | Error e) {
      if (failure == null) {
        failure = new StrataException("releasing the lock of " + dir + " failed", e);
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw (RuntimeException) failure;
    }
  }
}

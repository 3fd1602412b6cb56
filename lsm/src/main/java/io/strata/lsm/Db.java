package io.strata.lsm;

import io.strata.wal.Durability;
import io.strata.wal.RecordPosition;
import io.strata.wal.RecoveryMode;
import io.strata.wal.RecoveryReport;
import io.strata.wal.Wal;
import io.strata.wal.WalOptions;
import io.strata.wal.fs.FileLock;
import io.strata.wal.fs.FileSystem;
import io.strata.wal.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.Condition;
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
 * behind it as one log record. Reads take no lock: they pin a {@link ReadView}.
 */
public final class Db implements AutoCloseable {
  /** Largest key accepted: 64 KiB. */
  public static final int MAX_KEY_BYTES = 64 * 1024;
  /** Largest value accepted: 256 MiB. */
  public static final int MAX_VALUE_BYTES = 256 * 1024 * 1024;

  private static final System.Logger LOG = System.getLogger(Db.class.getName());

  /** A write-ahead log record: sequence (8 bytes), count (4 bytes), then the batches' operations. */
  private static final int RECORD_HEADER = 12;

  private static final long MAX_GROUP_BYTES = 1 << 20;

  private final Path dir;
  private final Options options;
  private final FileSystem fs;
  private final FileLock lock;
  private final BlockCache blockCache;
  private final TableCache tables;
  private final VersionSet versions;
  private Wal wal;

  private final ReentrantLock mutex = new ReentrantLock();
  /** Signalled when background work finishes (a flush ends, an error is recorded). */
  private final Condition backgroundDone = mutex.newCondition();
  /** Signalled when the writer queue drains. */
  private final Condition writersDrained = mutex.newCondition();

  // Guarded by mutex.
  private Memtable mem;
  private Memtable imm;
  private final ArrayDeque<Writer> writers = new ArrayDeque<>();
  private final TreeMap<Long, Integer> snapshots = new TreeMap<>();
  private final Set<Long> pendingOutputs = new HashSet<>();
  private boolean flushRunning;
  private volatile boolean closing;
  /** Tables that running compactions read. */
  private final Set<Long> compacting = new HashSet<>();
  private final List<CompactionJob> runningCompactions = new ArrayList<>();
  /** A {@link #compactRange} is running or waiting: no background compaction starts. */
  private boolean manualRunning;

  private volatile ReadView view;
  private volatile boolean closed;
  /**
   * Set once recovery has succeeded. Until then no file is deleted: a version installed while
   * the manifest is replayed must not make the files of the real one look obsolete, and an open
   * that fails (on damage, say) must leave the directory exactly as it found it.
   */
  private volatile boolean recovered;
  private volatile Throwable backgroundError;
  private final AtomicLong lastSequence = new AtomicLong();
  private final Object obsoleteLock = new Object();
  /** Held while a {@link #compactRange} runs: one at a time, and close waits for it. */
  private final Object manualCompaction = new Object();

  /** The deepest level, where {@link #compactRange} puts what it compacts. */
  static final int LAST_LEVEL = VersionEdit.LEVELS - 1;

  private final CompactionPicker picker;
  private final ExecutorService flushExecutor;
  private final ExecutorService compactionExecutor;
  private final int compactionThreads;

  private final LongAdder userBytes = new LongAdder();
  private final LongAdder flushBytes = new LongAdder();
  private final LongAdder compactionBytes = new LongAdder();
  private final LongAdder stallNanos = new LongAdder();
  private final LongAccumulator longestStallNanos = new LongAccumulator(Math::max, 0);
  private final LongAdder compactions = new LongAdder();
  private final LongAdder trivialMoves = new LongAdder();
  /** Per output level: bytes compactions read and wrote (level 0: flushes wrote). */
  private final LongAdder[] levelBytesRead = adders();
  private final LongAdder[] levelBytesWritten = adders();

  private static LongAdder[] adders() {
    LongAdder[] a = new LongAdder[VersionEdit.LEVELS];
    for (int i = 0; i < a.length; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /** A thread waiting in the write queue. */
  private final class Writer {
    /** Null: a request to switch memtables (flush), or with {@code sync}, to sync the log. */
    final WriteBatch batch;
    final boolean sync;
    /** Created only when the writer has to wait behind another (most never do). */
    Condition turn;
    boolean done;
    RuntimeException error;

    Writer(WriteBatch batch, boolean sync) {
      this.batch = batch;
      this.sync = sync;
    }

    boolean syncOnly() {
      return batch == null && sync;
    }
  }

  private Db(Path dir, Options options, FileLock lock) {
    this.dir = dir;
    this.options = options;
    this.fs = options.fileSystem();
    this.lock = lock;
    this.blockCache = new BlockCache(options.blockCacheBytes());
    this.tables = new TableCache(fs, dir, blockCache, options.maxOpenFiles(),
        options.maxBlockBytes(), options.testHook());
    this.versions = new VersionSet(fs, dir, v -> scheduleObsoleteFileDeletion(),
        options.maxManifestBytes());
    this.picker = new CompactionPicker(options);
    this.flushExecutor = Executors.newSingleThreadExecutor(threads("flush"));
    this.compactionExecutor = options.backgroundThreads() > 1
        ? Executors.newFixedThreadPool(options.backgroundThreads() - 1, threads("compaction"))
        : flushExecutor;
    this.compactionThreads = Math.max(1, options.backgroundThreads() - 1);
  }

  private ThreadFactory threads(String role) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "strata-" + role + "-" + n.incrementAndGet() + " " + dir.getFileName());
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
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    FileSystem fs = options.fileSystem();
    FileLock lock;
    try {
      fs.createDirectories(dir);
      lock = fs.lock(dir.resolve(FileNames.LOCK));
    } catch (IOException e) {
      throw new StrataException("cannot open " + dir + ": it is in use by another open Db, or"
          + " its lock file cannot be taken (" + e.getMessage() + ")", e);
    }
    Db db = new Db(dir, options, lock);
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

  /**
   * Every table the recovered version names must be on disk: a missing one (deleted by hand, or
   * named by a manifest whose later records were lost, so that the version is an old one) fails
   * the open here, naming it, rather than a read later. (A table cut short is left to the reads
   * and {@link #verifyChecksums()}, which report it with the rest of the damage.)
   */
  private void checkTablesExist() throws IOException {
    Set<String> names = new HashSet<>(fs.list(dir));
    Version v = versions.current();
    for (int level = 0; level < v.levels().size(); level++) {
      for (FileMetadata f : v.files(level)) {
        Path table = FileNames.table(dir, f.number());
        if (!names.contains(table.getFileName().toString())) {
          throw new CorruptionException(table, 0, "table of level " + level + " named by "
              + FileNames.manifest(dir, versions.manifestNumber()).getFileName()
              + " is missing");
        }
      }
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
      lock.close();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private void recover() throws IOException {
    if (versions.exists()) {
      versions.recover();
      checkTablesExist();
    } else {
      // A store gets CURRENT before its first log segment, so a directory with tables or log
      // segments but no CURRENT has lost it. Manifests alone are what a crash in the middle of
      // creating the store leaves: no write was ever accepted, they are deleted as obsolete.
      for (String name : fs.list(dir)) {
        FileNames.Kind kind = FileNames.parse(name).kind();
        if (kind == FileNames.Kind.TABLE || kind == FileNames.Kind.WAL) {
          throw new CorruptionException(FileNames.current(dir), 0, "CURRENT is missing, but the"
              + " directory holds store files such as " + name);
        }
      }
    }
    // files a crash left behind (an unrecorded flush output, a manifest never made current) keep
    // their numbers until they are deleted below: never write over them
    for (String name : fs.list(dir)) {
      FileNames.Parsed p = FileNames.parse(name);
      if (p.kind() == FileNames.Kind.TABLE || p.kind() == FileNames.Kind.MANIFEST
          || p.kind() == FileNames.Kind.TEMP) {
        versions.markFileNumberUsed(p.number());
      }
    }
    long logNumber = versions.logNumber();
    VersionEdit edit = new VersionEdit();
    long[] maxSequence = {versions.lastSequence()};
    long[] nextSequence = {-1};
    Memtable[] replay = {Memtable.forWriteBuffer(0, options.writeBufferSize())};
    List<IOException> flushErrors = new ArrayList<>();
    // Segments are created in order and deleted oldest first, so the one the manifest says holds
    // the oldest unflushed writes is only ever absent together with every later one (a crash
    // before it was created). Absent with a later one present, the manifest is out of step with
    // the log (it lost records): replaying only the later ones would silently drop writes.
    List<Long> present = Wal.segments(fs, dir);
    long newest = present.isEmpty() ? -1 : present.get(present.size() - 1);
    if (newest > logNumber && !present.contains(logNumber)) {
      throw new CorruptionException(Wal.segmentPath(dir, logNumber), 0, "log segment "
          + logNumber + ", the oldest unflushed one according to "
          + FileNames.manifest(dir, versions.manifestNumber()).getFileName()
          + ", is missing, but segment " + newest + " exists");
    }
    RecoveryReport report;
    try {
      report = Wal.replay(fs, dir, logNumber, RecoveryMode.TOLERATE_TRUNCATED_TAIL,
          (position, record) -> {
            long last = applyLogRecord(position, record, replay[0], nextSequence[0]);
            nextSequence[0] = last + 1;
            maxSequence[0] = Math.max(maxSequence[0], last);
            if (replay[0].approximateBytes() >= options.writeBufferSize()) {
              try {
                FileMetadata f = writeLevel0(replay[0], newOutputNumber());
                if (f != null) {
                  edit.addFile(0, f);
                }
              } catch (IOException e) {
                flushErrors.add(e);
              }
              replay[0] = Memtable.forWriteBuffer(0, options.writeBufferSize());
            }
          });
    } catch (io.strata.wal.CorruptionException e) {
      throw CorruptionException.of(e);
    }
    if (!flushErrors.isEmpty()) {
      throw flushErrors.get(0);
    }
    if (report.tornTail()) {
      LOG.log(report.droppedOnlyZeros() ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING, "{0}: dropped a torn write-ahead log tail of {1} bytes"
          + " in segment {2} ({3})", dir, report.droppedBytes(), report.tornSegment(),
          report.tornProblem());
    }
    if (!replay[0].isEmpty()) {
      FileMetadata f = writeLevel0(replay[0], newOutputNumber());
      if (f != null) {
        edit.addFile(0, f);
      }
    }
    List<Long> segments = Wal.segments(fs, dir);
    long newSegment = Math.max(logNumber,
        segments.isEmpty() ? 1 : segments.get(segments.size() - 1) + 1);
    edit.logNumber = newSegment;
    edit.lastSequence = maxSequence[0];
    versions.writeNewManifest(edit);
    mutex.lock();
    try {
      pendingOutputs.clear(); // the tables written from the log are in the installed version now
    } finally {
      mutex.unlock();
    }
    lastSequence.set(versions.lastSequence());
    long segmentSize = Math.max(64L << 20, 2 * options.writeBufferSize());
    wal = Wal.create(fs, dir, newSegment, WalOptions.builder().segmentSize(segmentSize)
        .maxRecordBytes(options.walMaxRecordBytes()).build());
    mem = Memtable.forWriteBuffer(newSegment, options.writeBufferSize());
    view = new ReadView(mem, null, versions.acquireCurrent());
    for (String name : fs.list(dir)) {
      if (FileNames.parse(name).kind() == FileNames.Kind.TEMP) {
        fs.delete(dir.resolve(name));
      }
    }
    recovered = true;
    deleteObsoleteFiles();
    mutex.lock();
    try {
      maybeScheduleCompaction();
    } finally {
      mutex.unlock();
    }
  }

  /**
   * A file number for a new table, protected from obsolete-file deletion until the version that
   * holds the table is installed (or the open fails).
   */
  private long newOutputNumber() {
    long n = versions.newFileNumber();
    mutex.lock();
    try {
      pendingOutputs.add(n);
    } finally {
      mutex.unlock();
    }
    return n;
  }

  /** Inserts one log record's operations; returns the last sequence it used. */
  /**
   * Inserts one log record (a batch) into {@code into} and returns its last sequence number.
   * Batches are logged in sequence order, so a record that does not start at {@code expected}
   * (when known, i.e. not -1) means records between them are gone: a log file cut short that was
   * not the last, say, which the log format alone cannot see.
   */
  private long applyLogRecord(RecordPosition position, byte[] record, Memtable into,
      long expected) {
    Path file = Wal.segmentPath(dir, position.segment());
    ByteSource in = new ByteSource(record, 0, record.length, file, position.offset(),
        "write-ahead log record");
    if (record.length < RECORD_HEADER) {
      throw in.corrupt("record of " + record.length + " bytes is shorter than its header");
    }
    long first = in.longLE();
    int count = in.intLE();
    if (first < 1 || first > InternalKeys.MAX_SEQUENCE || count < 0
        || first + count - 1 > InternalKeys.MAX_SEQUENCE) {
      throw in.corrupt("impossible sequence " + first + " or count " + count);
    }
    if (expected >= 0 && first != expected) {
      throw in.corrupt("batch starts at sequence " + first + ", but the previous one ended at "
          + (expected - 1) + ": the log lost the records between them");
    }
    // every operation takes at least 2 bytes (kind, key length): a count the record cannot hold
    // must not size the arrays the insert allocates
    if (count > in.remaining() / 2) {
      throw in.corrupt(count + " operations cannot fit in " + in.remaining() + " bytes");
    }
    into.insertBatch(in, count, first);
    return first + count - 1;
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
    if (batch.longestKey() > options.maxKeyBytes()) {
      throw new IllegalArgumentException("key of " + batch.longestKey() + " bytes exceeds the"
          + " limit of " + options.maxKeyBytes() + " bytes of this Db's table blocks");
    }
    if (batch.longestValue() > options.maxValueBytes()) {
      throw new IllegalArgumentException("value of " + batch.longestValue() + " bytes exceeds the"
          + " limit of " + options.maxValueBytes() + " bytes of this Db's table blocks");
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
    enqueue(new Writer(null, true));
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
    if (batch.size() > this.options.walMaxRecordBytes()) {
      // refused here, before the write queue: the store stays writable
      throw new IllegalArgumentException("batch of " + batch.size() + " bytes (encoded, with its "
          + WriteBatch.HEADER + "-byte header) exceeds the limit of "
          + this.options.walMaxRecordBytes() + " bytes for one write-ahead log record");
    }
    checkFitsTables(batch);
    if (batch.count() == 0) {
      return;
    }
    enqueue(new Writer(batch, options.isSync()));
  }

  private void enqueue(Writer w) {
    mutex.lock();
    try {
      writers.addLast(w);
      while (!w.done && writers.peekFirst() != w) {
        if (w.turn == null) {
          w.turn = mutex.newCondition();
        }
        w.turn.awaitUninterruptibly();
      }
      if (w.done) {
        if (w.error != null) {
          throw w.error;
        }
        return;
      }
      lead(w);
    } finally {
      mutex.unlock();
    }
  }

  /**
   * Runs with the mutex held by the writer at the head of the queue. Whatever it throws, the
   * writers it took from the queue are answered and the next one is woken: an {@link Error}
   * (out of memory in the log's append, say) stops writes like a failed log append, so that no
   * writer waits for ever and {@link #close()} returns.
   */
  private void lead(Writer leader) {
    Writer last = leader;
    Throwable error = null;
    try {
      if (leader.syncOnly()) {
        syncLog();
      } else {
        makeRoomForWrite(leader.batch == null);
        if (leader.batch != null) {
          List<Writer> group = buildGroup(leader);
          last = group.get(group.size() - 1);
          writeGroup(group);
        }
      }
    } catch (Throwable t) {
      error = t;
      if (!(t instanceof RuntimeException)) {
        // where it came from is unknown: the log or the memtable may hold part of the group
        recordBackgroundError(new StrataException("write failed: " + t
            + "; this Db accepts no more writes until it is reopened", t));
      }
    }
    RuntimeException followerError = error == null || error instanceof RuntimeException
        ? (RuntimeException) error
        : new StrataException("write failed: " + error + "; this Db accepts no more writes until"
            + " it is reopened", error);
    while (true) {
      Writer w = writers.pollFirst();
      if (w != leader) {
        w.error = followerError;
        w.done = true;
        if (w.turn != null) {
          w.turn.signal();
        }
      }
      if (w == last) {
        break;
      }
    }
    Writer next = writers.peekFirst();
    if (next == null) {
      writersDrained.signalAll();
    } else if (next.turn != null) {
      next.turn.signal();
    }
    if (error instanceof Error e) {
      throw e;
    }
    if (error != null) {
      throw followerError;
    }
  }

  /** Syncs the log for {@link #syncWal()}: the mutex is released meanwhile. Mutex held. */
  private void syncLog() {
    if (backgroundError != null) {
      throw new StrataException("writes are stopped after an earlier failure ("
          + backgroundError.getMessage() + "); reopen the Db", backgroundError);
    }
    if (closing) {
      throw new IllegalStateException("Db " + dir + " is closed");
    }
    Wal log = wal;
    mutex.unlock();
    try {
      log.sync();
    } catch (IOException e) {
      StrataException failure = new StrataException("syncing the write-ahead log failed: "
          + e.getMessage() + "; this Db accepts no more writes until it is reopened", e);
      recordBackgroundError(failure);
      throw failure;
    } finally {
      mutex.lock();
    }
  }

  private List<Writer> buildGroup(Writer leader) {
    if (writers.size() == 1) {
      return List.of(leader);
    }
    List<Writer> group = new ArrayList<>();
    long size = leader.batch.bodySize();
    long max = Math.min(size <= 128 << 10 ? size + (128 << 10) : MAX_GROUP_BYTES,
        options.walMaxRecordBytes() - WriteBatch.HEADER); // a group is one log record
    for (Writer w : writers) {
      if (w != leader) {
        if (w.batch == null || (w.sync && !leader.sync) || size + w.batch.bodySize() > max) {
          break;
        }
        size += w.batch.bodySize();
      }
      group.add(w);
    }
    return group;
  }

  /** Writes a group as one log record, then into the memtable. Mutex held on entry and exit. */
  private void writeGroup(List<Writer> group) {
    int count = 0;
    long bytes = WriteBatch.HEADER;
    boolean sync = false;
    for (Writer w : group) {
      count += w.batch.count();
      bytes += w.batch.bodySize();
      sync |= w.sync;
    }
    if (bytes > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("batch of " + bytes + " bytes is too large");
    }
    long first = lastSequence.get() + 1;
    if (first + count - 1 > InternalKeys.MAX_SEQUENCE) {
      throw new StrataException("sequence numbers exhausted");
    }
    byte[] record;
    int recordLength;
    if (group.size() == 1) {
      // a batch carries room for the header: log it in place
      record = group.get(0).batch.array();
      recordLength = group.get(0).batch.size();
    } else {
      ByteSink sink = new ByteSink((int) bytes);
      sink.put(new byte[WriteBatch.HEADER]);
      for (Writer w : group) {
        sink.put(w.batch.array(), WriteBatch.HEADER, w.batch.bodySize());
      }
      record = sink.array();
      recordLength = sink.size();
    }
    writeHeader(record, first, count);
    Memtable target = mem;
    Wal log = wal;
    mutex.unlock();
    try {
      try {
        log.append(record, 0, recordLength, sync ? Durability.SYNC : Durability.NONE);
      } catch (IOException e) {
        StrataException failure = new StrataException("write failed: " + e.getMessage()
            + "; the write-ahead log may be damaged, so this Db accepts no more writes until it"
            + " is reopened", e);
        recordBackgroundError(failure);
        throw failure;
      }
      ByteSource in = new ByteSource(record, WriteBatch.HEADER, recordLength - WriteBatch.HEADER,
          null, 0, "batch");
      target.insertBatch(in, count, first);
      userBytes.add(bytes - WriteBatch.HEADER);
    } catch (RuntimeException | Error e) {
      // the log may hold the group and the memtable part of it, under sequence numbers the next
      // group would use again: no more writes (an I/O failure was recorded above already)
      recordBackgroundError(new StrataException("write failed: " + e
          + "; this Db accepts no more writes until it is reopened", e));
      throw e;
    } finally {
      mutex.lock();
    }
    lastSequence.set(first + count - 1);
  }

  private static void writeHeader(byte[] record, long sequence, int count) {
    for (int i = 0; i < 8; i++) {
      record[i] = (byte) (sequence >>> (8 * i));
    }
    for (int i = 0; i < 4; i++) {
      record[8 + i] = (byte) (count >>> (8 * i));
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

  /**
   * Makes sure the memtable has room, switching to a new one (and a new log segment) when it is
   * full, or when {@code force} and it holds anything. Applies back-pressure: a write is delayed
   * by a millisecond once level 0 holds {@code level0SlowdownTrigger} tables, and a full memtable
   * is not switched while the previous one is still being flushed or level 0 holds {@code
   * level0StopTrigger} tables. Mutex held (released while waiting).
   */
  private void makeRoomForWrite(boolean force) {
    try {
      makeRoom(force);
    } finally {
      long stalled = stalledNanos;
      if (stalled > 0) {
        stallNanos.add(stalled);
        longestStallNanos.accumulate(stalled);
        stalledNanos = 0;
      }
    }
  }

  /** Time the current leader has waited in {@link #makeRoom}; mutex held. */
  private long stalledNanos;

  private void makeRoom(boolean force) {
    boolean delayed = false;
    while (true) {
      if (backgroundError != null) {
        throw new StrataException("writes are stopped after an earlier failure ("
            + backgroundError.getMessage() + "); reopen the Db", backgroundError);
      }
      if (closing) {
        throw new IllegalStateException("Db " + dir + " is closed");
      }
      int level0 = versions.current().files(0).size();
      if (!force && !delayed && level0 >= options.level0SlowdownTrigger()) {
        // a short delay per write, spread over many writes, instead of one long stop later
        delayed = true;
        long start = System.nanoTime();
        mutex.unlock();
        try {
          LockSupport.parkNanos(1_000_000);
        } finally {
          mutex.lock();
        }
        stalledNanos += System.nanoTime() - start;
        continue;
      }
      if (!force && mem.approximateBytes() < options.writeBufferSize()) {
        return;
      }
      if (force && mem.isEmpty()) {
        return;
      }
      if (imm != null || level0 >= options.level0StopTrigger()) {
        long start = System.nanoTime();
        backgroundDone.awaitUninterruptibly();
        stalledNanos += System.nanoTime() - start;
        continue;
      }
      try {
        long segment = wal.rotate();
        Memtable fresh = Memtable.forWriteBuffer(segment, options.writeBufferSize());
        imm = mem;
        mem = fresh;
        installView();
        scheduleFlush();
      } catch (IOException | RuntimeException | Error e) {
        // half a switch (a new segment, the old memtable) must take no more writes
        StrataException failure = new StrataException("starting a new write-ahead log segment"
            + " failed: " + e.getMessage() + "; this Db accepts no more writes until reopened", e);
        if (backgroundError == null) {
          backgroundError = failure;
        }
        backgroundDone.signalAll();
        if (e instanceof Error error) {
          throw error;
        }
        throw failure;
      }
      force = false;
    }
  }

  /** Publishes a new read view of mem, imm and the current version. Mutex held. */
  private void installView() {
    ReadView old = view;
    view = new ReadView(mem, imm, versions.acquireCurrent());
    old.release();
  }

  /**
   * The current view, retained. A failed retain means the view was retired: either a newer one is
   * already published (take that), or {@link #close()} released the last one (throw).
   */
  private ReadView acquireView() {
    options.testHook().accept("read-acquiring-view");
    while (true) {
      ReadView v = view;
      if (v.retain()) {
        return v;
      }
      if (closed) {
        throw new IllegalStateException("Db " + dir + " is closed");
      }
      Thread.onSpinWait();
    }
  }

  // ---------------------------------------------------------------- flush

  private void scheduleFlush() {
    if (!flushRunning && imm != null && backgroundError == null) {
      flushRunning = true;
      try {
        flushExecutor.execute(this::flushImmutable);
      } catch (RuntimeException | Error e) {
        flushRunning = false; // or flush() and close() would wait for it for ever
        throw e;
      }
    }
  }

  /** Background: writes the frozen memtable to a level-0 table and records it. */
  private void flushImmutable() {
    try {
      Memtable frozen;
      long number;
      long logNumber;
      mutex.lock();
      try {
        frozen = imm;
        number = newOutputNumber();
        logNumber = mem.walSegment();
      } finally {
        mutex.unlock();
      }
      long start = System.nanoTime();
      FileMetadata f = writeLevel0(frozen, number);
      VersionEdit edit = new VersionEdit();
      if (f != null) {
        edit.addFile(0, f);
        flushBytes.add(f.fileSize());
        levelBytesWritten[0].add(f.fileSize());
      }
      edit.logNumber = logNumber;
      edit.lastSequence = lastSequence.get();
      versions.logAndApply(edit);
      mutex.lock();
      try {
        imm = null;
        installView();
        pendingOutputs.remove(number);
        maybeScheduleCompaction();
      } finally {
        mutex.unlock();
      }
      deleteObsoleteFiles();
      if (f != null) {
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        tell(l -> l.onFlushCompleted(new EventListener.FlushInfo(
            new EventListener.TableInfo(f.number(), 0, f.fileSize()), f.entries(), took)));
      }
      mutex.lock();
      try {
        // done only now, so flush() returns after the listener heard of it; a memtable frozen
        // meanwhile could not schedule its flush while this one ran, so schedule it here
        flushRunning = false;
        backgroundDone.signalAll();
        scheduleFlush();
      } finally {
        mutex.unlock();
      }
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.ERROR, "flush of " + dir + " failed; writes are stopped", t);
      mutex.lock();
      try {
        if (backgroundError == null) {
          backgroundError = new StrataException("flush failed: " + t.getMessage(), t);
        }
        flushRunning = false;
        backgroundDone.signalAll();
      } finally {
        mutex.unlock();
      }
    }
  }

  /**
   * Writes a memtable to table {@code number}, synced, with its directory entry synced. Returns
   * its metadata, or null (and no file) when the memtable is empty.
   */
  private FileMetadata writeLevel0(Memtable m, long number) throws IOException {
    if (m.isEmpty()) {
      return null;
    }
    Path path = FileNames.table(dir, number);
    TableProperties props;
    long size;
    try (WritableFile out = fs.create(path); InternalIterator it = m.iterator()) {
      TableBuilder b = new TableBuilder(out, options);
      for (it.seekToFirst(); it.isValid(); it.next()) {
        b.add(it.key(), it.value());
      }
      props = b.finish();
      size = b.fileSize();
      out.sync();
    } catch (IOException | RuntimeException | Error e) {
      try {
        fs.delete(path);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    fs.syncDirectory(dir);
    return new FileMetadata(number, size, props.smallestKey(), props.largestKey(),
        props.minSequence(), props.maxSequence(), props.entries());
  }

  /**
   * Flushes the memtable to a table file and waits until it is recorded. Returns at once when the
   * memtable is empty.
   */
  public void flush() {
    checkOpen();
    enqueue(new Writer(null, false));
    mutex.lock();
    try {
      while ((imm != null || flushRunning) && backgroundError == null) {
        backgroundDone.awaitUninterruptibly();
      }
      if (backgroundError != null) {
        throw new StrataException("flush failed: " + backgroundError.getMessage(), backgroundError);
      }
    } finally {
      mutex.unlock();
    }
  }

  // ---------------------------------------------------------------- compaction

  /**
   * Starts background compactions while there are free compaction threads and the picker finds
   * work that meets no running compaction. Mutex held.
   */
  private void maybeScheduleCompaction() {
    while (!closing && backgroundError == null && !manualRunning
        && runningCompactions.size() < compactionThreads) {
      Version v = versions.acquireCurrent();
      byte[][] pointers = new byte[VersionEdit.LEVELS][];
      for (int level = 0; level < pointers.length; level++) {
        pointers[level] = versions.compactPointer(level);
      }
      CompactionJob job = picker.pick(v, pointers, compacting, runningCompactions);
      if (job == null) {
        v.release();
        return;
      }
      for (Compaction.Input in : job.inputs) {
        compacting.add(in.file().number());
      }
      runningCompactions.add(job);
      try {
        compactionExecutor.execute(() -> runBackgroundCompaction(job));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        finished(job);
        v.release();
        return;
      }
    }
  }

  /** Forgets a finished job and lets waiters and the scheduler go on. Mutex held. */
  private void finished(CompactionJob job) {
    for (Compaction.Input in : job.inputs) {
      compacting.remove(in.file().number());
    }
    runningCompactions.remove(job);
    backgroundDone.signalAll();
  }

  /** Background: runs a picked job; on failure the store keeps its old version and stops writes. */
  private void runBackgroundCompaction(CompactionJob job) {
    try {
      EventListener.CompactionInfo info = null;
      try {
        info = runCompaction(job);
      } catch (CompactionCancelledException cancelled) {
        // closing
      } catch (Throwable t) {
        LOG.log(System.Logger.Level.ERROR, "compaction " + job + " of " + dir
            + " failed; writes are stopped", t);
        recordBackgroundError(new StrataException("compaction failed: " + t.getMessage(), t));
      }
      job.version.release();
      if (info != null) {
        // before the job counts as finished: whoever waits for it finds the inputs gone and the
        // listener told
        deleteObsoleteFiles();
        EventListener.CompactionInfo done = info;
        tell(l -> l.onCompactionCompleted(done));
      }
    } finally {
      mutex.lock();
      try {
        finished(job);
        maybeScheduleCompaction();
      } finally {
        mutex.unlock();
      }
    }
  }

  /**
   * Runs a job and installs its result: writes the outputs (or, for a trivial move, nothing),
   * records the edit in the manifest, publishes the new version. Returns what the listener hears.
   */
  private EventListener.CompactionInfo runCompaction(CompactionJob job) throws IOException {
    long start = System.nanoTime();
    VersionEdit edit = new VersionEdit();
    for (Compaction.Input in : job.inputs) {
      edit.deleteFile(in.level(), in.file().number());
    }
    List<FileMetadata> outputs;
    long read = 0;
    long written = 0;
    if (job.trivialMove) {
      outputs = List.of(job.inputs.get(0).file());
    } else {
      Compaction c = new Compaction(fs, dir, options, tables, this::newOutputNumber,
          () -> closing);
      KeysBelow below = job.keysBelow();
      outputs = c.run(job, snapshotSequences(),
          job.reason == CompactionJob.Reason.MANUAL ? k -> true : below::outputIsLowestFor,
          picker.maxGrandparentOverlap());
      read = c.bytesRead();
      written = c.bytesWritten();
      options.testHook().accept("compaction-outputs-written");
    }
    for (FileMetadata f : outputs) {
      edit.addFile(job.outputLevel, f);
    }
    if (job.compactPointer != null) {
      edit.compactPointers.put(job.level, job.compactPointer);
    }
    try {
      versions.logAndApply(edit);
    } catch (IOException e) {
      // the outputs stay pending: the edit may be durable even though it failed
      throw new IOException("recording compaction " + job + " failed: " + e.getMessage(), e);
    }
    mutex.lock();
    try {
      installView();
      if (!job.trivialMove) {
        for (FileMetadata f : outputs) {
          pendingOutputs.remove(f.number());
        }
      }
    } finally {
      mutex.unlock();
    }
    compactions.increment();
    if (job.trivialMove) {
      trivialMoves.increment();
    }
    compactionBytes.add(written);
    levelBytesRead[job.outputLevel].add(read);
    levelBytesWritten[job.outputLevel].add(written);
    List<EventListener.TableInfo> in = new ArrayList<>();
    for (Compaction.Input i : job.inputs) {
      in.add(new EventListener.TableInfo(i.file().number(), i.level(), i.file().fileSize()));
    }
    List<EventListener.TableInfo> out = new ArrayList<>();
    for (FileMetadata f : outputs) {
      out.add(new EventListener.TableInfo(f.number(), job.outputLevel, f.fileSize()));
    }
    return new EventListener.CompactionInfo(job.outputLevel, List.copyOf(in), List.copyOf(out),
        read, written, Duration.ofNanos(System.nanoTime() - start));
  }

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
    flush();
    synchronized (manualCompaction) {
      mutex.lock();
      try {
        if (closing) {
          throw new IllegalStateException("Db " + dir + " is closed");
        }
        manualRunning = true;
        while (!runningCompactions.isEmpty()) {
          backgroundDone.awaitUninterruptibly();
        }
      } finally {
        mutex.unlock();
      }
      EventListener.CompactionInfo info = null;
      Version v = versions.acquireCurrent();
      try {
        List<Compaction.Input> inputs = overlapping(v, from, to);
        if (!inputs.isEmpty()) {
          info = runCompaction(new CompactionJob(CompactionJob.Reason.MANUAL, 0, LAST_LEVEL,
              inputs, List.of(), null, false, v));
        }
      } catch (CompactionCancelledException e) {
        throw new IllegalStateException("Db " + dir + " is closed", e);
      } catch (IOException e) {
        throw new StrataException("compaction of " + dir + " failed: " + e.getMessage(), e);
      } finally {
        v.release();
        mutex.lock();
        try {
          manualRunning = false;
          backgroundDone.signalAll();
          maybeScheduleCompaction();
        } finally {
          mutex.unlock();
        }
      }
      if (info != null) {
        deleteObsoleteFiles(); // the inputs, once no read uses them
        EventListener.CompactionInfo done = info;
        tell(l -> l.onCompactionCompleted(done));
      }
    }
  }

  /**
   * Waits until no flush or compaction is running and none is due: every level scores below 1
   * (or its due work meets a running compaction). Useful after a bulk load, before measuring.
   *
   * @throws StrataException when a background flush or compaction failed
   */
  public void waitForCompactions() {
    checkOpen();
    mutex.lock();
    try {
      while (backgroundError == null && !closing) {
        maybeScheduleCompaction();
        if (!flushRunning && imm == null && runningCompactions.isEmpty() && !manualRunning) {
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

  /**
   * The tables of {@code v} whose user keys overlap {@code [from, to]}, and, transitively, every
   * table overlapping those: merged together they leave the last level without overlaps. Level-0
   * tables first, newest first, then the levels in order.
   */
  private static List<Compaction.Input> overlapping(Version v, byte[] from, byte[] to) {
    List<Compaction.Input> chosen = new ArrayList<>();
    Set<Long> numbers = new HashSet<>();
    byte[] lo = from;
    byte[] hi = to;
    boolean grew = true;
    while (grew) {
      grew = false;
      for (int level = 0; level < VersionEdit.LEVELS; level++) {
        for (FileMetadata f : v.files(level)) {
          if (numbers.contains(f.number())) {
            continue;
          }
          boolean below = hi != null && InternalKeys.compareUserKey(f.smallest(), hi) > 0;
          boolean above = lo != null && InternalKeys.compareUserKey(f.largest(), lo) < 0;
          if (!below && !above) {
            numbers.add(f.number());
            chosen.add(new Compaction.Input(level, f));
            if (lo != null && InternalKeys.compareUserKey(f.smallest(), lo) < 0) {
              lo = f.smallestUserKey();
            }
            if (hi != null && InternalKeys.compareUserKey(f.largest(), hi) > 0) {
              hi = f.largestUserKey();
            }
            grew = true;
          }
        }
      }
    }
    chosen.sort(java.util.Comparator.comparingInt(Compaction.Input::level));
    return chosen;
  }

  // ---------------------------------------------------------------- files

  private void scheduleObsoleteFileDeletion() {
    if (closed || closing || !recovered) {
      return;
    }
    try {
      flushExecutor.execute(() -> {
        if (!closed) {
          deleteObsoleteFiles();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException ignored) {
      // closing: the next open deletes what is left
    }
  }

  /** Deletes tables no live version uses, log segments already flushed, old manifests. */
  private void deleteObsoleteFiles() {
    if (!recovered) {
      return;
    }
    synchronized (obsoleteLock) {
      // Order matters. A table's number enters pendingOutputs before its file is created, and
      // leaves only after a version holding it is installed. So with the directory listed first,
      // then pending read, then the live set, every table listed is in one of the two sets.
      List<String> names;
      try {
        names = fs.list(dir);
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "listing " + dir + " failed", e);
        return;
      }
      Set<Long> pending;
      mutex.lock();
      try {
        pending = new HashSet<>(pendingOutputs);
      } finally {
        mutex.unlock();
      }
      Set<Long> live = versions.liveFiles();
      long logNumber = versions.logNumber();
      long manifest = versions.manifestNumber();
      for (String name : names) {
        FileNames.Parsed p = FileNames.parse(name);
        boolean obsolete = switch (p.kind()) {
          case TABLE -> !live.contains(p.number()) && !pending.contains(p.number());
          case MANIFEST -> p.number() < manifest;
          case WAL -> p.number() < logNumber;
          default -> false;
        };
        if (obsolete) {
          if (p.kind() == FileNames.Kind.TABLE) {
            tables.evict(p.number());
          }
          try {
            fs.delete(dir.resolve(name));
          } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "deleting obsolete " + name + " failed", e);
          }
        }
      }
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
    // The view first, then the sequence: every version a compaction dropped before the view was
    // taken is shadowed by one at or below any sequence read after it.
    ReadView v = acquireView();
    try {
      long sequence = sequenceFor(options);
      byte[] value = v.get(key, sequence, tables, options.fillCache());
      return value == null || value == Memtable.DELETED ? null : value;
    } finally {
      v.release();
    }
  }

  private long sequenceFor(ReadOptions options) {
    Snapshot s = options.snapshot();
    if (s == null) {
      return lastSequence.get();
    }
    if (s.db() != this) {
      throw new IllegalArgumentException("snapshot belongs to another Db");
    }
    return s.sequence();
  }

  /** A cursor over the whole store as it is now. Close it when done. */
  public Cursor cursor() {
    return cursor(ReadOptions.defaults());
  }

  /** A cursor over the store as of the options' snapshot (or now). Close it when done. */
  public Cursor cursor(ReadOptions options) {
    Objects.requireNonNull(options, "options");
    checkOpen();
    ReadView v = acquireView(); // before the sequence, as in get
    try {
      long sequence = sequenceFor(options);
      InternalIterator it = v.iterator(tables, options.fillCache());
      return new DbCursor(this, v, it, sequence, options.lowerBoundRef(), options.upperBoundRef());
    } catch (RuntimeException | Error e) {
      v.release();
      throw e;
    }
  }

  /** A snapshot of the current state. Close it when done. */
  public Snapshot snapshot() {
    checkOpen();
    mutex.lock();
    try {
      long seq = lastSequence.get();
      snapshots.merge(seq, 1, Integer::sum);
      return new Snapshot(seq, this);
    } finally {
      mutex.unlock();
    }
  }

  void releaseSnapshot(Snapshot s) {
    mutex.lock();
    try {
      snapshots.computeIfPresent(s.sequenceUnchecked(), (k, n) -> n == 1 ? null : n - 1);
    } finally {
      mutex.unlock();
    }
  }

  /** Sequence numbers of the open snapshots, ascending. */
  List<Long> snapshotSequences() {
    mutex.lock();
    try {
      return new ArrayList<>(snapshots.keySet());
    } finally {
      mutex.unlock();
    }
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
    Version v = versions.acquireCurrent();
    try {
      List<CorruptionException> problems = new ArrayList<>();
      for (int level = 0; level < VersionEdit.LEVELS; level++) {
        for (FileMetadata f : v.files(level)) {
          Path path = FileNames.table(dir, f.number());
          TableReader t;
          try {
            t = TableReader.open(fs, path, f.number(), new BlockCache(0), options.maxBlockBytes());
          } catch (CorruptionException e) {
            problems.add(e);
            continue;
          } catch (StrataException e) {
            problems.add(new CorruptionException(path, 0, "table " + f.number() + " of level "
                + level + " cannot be read: " + e.getMessage(), e));
            continue;
          }
          try {
            if (t.fileSize() != f.fileSize()) {
              problems.add(new CorruptionException(path, Math.min(t.fileSize(), f.fileSize()),
                  "table is " + t.fileSize() + " bytes; the manifest recorded " + f.fileSize()));
            }
            problems.addAll(t.verifyChecksums());
          } finally {
            t.release();
          }
        }
      }
      return problems;
    } finally {
      v.release();
    }
  }

  /** Current figures of the store. */
  public DbStats stats() {
    checkOpen();
    ReadView v = acquireView();
    try {
      Set<Long> busy;
      mutex.lock();
      try {
        busy = new HashSet<>(compacting);
      } finally {
        mutex.unlock();
      }
      CompactionPicker.Targets targets = picker.targets(v.version);
      double[] scores = picker.scores(v.version, targets, busy);
      List<DbStats.LevelStats> levels = new ArrayList<>();
      for (int i = 0; i < VersionEdit.LEVELS; i++) {
        levels.add(new DbStats.LevelStats(i, v.version.files(i).size(), v.version.bytes(i),
            scores[i], i == 0 ? 0 : targets.bytes()[i], levelBytesRead[i].sum(),
            levelBytesWritten[i].sum()));
      }
      long memBytes = v.mem.approximateBytes() + (v.imm == null ? 0 : v.imm.approximateBytes());
      return new DbStats(memBytes, List.copyOf(levels), targets.baseLevel(), userBytes.sum(),
          wal.bytesWritten(), flushBytes.sum(), compactionBytes.sum(), compactions.sum(),
          trivialMoves.sum(), blockCache.hits(), blockCache.misses(), stallNanos.sum(),
          longestStallNanos.get());
    } finally {
      v.release();
    }
  }

  /**
   * The state the manifest on disk describes, read afresh into a new version set that writes
   * nothing (for tests in this package).
   */
  VersionSet readManifest() throws IOException {
    VersionSet fresh = new VersionSet(fs, dir, v -> { });
    fresh.recover();
    return fresh;
  }

  /** Compaction pointers as the live version set holds them (for tests in this package). */
  byte[] compactPointer(int level) {
    return versions.compactPointer(level);
  }

  /** Deletes obsolete files now instead of when the background gets to it (for tests). */
  void deleteObsoleteFilesNow() {
    deleteObsoleteFiles();
  }

  /** The current table version, retained: the caller releases it (for tests). */
  Version acquireCurrentVersion() {
    return versions.acquireCurrent();
  }

  /** The current table version (for tests in this package). */
  Version currentVersion() {
    return versions.current();
  }

  Path directory() {
    return dir;
  }

  Options options() {
    return options;
  }

  // ---------------------------------------------------------------- close

  /**
   * Waits for queued writes and a running flush to finish, syncs and closes the write-ahead log
   * (the memtable is not flushed: the log holds it), and releases the directory. Idempotent.
   */
  @Override
  public void close() {
    mutex.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      while (!writers.isEmpty()) {
        writersDrained.awaitUninterruptibly();
      }
      while (flushRunning || !runningCompactions.isEmpty()) {
        backgroundDone.awaitUninterruptibly(); // running compactions see closing and stop soon
      }
    } finally {
      mutex.unlock();
    }
    synchronized (manualCompaction) {
      closed = true; // a running compactRange has finished
    }
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
      view.release();
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

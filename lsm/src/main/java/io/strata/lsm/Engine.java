package io.strata.lsm;

import io.strata.CorruptionException;
import io.strata.StrataException;
import io.strata.fs.FileLock;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.compaction.CompactionPicker;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import io.strata.wal.Durability;
import io.strata.wal.Wal;
import io.strata.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine behind a {@link Db}: it owns the rooms ({@code CommitPipeline}, {@code Flusher},
 * {@code CompactionScheduler}, {@code ReadPath}, {@code ObsoleteFiles}, {@code SnapshotList},
 * {@code EngineCounters} and the caches, versions and table writer they share), the mutex, the
 * log, the stop flags and the environments the rooms see the store through ({@code WriteEnv},
 * {@code CompactionEnv}, {@code FlushEnv}). {@link Opener} builds it and runs its recovery;
 * {@code Db} checks arguments and calls it. Stop flags: {@code closing} (close has begun: no new
 * writes, flushes or compactions), {@code closed} (every method throws) and {@code
 * backgroundError} (the first failure that stopped writes).
 *
 * <p>Thread-safety: all methods may be called from any number of threads, as {@code Db}'s. The
 * mutex guards the log ({@code wal}, set once by recovery), the decisions to change the stop
 * flags (they are volatile, read without it), the commit pipeline's queue, the flusher's memtables
 * and the compaction scheduler's state; it is never held while a file is written. {@code
 * backgroundDone}, a condition of the mutex, is signalled when background work finishes or an
 * error is recorded. The other locks (the version set's, the compaction scheduler's monitor, the
 * monitors of {@code ObsoleteFiles} and {@code SnapshotList}) and the order they are taken in are
 * described on {@link Db}.
 */
final class Engine {
  private static final System.Logger LOG = System.getLogger(Db.class.getName());

  // ---- Constant after construction (the rooms are thread-safe themselves, see each class).
  /** The {@code Db} this engine is the inside of (reads and snapshots name it). */
  private final Db db;
  private final Path dir;
  private final Options options;
  /** Test-only hook and limits ({@link TestKnobs#NONE} outside tests). */
  private final TestKnobs knobs;
  private final FileSystem fs;
  /** Null when read-only: a read-only Db takes no lock. */
  private final FileLock lock;
  /** Opened by {@link Db#openReadOnly}: writes nothing, deletes nothing, refuses writes. */
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
  /** The memtables, their switch and the flush job; sees this engine through a FlushEnv. */
  private final Flusher flusher;
  /** The writer queue, group commit, log append and memtable insert; sees a WriteEnv. */
  private final CommitPipeline commits;
  private final ExecutorService flushExecutor;
  private final ExecutorService compactionExecutor;
  /**
   * The helper thread of {@code multiGet}: reads part of a large batch's block cache misses beside
   * the caller ({@code PendingBlockReads}). One daemon thread, started on demand and ended after
   * 30 s idle; at most 4 tasks wait for it, and a task it refuses is read by the caller alone (so
   * concurrent batches never queue behind one another). Shut down, never interrupted (an interrupt
   * during a read would close the table's channel for every reader), at close. Null on one core.
   */
  private final ThreadPoolExecutor multiGetHelper;
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

  Engine(Db db, Path dir, Options options, TestKnobs knobs, FileLock lock, boolean readOnly) {
    this.db = db;
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
        knobs.maxBlockBytes(), options.mapTableFiles(), knobs.hook());
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
    this.multiGetHelper = Runtime.getRuntime().availableProcessors() > 1
        ? multiGetHelper(threads("multiget")) : null;
    this.reads = new ReadPath(db, fs, dir, tables, versions, lastSequence, knobs.hook(),
        knobs.maxBlockBytes(), readOnly, multiGetHelper, knobs.multiGetMinSharedReads());
    this.flusher = new Flusher(mutex, backgroundDone, new FlushEnv(), WriteStall.of(options),
        options.writeBufferSize(), flushExecutor, dir);
    this.compactions = new CompactionScheduler(mutex, backgroundDone, new CompactionEnv(), fs,
        dir, tables, versions, obsolete, counters, picker, knobs.compactionOptions(options),
        knobs.hook(), compactionExecutor, Math.max(1, options.backgroundThreads() - 1));
  }

  private static ThreadPoolExecutor multiGetHelper(ThreadFactory threads) {
    ThreadPoolExecutor e = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(4), threads, new ThreadPoolExecutor.DiscardPolicy());
    e.allowCoreThreadTimeOut(true);
    return e;
  }

  /** Stops the multiGet helper: tasks under way finish (each within its caller's batch). */
  private void stopMultiGetHelper() {
    if (multiGetHelper != null) {
      multiGetHelper.shutdown();
    }
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

  // ---------------------------------------------------------------- opening and close

  /** Releases what a failed open took: nothing of it may outlive it. */
  void abandon(Throwable cause) {
    closed = true;
    flushExecutor.shutdownNow();
    compactionExecutor.shutdownNow();
    stopMultiGetHelper();
    try {
      // nothing of a failed open may outlive it
      flushExecutor.awaitTermination(1, TimeUnit.MINUTES);
      compactionExecutor.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // each release runs even when an earlier one fails (an Error included): the lock last
    release(cause, () -> {
      if (wal != null) {
        wal.close();
      }
    });
    release(cause, versions::close);
    release(cause, tables::close);
    release(cause, () -> {
      if (lock != null) {
        lock.close();
      }
    });
  }

  private interface Release {
    void run() throws IOException;
  }

  private static void release(Throwable cause, Release r) {
    try {
      r.run();
    } catch (IOException | RuntimeException | Error e) {
      if (e != cause) {
        cause.addSuppressed(e);
      }
    }
  }

  /**
   * Opens the store's state: {@link Recovery} replays the manifest and the log into a version whose
   * level 0 holds what the log held; then a new log segment and an empty memtable start.
   */
  void recover() throws IOException {
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

  /**
   * Reads the manifest, replays the log into memory and opens every table, writing nothing.
   * Throws {@link IOException} or {@link CorruptionException} when a file is missing or damaged,
   * and a {@link StrataException} without a cause when there is no store.
   */
  void recoverReadOnly() throws IOException {
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
    stopMultiGetHelper();
    reads.releaseView();
    versions.close();
    tables.close();
  }

  /** What {@link Db#close()} does. */
  void close() {
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
    stopMultiGetHelper();
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

  // ---------------------------------------------------------------- state checks

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

  private void checkWritable() {
    if (readOnly) {
      throw new UnsupportedOperationException("Db " + dir + " is open read-only"
          + " (Db.openReadOnly): it refuses writes, flushes and compactions");
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

  // ---------------------------------------------------------------- what Db's methods do
  // Db has checked the arguments (nulls, key and value limits) before calling these.

  void syncWal() {
    checkOpen();
    checkWritable();
    commits.syncLog();
  }

  void write(WriteBatch batch, WriteOptions options) {
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

  void flush() {
    checkOpen();
    checkWritable();
    commits.flushRequest();
    flusher.awaitFlushed();
  }

  void compactRange(byte[] from, byte[] to) {
    checkOpen();
    checkWritable();
    flush();
    compactions.compactRange(from, to);
  }

  void waitForCompactions() {
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

  byte[] get(byte[] key, ReadOptions options) {
    checkOpen();
    return reads.get(key, options);
  }

  Cursor cursor(ReadOptions options) {
    checkOpen();
    return reads.cursor(options);
  }

  Snapshot snapshot() {
    checkOpen();
    return snapshots.open(lastSequence.get(), db);
  }

  void releaseSnapshot(Snapshot s) {
    snapshots.release(s);
  }

  List<CorruptionException> verifyChecksums() {
    checkOpen();
    return reads.verifyChecksums();
  }

  DbStats stats() {
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

  TestAccess testAccess() {
    return new TestAccess(dir, options, versions, obsolete);
  }

  boolean isReadOnly() {
    return readOnly;
  }

  void checkpoint(Path target) {
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

  List<byte[]> multiGet(byte[][] k, ReadOptions options) {
    checkOpen();
    return reads.multiGet(k, options);
  }

  String property(String name) {
    checkOpen();
    DbStats stats = stats();
    ReadView v = reads.acquire();
    try {
      return DbProperties.get(name, v, stats, tables, backgroundError);
    } finally {
      v.release();
    }
  }

  // ---------------------------------------------------------------- what the rooms see

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

  /** Calls the listener; what it throws is logged, never passed on. */
  private void tell(java.util.function.Consumer<EventListener> event) {
    try {
      event.accept(options.listener());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "event listener of " + dir + " failed", e);
    }
  }

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
}

package io.strata.lsm;

import io.strata.StrataException;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.version.FileMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memtables and their flush: the memtable writes go into ({@code mem}) and the frozen one
 * being flushed ({@code imm}); the memtable switch a writer makes when {@code mem} is full (a new
 * log segment and a fresh memtable, {@code mem} frozen as {@code imm}), with the back-pressure
 * {@link WriteStall} decides; and the flush job, which writes {@code imm} to a level-0 table on
 * the flush executor, records it and lets {@code imm} go. It sees the rest of the store only
 * through an {@link Env}, so its tests need no files.
 *
 * <p>Invariants: at most one memtable is frozen and at most one flush runs, and one runs whenever
 * {@code imm} is set and writes are not stopped; a frozen memtable is dropped only after its table
 * (if it held anything) is in the manifest and a read view without it is published. A failed
 * switch or flush stops writes ({@link Env#stopWrites}): half a switch takes no more writes.
 *
 * <p>Thread-safety: guarded by the {@code Db}'s mutex (passed in): {@code mem}, {@code imm},
 * {@code flushRunning} and {@code stalledNanos}; methods marked "mutex held" need it, the others
 * take it themselves. {@link #makeRoomForWrite} is called by the commit leader and releases the
 * mutex while it waits; the flush job runs on the executor and releases the mutex around its I/O.
 * {@code backgroundDone} (a condition of the mutex) is signalled when a flush ends.
 */
final class Flusher {
  private static final System.Logger LOG = System.getLogger(Db.class.getName());

  /** What the switch and the flush need of the store. */
  interface Env {
    /** Mutex held. Throws when writes are refused: stopped after a failure, or closing. */
    void checkWritable();

    /** Any thread: the failure that stopped writes, or null. */
    Throwable backgroundError();

    /** Any thread: records a failure that stops writes (the first wins), signals the waiters. */
    void stopWrites(StrataException failure);

    /** Mutex held: the number of tables in level 0 of the current version. */
    int level0Files();

    /** Mutex held: starts a new log segment and returns its number. */
    long rotateLog() throws IOException;

    /** Mutex held: publishes a read view of {@code mem}, {@code imm} and the current version. */
    void installView(Memtable mem, Memtable imm);

    /** Mutex held: a new table number. */
    long newTableNumber();

    /** No lock: writes {@code frozen} to table {@code number}; null (no file) when empty. */
    FileMetadata writeTable(Memtable frozen, long number) throws IOException;

    /**
     * No lock: records the flush in the manifest, making the table (or null) part of the current
     * version and {@code logNumber} the oldest log segment recovery replays.
     */
    void record(FileMetadata table, long logNumber) throws IOException;

    /**
     * Mutex held: the flushed table numbered {@code number} is in the current version and the view
     * without the frozen memtable is published; compactions may start.
     */
    void installed(long number);

    /**
     * No lock: after a flush (the table, or null) that started at {@code startNanos} ({@link
     * System#nanoTime()}): deletes what is obsolete, tells the listener.
     */
    void flushed(FileMetadata table, long startNanos);

    /** Counts time a writer was held back. */
    void countStall(long nanos);
  }

  private final ReentrantLock mutex;
  private final Condition backgroundDone;
  private final Env env;
  private final WriteStall stall;
  private final long writeBufferSize;
  private final Executor executor;
  /** The store's directory, for log messages only. */
  private final Path dir;

  // ---- Guarded by mutex.
  /** The memtable writes go into; replaced (with the log's segment) by a switch. */
  private Memtable mem;
  /** The frozen memtable being flushed, or null. */
  private Memtable imm;
  private boolean flushRunning;
  /** Time the current leader has waited in {@link #makeRoom}. */
  private long stalledNanos;

  Flusher(ReentrantLock mutex, Condition backgroundDone, Env env, WriteStall stall,
      long writeBufferSize, Executor executor, Path dir) {
    this.mutex = mutex;
    this.backgroundDone = backgroundDone;
    this.env = env;
    this.stall = stall;
    this.writeBufferSize = writeBufferSize;
    this.executor = executor;
    this.dir = dir;
  }

  /** Mutex held, or before the store is shared: the first memtable (after recovery). */
  void start(Memtable first) {
    mem = first;
  }

  /** Mutex held: the memtable writes go into. */
  Memtable mem() {
    return mem;
  }

  /** Mutex held: publishes a read view of the memtables and the current version. */
  void installView() {
    env.installView(mem, imm);
  }

  /** Mutex held: no flush is running and no memtable waits for one. */
  boolean idle() {
    return !flushRunning && imm == null;
  }

  /** Mutex held: a flush is running. */
  boolean running() {
    return flushRunning;
  }

  /**
   * Mutex held. Makes sure the memtable has room, switching to a new one (and a new log segment)
   * when it is full, or when {@code force} and it holds anything. Applies back-pressure: a write
   * is delayed by a millisecond once level 0 holds {@code level0SlowdownTrigger} tables, and a
   * full memtable is not switched while the previous one is still being flushed or level 0 holds
   * {@code level0StopTrigger} tables (the mutex is released while waiting).
   */
  void makeRoomForWrite(boolean force) {
    try {
      makeRoom(force);
    } finally {
      long stalled = stalledNanos;
      if (stalled > 0) {
        env.countStall(stalled);
        stalledNanos = 0;
      }
    }
  }

  private void makeRoom(boolean force) {
    boolean delayed = false;
    while (true) {
      env.checkWritable();
      WriteStall.Action action = stall.next(force, delayed, env.level0Files(),
          mem.approximateBytes(), mem.isEmpty(), imm != null);
      if (action == WriteStall.Action.DELAY) {
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
      if (action == WriteStall.Action.PROCEED) {
        return;
      }
      if (action == WriteStall.Action.WAIT) {
        long start = System.nanoTime();
        backgroundDone.awaitUninterruptibly();
        stalledNanos += System.nanoTime() - start;
        continue;
      }
      try {
        long segment = env.rotateLog();
        Memtable fresh = Memtable.forWriteBuffer(segment, writeBufferSize);
        imm = mem;
        mem = fresh;
        installView();
        scheduleFlush();
      } catch (IOException | RuntimeException | Error e) {
        // half a switch (a new segment, the old memtable) must take no more writes
        StrataException failure = new StrataException("starting a new write-ahead log segment"
            + " failed: " + e.getMessage() + "; this Db accepts no more writes until reopened", e);
        env.stopWrites(failure);
        if (e instanceof Error error) {
          throw error;
        }
        throw failure;
      }
      force = false;
    }
  }

  /**
   * Takes the mutex and waits until no memtable is frozen and no flush runs (after a flush
   * request has frozen the memtable).
   *
   * @throws StrataException when a flush failed (or writes were stopped by another failure)
   */
  void awaitFlushed() {
    mutex.lock();
    try {
      while ((imm != null || flushRunning) && env.backgroundError() == null) {
        backgroundDone.awaitUninterruptibly();
      }
      Throwable error = env.backgroundError();
      if (error != null) {
        throw new StrataException("flush failed: " + error.getMessage(), error);
      }
    } finally {
      mutex.unlock();
    }
  }

  /** Mutex held: starts the flush job when a memtable is frozen and none runs. */
  private void scheduleFlush() {
    if (!flushRunning && imm != null && env.backgroundError() == null) {
      flushRunning = true;
      try {
        executor.execute(this::flushImmutable);
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
        number = env.newTableNumber();
        logNumber = mem.walSegment();
      } finally {
        mutex.unlock();
      }
      long start = System.nanoTime();
      FileMetadata f = env.writeTable(frozen, number);
      env.record(f, logNumber);
      mutex.lock();
      try {
        imm = null;
        installView();
        env.installed(number);
      } finally {
        mutex.unlock();
      }
      env.flushed(f, start);
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
        if (env.backgroundError() == null) {
          env.stopWrites(new StrataException("flush failed: " + t.getMessage(), t));
        }
        flushRunning = false;
        backgroundDone.signalAll();
      } finally {
        mutex.unlock();
      }
    }
  }
}

package io.strata.lsm;

import io.strata.StrataException;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.compaction.Compaction;
import io.strata.lsm.internal.compaction.CompactionCancelledException;
import io.strata.lsm.internal.compaction.CompactionJob;
import io.strata.lsm.internal.compaction.CompactionOptions;
import io.strata.lsm.internal.compaction.CompactionPicker;
import io.strata.lsm.internal.compaction.KeysBelow;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Compaction scheduling (rules in {@code lsm/COMPACTION.md}): starts background compactions while
 * there are free compaction threads and the picker finds work that meets no running compaction,
 * runs each (writes the outputs, records the edit in the manifest, installs the new version) and
 * runs {@code compactRange} (every table overlapping a key range into the last level, with the
 * background held back meanwhile). It sees the rest of the store only through a {@link Env}.
 *
 * <p>Thread-safety: guarded by the {@code Db}'s mutex (passed in): the set of tables being
 * compacted, the running jobs and the flag of a running {@code compactRange}; methods marked
 * "mutex held" need it, the others take it themselves. Jobs run on the compaction executor
 * without the mutex. {@code manual} (this object's monitor for {@code compactRange}) lets one run
 * at a time and is taken before the mutex, never under it.
 */
final class CompactionScheduler {
  private static final System.Logger LOG = System.getLogger(Db.class.getName());

  /** The deepest level, where {@code compactRange} puts what it compacts. */
  static final int LAST_LEVEL = VersionEdit.LEVELS - 1;

  /** What the scheduler needs of the store. */
  interface Env {
    /** Mutex held: no compaction may start (the store is closing or stopped by a failure). */
    boolean stopped();

    /** Any thread: the store is closing (running compactions stop, deleting their outputs). */
    boolean closing();

    /** Any thread: records a failure that stops writes. */
    void stopWrites(StrataException failure);

    /** Mutex held: publishes a read view of the version set's current version. */
    void installVersion();

    /** Any thread: the sequence numbers of the open snapshots, ascending. */
    List<Long> snapshotSequences();

    /** Any thread, no lock held: a compaction's inputs may be deleted once no read uses them. */
    void deleteObsoleteFiles();

    /** Any thread, no lock held: tells the listener. */
    void completed(EventListener.CompactionInfo info);
  }

  private final ReentrantLock mutex;
  private final Condition backgroundDone;
  private final Env env;
  private final FileSystem fs;
  private final Path dir;
  private final TableCache tables;
  private final VersionSet versions;
  private final ObsoleteFiles obsolete;
  private final EngineCounters counters;
  private final CompactionPicker picker;
  private final CompactionOptions options;
  private final Consumer<String> hook;
  private final ExecutorService executor;
  private final int threads;

  /** Tables that running compactions read. Guarded by mutex. */
  private final Set<Long> compacting = new HashSet<>();
  /** Guarded by mutex. */
  private final List<CompactionJob> running = new ArrayList<>();
  /** A {@code compactRange} is running or waiting: no background compaction starts. Guarded by mutex. */
  private boolean manualRunning;
  /** Held while a {@code compactRange} runs: one at a time, and close waits for it. */
  private final Object manual = new Object();

  CompactionScheduler(ReentrantLock mutex, Condition backgroundDone, Env env, FileSystem fs,
      Path dir, TableCache tables, VersionSet versions, ObsoleteFiles obsolete,
      EngineCounters counters, CompactionPicker picker, CompactionOptions options,
      Consumer<String> hook, ExecutorService executor, int threads) {
    this.mutex = mutex;
    this.backgroundDone = backgroundDone;
    this.env = env;
    this.fs = fs;
    this.dir = dir;
    this.tables = tables;
    this.versions = versions;
    this.obsolete = obsolete;
    this.counters = counters;
    this.picker = picker;
    this.options = options;
    this.hook = hook;
    this.executor = executor;
    this.threads = threads;
  }

  /** Mutex held: the tables running compactions read (a copy). */
  Set<Long> busyTables() {
    return new HashSet<>(compacting);
  }

  /** Mutex held: whether a background compaction or a {@code compactRange} is running. */
  boolean busy() {
    return !running.isEmpty() || manualRunning;
  }

  /** Mutex held: whether a background compaction is running. */
  boolean backgroundRunning() {
    return !running.isEmpty();
  }

  /** Runs {@code r} once no {@code compactRange} runs, holding it back meanwhile (for close). */
  void afterManualCompaction(Runnable r) {
    synchronized (manual) {
      r.run();
    }
  }

  /**
   * Starts background compactions while there are free compaction threads and the picker finds
   * work that meets no running compaction. Mutex held.
   */
  void maybeSchedule() {
    while (!env.stopped() && !manualRunning && running.size() < threads) {
      Version v = versions.acquireCurrent();
      byte[][] pointers = new byte[VersionEdit.LEVELS][];
      for (int level = 0; level < pointers.length; level++) {
        pointers[level] = versions.compactPointer(level);
      }
      CompactionJob job = picker.pick(v, pointers, compacting, running);
      if (job == null) {
        v.release();
        return;
      }
      for (Compaction.Input in : job.inputs) {
        compacting.add(in.file().number());
      }
      running.add(job);
      try {
        executor.execute(() -> runInBackground(job));
      } catch (RejectedExecutionException e) {
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
    running.remove(job);
    backgroundDone.signalAll();
  }

  /** Background: runs a picked job; on failure the store keeps its old version and stops writes. */
  private void runInBackground(CompactionJob job) {
    try {
      EventListener.CompactionInfo info = null;
      try {
        info = run(job);
      } catch (CompactionCancelledException cancelled) {
        // closing
      } catch (Throwable t) {
        LOG.log(System.Logger.Level.ERROR, "compaction " + job + " of " + dir
            + " failed; writes are stopped", t);
        env.stopWrites(new StrataException("compaction failed: " + t.getMessage(), t));
      }
      job.version.release();
      if (info != null) {
        // before the job counts as finished: whoever waits for it finds the inputs gone and the
        // listener told
        env.deleteObsoleteFiles();
        env.completed(info);
      }
    } finally {
      mutex.lock();
      try {
        finished(job);
        maybeSchedule();
      } finally {
        mutex.unlock();
      }
    }
  }

  /**
   * Runs a job and installs its result: writes the outputs (or, for a trivial move, nothing),
   * records the edit in the manifest, publishes the new version. Returns what the listener hears.
   */
  private EventListener.CompactionInfo run(CompactionJob job) throws IOException {
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
      Compaction c = new Compaction(fs, dir, options, tables, obsolete::newOutputNumber,
          env::closing);
      KeysBelow below = job.keysBelow();
      outputs = c.run(job, env.snapshotSequences(),
          job.reason == CompactionJob.Reason.MANUAL ? k -> true : below::outputIsLowestFor,
          picker.maxGrandparentOverlap());
      read = c.bytesRead();
      written = c.bytesWritten();
      hook.accept("compaction-outputs-written");
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
      env.installVersion();
      if (!job.trivialMove) {
        for (FileMetadata f : outputs) {
          obsolete.installed(f.number());
        }
      }
    } finally {
      mutex.unlock();
    }
    counters.compacted(job.outputLevel, job.trivialMove, read, written);
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
   * Compacts every table holding keys in {@code [from, to]} (null: unbounded on that side) into
   * the last level, once the running background compactions finished (none starts meanwhile).
   * The caller flushed the memtable first.
   */
  void compactRange(byte[] from, byte[] to) {
    synchronized (manual) {
      mutex.lock();
      try {
        if (env.closing()) {
          throw new IllegalStateException("Db " + dir + " is closed");
        }
        manualRunning = true;
        while (!running.isEmpty()) {
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
          info = run(new CompactionJob(CompactionJob.Reason.MANUAL, 0, LAST_LEVEL,
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
          maybeSchedule();
        } finally {
          mutex.unlock();
        }
      }
      if (info != null) {
        env.deleteObsoleteFiles(); // the inputs, once no read uses them
        env.completed(info);
      }
    }
  }

  /**
   * The tables of {@code v} whose user keys overlap {@code [from, to]}, and, transitively, every
   * table overlapping those: merged together they leave the last level without overlaps. Level-0
   * tables first, newest first, then the levels in order.
   */
  static List<Compaction.Input> overlapping(Version v, byte[] from, byte[] to) {
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
}

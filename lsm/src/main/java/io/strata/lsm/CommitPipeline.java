package io.strata.lsm;

import io.strata.StrataException;
import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.InternalKeys;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write path from a caller's batch to the memtable (after Pebble's {@code commitPipeline}):
 * the writer queue, group commit (the writer at the head of the queue, the leader, writes its
 * batch and those queued behind it as one log record), the log append (with one fsync for every
 * synced writer of the group) and the memtable insert. It sees the store only through a {@link
 * CommitEnv}.
 *
 * <p>Invariants: groups are logged and inserted in queue order, one at a time; a group's
 * operations get consecutive sequence numbers following the previous group's, and the sequence is
 * published only once the whole group is in the memtable; an unsynced writer never waits for an
 * fsync it did not ask for to be grouped behind (a synced writer is not grouped behind an unsynced
 * leader); a group never exceeds one log record ({@code maxRecordBytes}).
 *
 * <p>Thread-safety: {@link #commit}, {@link #flushRequest} and {@link #syncLog} may be called from
 * any number of threads at once. Guarded by {@code mutex} (the {@code Db}'s, shared with the
 * engine's other state): the queue {@code writers} and each queued {@link Writer}'s {@code turn},
 * {@code done} and {@code error}. The leader releases the mutex while it appends to the log and
 * inserts into the memtable, so readers and background work go on meanwhile; followers wait on
 * their own condition until the leader has answered them.
 */
final class CommitPipeline {
  /** A group grows to at most this many bytes (or 128 KiB past a small leader's batch). */
  static final long MAX_GROUP_BYTES = 1 << 20;

  private final ReentrantLock mutex;
  private final CommitEnv env;
  private final int maxRecordBytes;
  /** Signalled when the writer queue drains. */
  private final Condition drained;
  private final ArrayDeque<Writer> writers = new ArrayDeque<>();

  /** A thread waiting in the write queue. */
  private static final class Writer {
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

  /**
   * @param mutex the lock guarding the store's write state, which {@code env}'s "mutex held"
   *     methods rely on
   * @param maxRecordBytes the largest log record, so the largest group (with its header)
   */
  CommitPipeline(ReentrantLock mutex, CommitEnv env, int maxRecordBytes) {
    this.mutex = mutex;
    this.env = env;
    this.maxRecordBytes = maxRecordBytes;
    this.drained = mutex.newCondition();
  }

  /** Writes {@code batch} (not empty), fsynced when {@code sync}; returns once it is readable. */
  void commit(WriteBatch batch, boolean sync) {
    enqueue(new Writer(batch, sync));
  }

  /** Takes a turn in the queue and switches a non-empty memtable (for a flush). */
  void flushRequest() {
    enqueue(new Writer(null, false));
  }

  /** Takes a turn in the queue and fsyncs the log: every write that returned before is durable. */
  void syncLog() {
    enqueue(new Writer(null, true));
  }

  /** Writers queued now, the leader included (for tests). */
  int queued() {
    mutex.lock();
    try {
      return writers.size();
    } finally {
      mutex.unlock();
    }
  }

  /** Mutex held. Waits until no writer is queued (for close). */
  void awaitDrained() {
    while (!writers.isEmpty()) {
      drained.awaitUninterruptibly();
    }
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
   * writers it took from the queue are answered and the next one is woken: an {@link Error} (out
   * of memory in the log's append, say) stops writes like a failed log append, so that no writer
   * waits for ever and the store's close returns.
   */
  private void lead(Writer leader) {
    Writer last = leader;
    Throwable error = null;
    try {
      if (leader.syncOnly()) {
        sync();
      } else {
        env.makeRoomForWrite(leader.batch == null);
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
        env.stopWrites(new StrataException("write failed: " + t
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
      drained.signalAll();
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

  /** Syncs the log for {@link #syncLog()}: the mutex is released meanwhile. Mutex held. */
  private void sync() {
    env.checkWritable();
    CommitEnv.CommitTarget target = env.target();
    mutex.unlock();
    try {
      target.sync();
    } catch (IOException e) {
      StrataException failure = new StrataException("syncing the write-ahead log failed: "
          + e.getMessage() + "; this Db accepts no more writes until it is reopened", e);
      env.stopWrites(failure);
      throw failure;
    } finally {
      mutex.lock();
    }
  }

  /** The leader and the writers behind it that may share its log record. Mutex held. */
  private List<Writer> buildGroup(Writer leader) {
    if (writers.size() == 1) {
      return List.of(leader);
    }
    List<Writer> group = new ArrayList<>();
    long size = leader.batch.bodySize();
    long max = Math.min(size <= 128 << 10 ? size + (128 << 10) : MAX_GROUP_BYTES,
        maxRecordBytes - WriteBatch.HEADER); // a group is one log record
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
    long first = env.lastSequence() + 1;
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
      sink.advance(WriteBatch.HEADER); // written below
      for (Writer w : group) {
        sink.put(w.batch.array(), WriteBatch.HEADER, w.batch.bodySize());
      }
      record = sink.array();
      recordLength = sink.size();
    }
    writeHeader(record, first, count);
    CommitEnv.CommitTarget target = env.target();
    mutex.unlock();
    try {
      try {
        target.append(record, recordLength, sync);
      } catch (IOException e) {
        StrataException failure = new StrataException("write failed: " + e.getMessage()
            + "; the write-ahead log may be damaged, so this Db accepts no more writes until it"
            + " is reopened", e);
        env.stopWrites(failure);
        throw failure;
      }
      ByteSource in = new ByteSource(record, WriteBatch.HEADER, recordLength - WriteBatch.HEADER,
          null, 0, "batch");
      target.apply(in, count, first);
      env.countUserBytes(bytes - WriteBatch.HEADER);
    } catch (RuntimeException | Error e) {
      // the log may hold the group and the memtable part of it, under sequence numbers the next
      // group would use again: no more writes (an I/O failure was recorded above already)
      env.stopWrites(new StrataException("write failed: " + e
          + "; this Db accepts no more writes until it is reopened", e));
      throw e;
    } finally {
      mutex.lock();
    }
    env.publishSequence(first + count - 1);
  }

  /** The log record header: the first sequence number (8 bytes LE), the count (4 bytes LE). */
  private static void writeHeader(byte[] record, long sequence, int count) {
    for (int i = 0; i < 8; i++) {
      record[i] = (byte) (sequence >>> (8 * i));
    }
    for (int i = 0; i < 4; i++) {
      record[8 + i] = (byte) (count >>> (8 * i));
    }
  }
}

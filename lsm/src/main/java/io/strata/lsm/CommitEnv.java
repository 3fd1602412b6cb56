package io.strata.lsm;

import io.strata.StrataException;
import io.strata.lsm.internal.ByteSource;
import java.io.IOException;

/**
 * What the {@link CommitPipeline} needs of the store, and all it sees of it (after Pebble's {@code
 * commitEnv}): room in the memtable, the log and memtable a group goes to, the sequence counter,
 * and a way to stop writes. {@link Db} implements it over its write-ahead log and memtables; tests
 * implement it in memory, so the pipeline's tests need no files.
 *
 * <p>Thread-safety: the methods marked "mutex held" are called with the pipeline's mutex (the
 * {@code Db}'s) held by the calling writer; the others without it, from any writer thread.
 */
interface CommitEnv {

  /**
   * Mutex held. Makes room for a write, applying back-pressure (it may release the mutex while it
   * waits); with {@code force}, switches a non-empty memtable (a flush request). Throws when
   * writes are refused: stopped after a failure, or the store closing.
   */
  void makeRoomForWrite(boolean force);

  /** Mutex held. Throws when writes are refused, as {@link #makeRoomForWrite} would. */
  void checkWritable();

  /** Mutex held. Where the next group goes: the current log and memtable. */
  CommitTarget target();

  /**
   * Any thread. Records a failure after which the store takes no more writes (the first one
   * recorded wins) and wakes whoever waits for background work.
   */
  void stopWrites(StrataException failure);

  /** The last sequence number a group used (read without the mutex). */
  long lastSequence();

  /** Mutex held. Publishes {@code last} as the last sequence number used, once its group is in. */
  void publishSequence(long last);

  /** Counts the user bytes of a group written (for statistics). */
  void countUserBytes(long bytes);

  /** The log and memtable one group goes to, captured while the mutex was held. */
  interface CommitTarget {
    /** Appends one log record; synced (fsync) before it returns when {@code sync}. */
    void append(byte[] record, int length, boolean sync) throws IOException;

    /** Inserts a group's {@code count} operations, numbered from {@code first}. */
    void apply(ByteSource operations, int count, long first);

    /** Makes every record appended so far durable. */
    void sync() throws IOException;
  }
}

package io.strata.lsm;

/**
 * The back-pressure rules of the write path (after LevelDB's {@code MakeRoomForWrite}; see {@code
 * lsm/COMPACTION.md}): what the writer at the head of the queue does next, given level 0 and the
 * memtables. A write is delayed once (by a millisecond) when level 0 holds {@code
 * level0SlowdownTrigger} tables; a full memtable (or, for a flush request, a non-empty one) is
 * switched for a new one, unless the previous one is still being flushed or level 0 holds {@code
 * level0StopTrigger} tables, in which case the writer waits for background work.
 *
 * <p>Thread-safety: immutable; {@link #next} is a pure function.
 */
final class WriteStall {
  /** What the leader does next. */
  enum Action {
    /** Sleep a millisecond without the mutex, then ask again (at most once per write). */
    DELAY,
    /** Go ahead: the memtable has room (or a flush request finds nothing to flush). */
    PROCEED,
    /** Wait until background work (a flush or a compaction) finishes, then ask again. */
    WAIT,
    /** Freeze the memtable, start a new one and a new log segment, schedule the flush. */
    SWITCH
  }

  private final int slowdownTrigger;
  private final int stopTrigger;
  private final long writeBufferSize;

  WriteStall(int slowdownTrigger, int stopTrigger, long writeBufferSize) {
    this.slowdownTrigger = slowdownTrigger;
    this.stopTrigger = stopTrigger;
    this.writeBufferSize = writeBufferSize;
  }

  static WriteStall of(Options o) {
    return new WriteStall(o.level0SlowdownTrigger(), o.level0StopTrigger(), o.writeBufferSize());
  }

  /**
   * @param force a flush request: switch a non-empty memtable even though it has room
   * @param delayed this write was delayed once already
   * @param level0Tables tables in level 0 now
   * @param memBytes the memtable's size
   * @param memEmpty the memtable holds nothing
   * @param flushPending a frozen memtable is still waiting for (or in) its flush
   */
  Action next(boolean force, boolean delayed, int level0Tables, long memBytes, boolean memEmpty,
      boolean flushPending) {
    if (!force && !delayed && level0Tables >= slowdownTrigger) {
      // a short delay per write, spread over many writes, instead of one long stop later
      return Action.DELAY;
    }
    if (!force && memBytes < writeBufferSize) {
      return Action.PROCEED;
    }
    if (force && memEmpty) {
      return Action.PROCEED;
    }
    if (flushPending || level0Tables >= stopTrigger) {
      return Action.WAIT;
    }
    return Action.SWITCH;
  }
}

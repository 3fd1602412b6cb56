package io.strata.lsm;

import io.strata.lsm.internal.compaction.CompactionPicker;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.version.VersionEdit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The running totals behind {@link Db#stats()}: bytes written by users, flushes and compactions
 * (per level), compactions and trivial moves, time writers were stalled. Assembles a {@link
 * DbStats} from them and a read view.
 *
 * <p>Thread-safety: lock-free; every counter may be updated from any thread at once (adders), and
 * a {@link #stats} taken meanwhile sees each counter at some moment during the call.
 */
final class EngineCounters {
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

  /** A group of user writes of {@code bytes} went in. */
  void userWrite(long bytes) {
    userBytes.add(bytes);
  }

  /** A writer waited {@code nanos} for room (slowdown or stop). */
  void stalled(long nanos) {
    stallNanos.add(nanos);
    longestStallNanos.accumulate(nanos);
  }

  /** A flush wrote a level-0 table of {@code bytes}. */
  void flushed(long bytes) {
    flushBytes.add(bytes);
    levelBytesWritten[0].add(bytes);
  }

  /** A compaction into {@code outputLevel} read and wrote these bytes (none for a move). */
  void compacted(int outputLevel, boolean trivialMove, long read, long written) {
    compactions.increment();
    if (trivialMove) {
      trivialMoves.increment();
    }
    compactionBytes.add(written);
    levelBytesRead[outputLevel].add(read);
    levelBytesWritten[outputLevel].add(written);
  }

  /**
   * The figures of {@code v} (levels, scores against {@code picker}'s targets with the tables in
   * {@code busy} being compacted) with the totals so far.
   */
  DbStats stats(ReadView v, CompactionPicker picker, Set<Long> busy, long walBytes,
      BlockCache cache) {
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
        walBytes, flushBytes.sum(), compactionBytes.sum(), compactions.sum(),
        trivialMoves.sum(), cache.hits(), cache.misses(), stallNanos.sum(),
        longestStallNanos.get());
  }
}

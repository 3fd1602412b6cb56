package io.strata.lsm;

import io.strata.lsm.internal.Bytes;
import java.util.List;
import java.util.Locale;

/**
 * A snapshot of a {@link Db}'s figures, from {@link Db#stats()}. Immutable.
 *
 * @param memtableBytes bytes held by the mutable and the flushing memtable
 * @param levels per level, L0 to L6: tables, bytes, score, target and compaction traffic
 * @param baseLevel the level level-0 tables are compacted into (see {@code lsm/COMPACTION.md})
 * @param userBytesWritten bytes of keys and values passed to writes
 * @param walBytesWritten bytes appended to the write-ahead log (framing included)
 * @param flushBytesWritten bytes of tables written by flushes
 * @param compactionBytesWritten bytes of tables written by compactions
 * @param compactions compactions completed, background and manual, trivial moves included
 * @param trivialMoves compactions that moved a table down a level without rewriting it
 * @param blockCacheHits block reads answered by the cache
 * @param blockCacheMisses block reads that went to disk
 * @param stallNanos total time writers were delayed or stopped by back-pressure (a full memtable
 *     whose predecessor is still flushing, or too many level-0 tables)
 * @param longestStallNanos the longest time one write was delayed or stopped
 */
public record DbStats(
    long memtableBytes,
    List<LevelStats> levels,
    int baseLevel,
    long userBytesWritten,
    long walBytesWritten,
    long flushBytesWritten,
    long compactionBytesWritten,
    long compactions,
    long trivialMoves,
    long blockCacheHits,
    long blockCacheMisses,
    long stallNanos,
    long longestStallNanos) {

  /**
   * One level.
   *
   * @param score what the compaction picker ranks levels by; at 1 or above the level is due for
   *     compaction (level 0: tables / level0CompactionTrigger; levels 1 to 5: bytes / target; the
   *     last level: 0)
   * @param targetBytes the size the level may reach before it is compacted (0 for level 0)
   * @param bytesRead bytes compactions into this level read (from this level and the one above)
   * @param bytesWritten bytes of tables written into this level (level 0: by flushes; other
   *     levels: by compactions; a trivial move writes nothing)
   */
  public record LevelStats(int level, int tables, long bytes, double score, long targetBytes,
      long bytesRead, long bytesWritten) {}

  /** Total tables in all levels. */
  public int tables() {
    return levels.stream().mapToInt(LevelStats::tables).sum();
  }

  /** Bytes of all table files. */
  public long tableBytes() {
    return levels.stream().mapToLong(LevelStats::bytes).sum();
  }

  /**
   * Write amplification: bytes written to tables by flushes and compactions per byte of user
   * data written (the write-ahead log not included); 0 before any write.
   */
  public double writeAmplification() {
    return userBytesWritten == 0 ? 0
        : (double) (flushBytesWritten + compactionBytesWritten) / userBytesWritten;
  }

  /**
   * Space amplification, estimated: bytes of all tables divided by the bytes of the deepest
   * non-empty level, taken as the live data. Leveled compaction keeps the deepest level holding
   * nearly all live data, so the estimate is close when the levels above hold mostly newer
   * versions of its keys, and too high when they hold many new keys; 0 when there are no tables.
   */
  public double spaceAmplification() {
    for (int i = levels.size() - 1; i >= 0; i--) {
      if (levels.get(i).bytes() > 0) {
        return (double) tableBytes() / levels.get(i).bytes();
      }
    }
    return 0;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "memtable %,d B; written: user %,d B, WAL %,d B, flush %,d B,"
        + " compaction %,d B (write amplification %.2f); %d compactions (%d moves); space"
        + " amplification %.2f; block cache %,d hits / %,d misses; stalled %.3f s (longest"
        + " %.3f s); base level L%d%n",
        memtableBytes, userBytesWritten, walBytesWritten, flushBytesWritten,
        compactionBytesWritten, writeAmplification(), compactions, trivialMoves,
        spaceAmplification(), blockCacheHits, blockCacheMisses, stallNanos / 1e9,
        longestStallNanos / 1e9, baseLevel));
    for (LevelStats l : levels) {
      if (l.tables() > 0 || l.bytesWritten() > 0) {
        s.append(String.format(Locale.ROOT, "  L%d: %d tables, %,d B, score %.2f, target %,d B;"
            + " compaction read %,d B, wrote %,d B%n", l.level(), l.tables(), l.bytes(),
            l.score(), l.targetBytes(), l.bytesRead(), l.bytesWritten()));
      }
    }
    return s.toString();
  }
}

package io.strata.lsm;

import java.util.List;
import java.util.Locale;

/**
 * A snapshot of a {@link Db}'s figures, from {@link Db#stats()}. Immutable.
 *
 * @param memtableBytes bytes held by the mutable and the flushing memtable
 * @param levels tables and bytes per level, L0 to L6
 * @param userBytesWritten bytes of keys and values passed to writes
 * @param walBytesWritten bytes appended to the write-ahead log (framing included)
 * @param flushBytesWritten bytes of tables written by flushes
 * @param compactionBytesWritten bytes of tables written by compactions
 * @param blockCacheHits block reads answered by the cache
 * @param blockCacheMisses block reads that went to disk
 * @param stallNanos total time writers waited for flushes or compactions
 */
public record DbStats(
    long memtableBytes,
    List<LevelStats> levels,
    long userBytesWritten,
    long walBytesWritten,
    long flushBytesWritten,
    long compactionBytesWritten,
    long blockCacheHits,
    long blockCacheMisses,
    long stallNanos) {

  /** One level: its number, how many tables it holds, and their total size. */
  public record LevelStats(int level, int tables, long bytes) {}

  /** Total tables in all levels. */
  public int tables() {
    return levels.stream().mapToInt(LevelStats::tables).sum();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "memtable %,d B; written: user %,d B, WAL %,d B, flush %,d B,"
        + " compaction %,d B; block cache %,d hits / %,d misses; stalled %.3f s%n",
        memtableBytes, userBytesWritten, walBytesWritten, flushBytesWritten,
        compactionBytesWritten, blockCacheHits, blockCacheMisses, stallNanos / 1e9));
    for (LevelStats l : levels) {
      if (l.tables() > 0) {
        s.append(String.format(Locale.ROOT, "  L%d: %d tables, %,d B%n", l.level(), l.tables(),
            l.bytes()));
      }
    }
    return s.toString();
  }
}

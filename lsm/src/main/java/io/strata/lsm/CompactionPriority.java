package io.strata.lsm;

/** Which table of an oversized level (level 1 and below) a compaction takes first. */
public enum CompactionPriority {
  /**
   * Round robin by key: the first table after the one compacted last in that level (the level's
   * compaction pointer, kept in the manifest), wrapping around. Every key range gets its turn.
   */
  ROUND_ROBIN,
  /**
   * The table whose overlapping bytes in the next level are the smallest multiple of its own
   * size: the cheapest bytes to move down, which lowers write amplification under random writes.
   */
  MIN_OVERLAPPING_RATIO
}

package io.strata.lsm.metamorphic;

import io.strata.fs.FileSystem;
import io.strata.lsm.CompactionPriority;
import io.strata.lsm.Compression;
import io.strata.lsm.EventListener;
import io.strata.lsm.Options;
import java.util.ArrayList;
import java.util.List;

/**
 * One configuration of a metamorphic run. None of these settings may change an answer; each
 * changes which code runs (filters consulted or not, blocks compressed or not or only in some levels, many small blocks
 * or few large ones, flushes and compactions on one shared thread or on their own, which table a
 * compaction picks, the real disk or the in-memory one).
 */
record Config(boolean bloom, boolean lz4, int blockSize, int backgroundThreads,
    CompactionPriority priority, boolean realFileSystem) {

  /**
   * An orthogonal array L8(2^6): eight configurations in which every setting takes both values
   * four times and every pair of settings meets in all four combinations.
   */
  private static final int[][] L8 = {
      {0, 0, 0, 0, 0, 0},
      {0, 0, 0, 1, 1, 1},
      {0, 1, 1, 0, 0, 1},
      {0, 1, 1, 1, 1, 0},
      {1, 0, 1, 0, 1, 0},
      {1, 0, 1, 1, 0, 1},
      {1, 1, 0, 0, 1, 1},
      {1, 1, 0, 1, 0, 0},
  };

  private static Config of(int[] v) {
    return new Config(v[0] == 1, v[1] == 1, v[2] == 0 ? 256 : 4096, v[3] == 0 ? 1 : 3,
        v[4] == 0 ? CompactionPriority.ROUND_ROBIN : CompactionPriority.MIN_OVERLAPPING_RATIO,
        v[5] == 1);
  }

  /** The eight configurations of {@link #L8}. */
  static List<Config> pairwise() {
    List<Config> out = new ArrayList<>();
    for (int[] row : L8) {
      out.add(of(row));
    }
    return out;
  }

  /** All 64 combinations. */
  static List<Config> all() {
    List<Config> out = new ArrayList<>();
    for (int bits = 0; bits < 64; bits++) {
      int[] v = new int[6];
      for (int i = 0; i < 6; i++) {
        v[i] = (bits >> i) & 1;
      }
      out.add(of(v));
    }
    return out;
  }

  /**
   * The options of this configuration on {@code fs}: tiny write buffer, tables and levels, so
   * that a few hundred operations flush and compact many times.
   */
  Options options(FileSystem fs, EventListener listener) {
    return Options.builder()
        .writeBufferSize(16 << 10)
        .targetFileSize(16 << 10)
        .maxBytesForLevelBase(32 << 10)
        .levelSizeMultiplier(4)
        .level0CompactionTrigger(2)
        .blockCacheBytes(64 << 10)
        .bloomBitsPerKey(bloom ? 10 : 0)
        .compression(lz4 ? Compression.LZ4 : Compression.NONE)
        // with LZ4: mixed by level, so reads, merges and moves meet raw and compressed tables
        .compressionPerLevel(lz4 ? List.of(Compression.LZ4, Compression.NONE, Compression.LZ4)
            : List.of())
        .blockSize(blockSize)
        .backgroundThreads(backgroundThreads)
        .compactionPriority(priority)
        .fileSystem(fs)
        .listener(listener)
        .build();
  }

  @Override
  public String toString() {
    return "bloom=" + (bloom ? "on" : "off") + " compression=" + (lz4 ? "lz4/none/lz4 by level" : "none")
        + " block=" + blockSize + " threads=" + backgroundThreads + " priority=" + priority
        + " fs=" + (realFileSystem ? "real" : "mem");
  }
}

package io.strata.lsm.internal.compaction;

import io.strata.lsm.CompactionPriority;
import io.strata.lsm.Compression;
import io.strata.lsm.Db;
import io.strata.lsm.internal.table.TableOptions;
import io.strata.lsm.internal.version.VersionEdit;
import java.util.List;

/**
 * What compaction needs to know: the settings of the {@code Db}'s options that pick, size and
 * cut compactions (rules in {@code lsm/COMPACTION.md}).
 *
 * @param targetFileSize size at which an output table is cut
 * @param maxBytesForLevelBase the most the base level may hold
 * @param levelSizeMultiplier each level's target over the one above
 * @param level0CompactionTrigger level-0 tables at which they are compacted
 * @param priority which table of an oversized level goes first
 * @param table how output tables are written (its compression is replaced by the output level's)
 * @param compressionByDepth 7 entries: the compression of level-0 tables, then of the base level
 *     and each level below it in turn ({@code Options.compressionPerLevel})
 */
public record CompactionOptions(long targetFileSize, long maxBytesForLevelBase, int levelSizeMultiplier,
    int level0CompactionTrigger, CompactionPriority priority, TableOptions table,
    List<Compression> compressionByDepth) {

  public CompactionOptions {
    if (compressionByDepth.size() != VersionEdit.LEVELS) {
      throw new IllegalArgumentException("compressionByDepth must have " + VersionEdit.LEVELS
          + " entries, had " + compressionByDepth.size());
    }
    compressionByDepth = List.copyOf(compressionByDepth);
  }

  /**
   * The compression of tables written into {@code level} while {@code baseLevel} is the base
   * level: level 0 is depth 0; a sorted level is depth {@code level - baseLevel + 1}, at least 1
   * (a level above the base level, being drained, counts as the base level).
   */
  public Compression compressionFor(int level, int baseLevel) {
    int depth = level == 0 ? 0 : Math.max(1, level - baseLevel + 1);
    return compressionByDepth.get(depth);
  }

  /** {@link #table()} with the compression of {@code level} under {@code baseLevel}. */
  public TableOptions tableFor(int level, int baseLevel) {
    Compression c = compressionFor(level, baseLevel);
    return c == table.compression() ? table
        : new TableOptions(table.blockSize(), c, table.bloomBitsPerKey(), table.maxBlockBytes());
  }
}

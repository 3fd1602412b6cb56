package io.strata.lsm.internal.compaction;

import io.strata.lsm.CompactionPriority;
import io.strata.lsm.Db;
import io.strata.lsm.internal.table.TableOptions;

/**
 * What compaction needs to know: the settings of the {@code Db}'s options that pick, size and
 * cut compactions (rules in {@code lsm/COMPACTION.md}).
 *
 * @param targetFileSize size at which an output table is cut
 * @param maxBytesForLevelBase the most the base level may hold
 * @param levelSizeMultiplier each level's target over the one above
 * @param level0CompactionTrigger level-0 tables at which they are compacted
 * @param priority which table of an oversized level goes first
 * @param table how output tables are written
 */
public record CompactionOptions(long targetFileSize, long maxBytesForLevelBase, int levelSizeMultiplier,
    int level0CompactionTrigger, CompactionPriority priority, TableOptions table) {}

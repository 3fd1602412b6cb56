package io.strata.lsm;

import io.strata.lsm.internal.compaction.CompactionOptions;
import io.strata.lsm.internal.table.TableFormat;
import io.strata.lsm.internal.table.TableOptions;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.wal.WalOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Test-only settings of a {@link Db}, kept out of the public {@link Options}: a hook called at
 * named points (background work: {@code "compaction-outputs-written"}; reads racing {@link
 * Db#close()}: {@code "read-acquiring-view"}; table opens: {@code "table-opening"}; a {@code
 * multiGet} step handing reads to its helper: {@code "multiget-reads-shared"}), and smaller
 * limits than the real ones so that tests of a limit need no GiB-sized batches or values. Tests
 * in this package pass them to {@code Db.open(dir, options, knobs)}; {@link #NONE} is what every
 * other open uses. Immutable.
 */
final class TestKnobs {
  /** The real limits and a hook that does nothing. */
  static final TestKnobs NONE =
      new TestKnobs(point -> { }, WalOptions.MAX_RECORD_BYTES, TableFormat.MAX_BLOCK_BYTES,
          MultiGet.MIN_SHARED_READS);

  private final Consumer<String> hook;
  private final int walMaxRecordBytes;
  private final int maxBlockBytes;
  private final int multiGetMinSharedReads;

  private TestKnobs(Consumer<String> hook, int walMaxRecordBytes, int maxBlockBytes,
      int multiGetMinSharedReads) {
    this.hook = hook;
    this.walMaxRecordBytes = walMaxRecordBytes;
    this.maxBlockBytes = maxBlockBytes;
    this.multiGetMinSharedReads = multiGetMinSharedReads;
  }

  /** These knobs with {@code hook} called at the named points. */
  TestKnobs hook(Consumer<String> hook) {
    return new TestKnobs(Objects.requireNonNull(hook, "hook"), walMaxRecordBytes, maxBlockBytes,
        multiGetMinSharedReads);
  }

  /** These knobs with a smaller write-ahead log record limit (so a smaller batch limit). */
  TestKnobs walMaxRecordBytes(long bytes) {
    check(bytes >= 1024 && bytes <= WalOptions.MAX_RECORD_BYTES, "walMaxRecordBytes", bytes,
        "1 KiB.." + WalOptions.MAX_RECORD_BYTES + " B");
    return new TestKnobs(hook, (int) bytes, maxBlockBytes, multiGetMinSharedReads);
  }

  /**
   * These knobs with a smaller block limit than {@link TableFormat#MAX_BLOCK_BYTES}, for writers
   * and readers alike; keys and values are then limited to what fits ({@link #maxKeyBytes()}).
   */
  TestKnobs maxBlockBytes(int bytes) {
    check(bytes >= TableFormat.MIN_BLOCK_LIMIT && bytes <= TableFormat.MAX_BLOCK_BYTES,
        "maxBlockBytes", bytes, TableFormat.MIN_BLOCK_LIMIT + ".." + TableFormat.MAX_BLOCK_BYTES);
    return new TestKnobs(hook, walMaxRecordBytes, bytes, multiGetMinSharedReads);
  }

  /**
   * These knobs with {@code multiGet} sharing a step's block reads with the helper thread from
   * {@code reads} cache misses on (the real threshold is {@link MultiGet#MIN_SHARED_READS}), so
   * small test stores take the shared path; {@link Integer#MAX_VALUE} never shares.
   */
  TestKnobs multiGetMinSharedReads(int reads) {
    check(reads >= 1, "multiGetMinSharedReads", reads, "at least 1");
    return new TestKnobs(hook, walMaxRecordBytes, maxBlockBytes, reads);
  }

  /** From how many cache misses in one step {@code multiGet} shares the reads. */
  int multiGetMinSharedReads() {
    return multiGetMinSharedReads;
  }

  Consumer<String> hook() {
    return hook;
  }

  /** The largest write-ahead log record, so the largest batch (encoded, with its header). */
  int walMaxRecordBytes() {
    return walMaxRecordBytes;
  }

  /** The largest block table files may hold. */
  int maxBlockBytes() {
    return maxBlockBytes;
  }

  /** The longest key the tables take (below {@link Db#MAX_KEY_BYTES} only in tests). */
  int maxKeyBytes() {
    return TableFormat.maxKeyBytes(maxBlockBytes);
  }

  /** The longest value the tables take (below {@link Db#MAX_VALUE_BYTES} only in tests). */
  int maxValueBytes() {
    return TableFormat.maxValueBytes(maxBlockBytes);
  }

  /** How {@code o}'s tables are written, within these knobs' block limit. */
  TableOptions tableOptions(Options o) {
    return new TableOptions(o.blockSize(), o.compressionAtDepth(0), o.bloomBitsPerKey(),
        maxBlockBytes);
  }

  /** How {@code o}'s compactions run, within these knobs' block limit. */
  CompactionOptions compactionOptions(Options o) {
    return new CompactionOptions(o.targetFileSize(), o.maxBytesForLevelBase(),
        o.levelSizeMultiplier(), o.level0CompactionTrigger(), o.compactionPriority(),
        tableOptions(o), compressionByDepth(o));
  }

  /** {@code o}'s compression at each depth 0..6 (level 0, then from the base level down). */
  private static List<Compression> compressionByDepth(Options o) {
    List<Compression> byDepth = new ArrayList<>(VersionEdit.LEVELS);
    for (int depth = 0; depth < VersionEdit.LEVELS; depth++) {
      byDepth.add(o.compressionAtDepth(depth));
    }
    return List.copyOf(byDepth);
  }

  private static void check(boolean ok, String name, long value, String range) {
    if (!ok) {
      throw new IllegalArgumentException(name + " must be " + range + ", was " + value);
    }
  }
}

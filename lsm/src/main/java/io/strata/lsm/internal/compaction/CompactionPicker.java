package io.strata.lsm.internal.compaction;

import io.strata.lsm.CompactionPriority;
import io.strata.lsm.Db;
import io.strata.lsm.internal.Bytes;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Chooses the next compaction: computes each level's target size (dynamic level sizing, from the
 * last level up), scores the levels, and turns the highest-scoring level at or above 1 into a
 * {@link CompactionJob} whose tables no running compaction uses. The rules are written down in
 * {@code lsm/COMPACTION.md}.
 *
 * <p>Stateless apart from the options; the caller passes the version, the compaction pointers and
 * what is running, and serializes calls (the {@link Db} calls it under its mutex).
 */
public final class CompactionPicker {
  public static final int LAST_LEVEL = VersionEdit.LEVELS - 1;

  private final CompactionOptions options;

  public CompactionPicker(CompactionOptions options) {
    this.options = options;
  }

  /**
   * Target sizes: the last level's target is its own size (at least {@code maxBytesForLevelBase});
   * each level above gets the target below divided by the multiplier, up to the first whose
   * target fits in {@code maxBytesForLevelBase}: that is the base level, which level 0 compacts
   * into. Levels above the base level should be empty.
   *
   * @param bytes per level, levels 0 to 6 (level 0 ignored)
   */
  public record Targets(int baseLevel, long[] bytes) {}

  public Targets targets(Version v) {
    long[] target = new long[VersionEdit.LEVELS];
    int base = LAST_LEVEL;
    target[LAST_LEVEL] = Math.max(v.bytes(LAST_LEVEL), options.maxBytesForLevelBase());
    while (base > 1 && target[base] > options.maxBytesForLevelBase()) {
      target[base - 1] = Math.max(1, target[base] / options.levelSizeMultiplier());
      base--;
    }
    for (int level = base - 1; level >= 1; level--) {
      target[level] = Math.max(1, target[level + 1] / options.levelSizeMultiplier());
    }
    return new Targets(base, target);
  }

  /**
   * Scores per level, leaving out tables a running compaction uses. Level 0: tables / {@code
   * level0CompactionTrigger}. Levels 1 to 5: bytes / target, and at least 1 for a non-empty level
   * above the base level (it is drained). The last level is never compacted by score: 0.
   */
  public double[] scores(Version v, Targets t, Set<Long> busy) {
    double[] score = new double[VersionEdit.LEVELS];
    int level0 = 0;
    for (FileMetadata f : v.files(0)) {
      if (!busy.contains(f.number())) {
        level0++;
      }
    }
    score[0] = (double) level0 / options.level0CompactionTrigger();
    for (int level = 1; level < LAST_LEVEL; level++) {
      long bytes = 0;
      for (FileMetadata f : v.files(level)) {
        if (!busy.contains(f.number())) {
          bytes += f.fileSize();
        }
      }
      score[level] = (double) bytes / t.bytes()[level];
      if (level < t.baseLevel() && bytes > 0) {
        score[level] = Math.max(score[level], 1.0);
      }
    }
    return score;
  }

  /**
   * The next compaction, or null when no level needs one or every candidate meets a running
   * compaction.
   *
   * @param pointers per level, the largest key of the table compacted last (or null)
   * @param busy tables used by running compactions
   * @param running the running compactions
   */
  public CompactionJob pick(Version v, byte[][] pointers, Set<Long> busy,
      Collection<CompactionJob> running) {
    Targets t = targets(v);
    double[] score = scores(v, t, busy);
    Integer[] order = new Integer[LAST_LEVEL];
    for (int i = 0; i < LAST_LEVEL; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
    for (int level : order) {
      if (score[level] < 1) {
        break;
      }
      CompactionJob job = level == 0
          ? pickLevel0(v, t, busy, running)
          : pickLevel(v, level, t, pointers[level], busy, running);
      if (job != null) {
        return job;
      }
    }
    return null;
  }

  /** All level-0 tables into the base level, or into a higher level that overlaps them. */
  private CompactionJob pickLevel0(Version v, Targets t, Set<Long> busy,
      Collection<CompactionJob> running) {
    List<FileMetadata> level0 = v.files(0);
    if (level0.isEmpty()) {
      return null;
    }
    for (FileMetadata f : level0) {
      if (busy.contains(f.number())) {
        return null; // one level-0 compaction at a time: it takes every level-0 table
      }
    }
    byte[][] range = range(level0, null);
    // Newer data must never go below older data: when a level above the base level holds some
    // of these keys, compact into that level instead.
    int output = t.baseLevel();
    for (int level = 1; level < t.baseLevel(); level++) {
      if (!overlapping(v.files(level), range[0], range[1]).isEmpty()) {
        output = level;
        break;
      }
    }
    List<Compaction.Input> inputs = new ArrayList<>();
    for (FileMetadata f : level0) {
      inputs.add(new Compaction.Input(0, f));
    }
    return withOutputLevel(v, t, CompactionJob.Reason.LEVEL0, 0, output, inputs, range, null,
        busy, running);
  }

  /**
   * One table of {@code level} whose overlapping tables in the next level are all free: with
   * {@link CompactionPriority#ROUND_ROBIN} the first after the level's compaction pointer, with
   * {@link CompactionPriority#MIN_OVERLAPPING_RATIO} the one with the least overlap per byte.
   */
  private CompactionJob pickLevel(Version v, int level, Targets t, byte[] pointer,
      Set<Long> busy, Collection<CompactionJob> running) {
    List<FileMetadata> files = v.files(level);
    List<FileMetadata> order = new ArrayList<>(files.size());
    if (options.priority() == CompactionPriority.MIN_OVERLAPPING_RATIO) {
      List<FileMetadata> next = v.files(level + 1);
      double[] ratio = new double[files.size()];
      Integer[] index = new Integer[files.size()];
      for (int i = 0; i < files.size(); i++) {
        FileMetadata f = files.get(i);
        ratio[i] = (double) bytes(overlapping(next, f.smallestUserKey(), f.largestUserKey()))
            / Math.max(1, f.fileSize());
        index[i] = i;
      }
      Arrays.sort(index, (a, b) -> Double.compare(ratio[a], ratio[b]));
      for (int i : index) {
        order.add(files.get(i));
      }
    } else {
      int start = 0;
      if (pointer != null) {
        while (start < files.size()
            && InternalKeys.compare(files.get(start).largest(), pointer) <= 0) {
          start++;
        }
      }
      for (int k = 0; k < files.size(); k++) {
        order.add(files.get((start + k) % files.size()));
      }
    }
    CompactionJob.Reason reason = level < t.baseLevel()
        ? CompactionJob.Reason.DRAIN : CompactionJob.Reason.SIZE;
    for (FileMetadata f : order) {
      if (busy.contains(f.number())) {
        continue;
      }
      List<Compaction.Input> inputs = new ArrayList<>();
      inputs.add(new Compaction.Input(level, f));
      CompactionJob job = withOutputLevel(v, t, reason, level, level + 1, inputs,
          range(List.of(f), null), f.largest(), busy, running);
      if (job != null) {
        return job;
      }
    }
    return null;
  }

  /**
   * Adds the output level's overlapping tables and the grandparents; null when a table is busy
   * or a running compaction writes overlapping keys into the same level.
   */
  private CompactionJob withOutputLevel(Version v, Targets t, CompactionJob.Reason reason,
      int level, int output, List<Compaction.Input> inputs, byte[][] range, byte[] pointer,
      Set<Long> busy, Collection<CompactionJob> running) {
    List<FileMetadata> below = overlapping(v.files(output), range[0], range[1]);
    for (FileMetadata f : below) {
      if (busy.contains(f.number())) {
        return null;
      }
      inputs.add(new Compaction.Input(output, f));
    }
    range = range(below, range);
    for (CompactionJob r : running) {
      if (r.outputLevel == output && r.overlaps(range[0], range[1])) {
        return null;
      }
    }
    List<FileMetadata> grandparents = output < LAST_LEVEL
        ? overlapping(v.files(output + 1), range[0], range[1]) : List.of();
    // a move keeps the table's blocks as they are: only when both levels compress alike
    boolean move = inputs.size() == 1 && bytes(grandparents) <= maxGrandparentOverlap()
        && options.compressionFor(level, t.baseLevel())
            == options.compressionFor(output, t.baseLevel());
    return new CompactionJob(reason, level, output, inputs, grandparents, pointer, move, v);
  }

  /** Bytes of grandparent overlap at which a compaction output is cut: 10 target tables. */
  public long maxGrandparentOverlap() {
    return 10 * options.targetFileSize();
  }

  /** Tables of a level whose user-key range meets {@code [lo, hi]} (null: unbounded). */
  static List<FileMetadata> overlapping(List<FileMetadata> files, byte[] lo, byte[] hi) {
    List<FileMetadata> out = new ArrayList<>();
    for (FileMetadata f : files) {
      boolean after = hi != null && InternalKeys.compareUserKey(f.smallest(), hi) > 0;
      boolean before = lo != null && InternalKeys.compareUserKey(f.largest(), lo) < 0;
      if (!after && !before) {
        out.add(f);
      }
    }
    return out;
  }

  /** The user-key range of {@code files}, widened by {@code [lo, hi]} when given. */
  private static byte[][] range(List<FileMetadata> files, byte[][] with) {
    byte[] lo = with == null ? null : with[0];
    byte[] hi = with == null ? null : with[1];
    for (FileMetadata f : files) {
      byte[] s = f.smallestUserKey();
      byte[] l = f.largestUserKey();
      if (lo == null || Arrays.compareUnsigned(s, lo) < 0) {
        lo = s;
      }
      if (hi == null || Arrays.compareUnsigned(l, hi) > 0) {
        hi = l;
      }
    }
    return new byte[][] {lo, hi};
  }

  private static long bytes(List<FileMetadata> files) {
    long total = 0;
    for (FileMetadata f : files) {
      total += f.fileSize();
    }
    return total;
  }
}

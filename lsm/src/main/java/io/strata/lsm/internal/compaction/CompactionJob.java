package io.strata.lsm.internal.compaction;

import io.strata.lsm.Db;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.Version;
import java.util.Arrays;
import java.util.List;

/**
 * A compaction chosen to run: its input tables, the level its outputs go to, the tables of the
 * level after that (the grandparents, which outputs are cut against), and whether it is a trivial
 * move (one table moved down a level by a manifest edit alone). Made by {@link CompactionPicker}
 * or by a manual compaction; run by {@link Compaction}.
 *
 * <p>Immutable. The version it was picked from must stay referenced while it runs: its input
 * tables and the levels below the output (see {@link KeysBelow}) are read from it.
 */
public final class CompactionJob {
  /** Why the job was picked. */
  public enum Reason {
    /** Level 0 reached its table-count trigger. */
    LEVEL0,
    /** A level exceeded its target size. */
    SIZE,
    /** A level above the base level holds tables; they move down towards it. */
    DRAIN,
    /** {@link Db#compactRange}. */
    MANUAL
  }

  public final Reason reason;
  /** The level the job starts from (its first inputs); 0 for level-0 and manual jobs. */
  public final int level;
  public final int outputLevel;
  /** Level-0 tables newest first, then deeper levels in order. */
  public final List<Compaction.Input> inputs;
  final List<FileMetadata> grandparents;
  /** User-key range of all inputs. */
  final byte[] smallestUserKey;
  final byte[] largestUserKey;
  /** The new compaction pointer of {@link #level}, or null to leave it. */
  public final byte[] compactPointer;
  public final boolean trivialMove;
  public final Version version;

  public CompactionJob(Reason reason, int level, int outputLevel, List<Compaction.Input> inputs,
      List<FileMetadata> grandparents, byte[] compactPointer, boolean trivialMove,
      Version version) {
    this.reason = reason;
    this.level = level;
    this.outputLevel = outputLevel;
    this.inputs = List.copyOf(inputs);
    this.grandparents = List.copyOf(grandparents);
    this.compactPointer = compactPointer;
    this.trivialMove = trivialMove;
    this.version = version;
    byte[] lo = null;
    byte[] hi = null;
    for (Compaction.Input in : inputs) {
      byte[] s = in.file().smallestUserKey();
      byte[] l = in.file().largestUserKey();
      if (lo == null || Arrays.compareUnsigned(s, lo) < 0) {
        lo = s;
      }
      if (hi == null || Arrays.compareUnsigned(l, hi) > 0) {
        hi = l;
      }
    }
    this.smallestUserKey = lo;
    this.largestUserKey = hi;
  }

  long inputBytes() {
    long total = 0;
    for (Compaction.Input in : inputs) {
      total += in.file().fileSize();
    }
    return total;
  }

  /** Whether this job's user-key range meets {@code [lo, hi]}. */
  boolean overlaps(byte[] lo, byte[] hi) {
    return Arrays.compareUnsigned(smallestUserKey, hi) <= 0 && Arrays.compareUnsigned(largestUserKey, lo) >= 0;
  }

  /** A predicate over ascending user keys: is the output level the lowest holding the key? */
  public KeysBelow keysBelow() {
    return new KeysBelow(version, outputLevel);
  }

  @Override
  public String toString() {
    return reason + " L" + level + "->L" + outputLevel + (trivialMove ? " (move)" : "") + " "
        + inputs.stream().map(i -> "L" + i.level() + "#" + i.file().number()).toList();
  }
}

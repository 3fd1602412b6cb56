package io.strata.lsm;

import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.compaction.Compaction;
import io.strata.lsm.internal.compaction.CompactionJob;
import io.strata.lsm.internal.compaction.CompactionPicker;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The picking rules of {@code lsm/COMPACTION.md} on hand-made versions. */
class CompactionPickerTest {
  private static final long MIB = 1 << 20;
  private final Options options = Options.defaults(); // base 256 MiB, multiplier 10, trigger 4
  private final CompactionPicker picker = new CompactionPicker(options.compactionOptions());
  private long nextNumber = 1;

  private FileMetadata table(String from, String to, long bytes) {
    long n = nextNumber++;
    return new FileMetadata(n, bytes, InternalKeys.encode(from.getBytes(UTF_8), n, (byte) 1),
        InternalKeys.encode(to.getBytes(UTF_8), n, (byte) 1), n, n, 1);
  }

  private static Version version(List<List<FileMetadata>> levels) {
    List<List<FileMetadata>> all = new ArrayList<>(levels);
    while (all.size() < VersionEdit.LEVELS) {
      all.add(List.of());
    }
    return new Version(all, v -> { });
  }

  private static List<List<FileMetadata>> levels() {
    List<List<FileMetadata>> l = new ArrayList<>();
    for (int i = 0; i < VersionEdit.LEVELS; i++) {
      l.add(new ArrayList<>());
    }
    return l;
  }

  private CompactionJob pick(Version v) {
    return picker.pick(v, new byte[VersionEdit.LEVELS][], Set.of(), List.of());
  }

  @Test
  void smallStoresCompactLevelZeroStraightIntoTheLastLevel() {
    List<List<FileMetadata>> l = levels();
    l.get(6).add(table("a", "z", 100 * MIB));
    CompactionPicker.Targets t = picker.targets(version(l));
    assertEquals(6, t.baseLevel(), "below maxBytesForLevelBase the last level is the base");
  }

  @Test
  void levelTargetsGrowDownwardsFromTheLastLevel() {
    List<List<FileMetadata>> l = levels();
    l.get(6).add(table("a", "z", 30_000 * MIB));
    CompactionPicker.Targets t = picker.targets(version(l));
    // 30,000 MiB -> L5 3,000 -> L4 300 -> L3 30: the first target within 256 MiB is the base
    assertEquals(3, t.baseLevel());
    assertEquals(30_000 * MIB, t.bytes()[6]);
    assertEquals(3_000 * MIB, t.bytes()[5]);
    assertEquals(300 * MIB, t.bytes()[4]);
    assertEquals(30 * MIB, t.bytes()[3]);
    // space amplification if every level is full: (30 + 300 + 3000 + 30000) / 30000 = 1.111
    double full = (30.0 + 300 + 3000 + 30000) / 30000;
    assertTrue(full < 1.12, "levels at target leave space amplification near 1.1: " + full);
  }

  @Test
  void levelZeroScoresByTableCountAndTakesEveryTableAndTheOverlapBelow() {
    List<List<FileMetadata>> l = levels();
    for (int i = 0; i < 4; i++) {
      l.get(0).add(table("c", "m", MIB));
    }
    FileMetadata inRange = table("k", "p", 10 * MIB);
    FileMetadata outOfRange = table("q", "t", 10 * MIB);
    l.get(6).add(inRange);
    l.get(6).add(outOfRange);
    Version v = version(l);
    assertEquals(1.0, picker.scores(v, picker.targets(v), Set.of())[0]);
    CompactionJob job = pick(v);
    assertEquals(CompactionJob.Reason.LEVEL0, job.reason);
    assertEquals(6, job.outputLevel);
    assertEquals(5, job.inputs.size(), "4 level-0 tables and the one last-level table overlapping");
    assertTrue(job.inputs.stream().anyMatch(i -> i.file() == inRange));
    assertFalse(job.inputs.stream().anyMatch(i -> i.file() == outOfRange));
    assertFalse(job.trivialMove);
  }

  @Test
  void levelZeroBelowTheTriggerIsLeftAlone() {
    List<List<FileMetadata>> l = levels();
    for (int i = 0; i < 3; i++) {
      l.get(0).add(table("c", "m", MIB));
    }
    assertNull(pick(version(l)));
  }

  @Test
  void newerDataNeverGoesBelowOlderDataAboveTheBaseLevel() {
    List<List<FileMetadata>> l = levels();
    for (int i = 0; i < 4; i++) {
      l.get(0).add(table("c", "m", MIB));
    }
    l.get(4).add(table("d", "e", MIB)); // left above the base level (L6) by an earlier shape
    CompactionJob job = pick(version(l));
    assertEquals(4, job.outputLevel, "level 0 goes into the level above the base that overlaps");
  }

  @Test
  void levelsAboveTheBaseAreDrainedOneLevelAtATime() {
    List<List<FileMetadata>> l = levels();
    l.get(2).add(table("a", "b", MIB));
    l.get(6).add(table("x", "z", MIB));
    Version v = version(l);
    assertTrue(picker.scores(v, picker.targets(v), Set.of())[2] >= 1.0);
    CompactionJob job = pick(v);
    assertEquals(CompactionJob.Reason.DRAIN, job.reason);
    assertEquals(3, job.outputLevel);
    assertTrue(job.trivialMove, "nothing overlaps below: moved without rewriting");
  }

  @Test
  void oversizedLevelsPickRoundRobinByKeyAfterTheCompactionPointer() {
    List<List<FileMetadata>> l = levels();
    l.get(6).add(table("a", "z", 2_000 * MIB)); // base level 5, target 200 MiB
    FileMetadata first = table("a", "c", 200 * MIB);
    FileMetadata second = table("d", "f", 200 * MIB);
    FileMetadata third = table("g", "i", 200 * MIB);
    l.get(5).addAll(List.of(first, second, third));
    Version v = version(l);
    assertEquals(5, picker.targets(v).baseLevel());
    assertEquals(3.0, picker.scores(v, picker.targets(v), Set.of())[5], 1e-9);
    byte[][] pointers = new byte[VersionEdit.LEVELS][];
    CompactionJob job = picker.pick(v, pointers, Set.of(), List.of());
    assertEquals(first, job.inputs.get(0).file());
    assertArrayEquals(first.largest(), job.compactPointer);
    pointers[5] = job.compactPointer;
    assertEquals(second, picker.pick(v, pointers, Set.of(), List.of()).inputs.get(0).file());
    pointers[5] = third.largest();
    assertEquals(first, picker.pick(v, pointers, Set.of(), List.of()).inputs.get(0).file(),
        "wraps around after the last table");
    // a busy candidate is skipped, as is one whose overlap below is busy
    assertEquals(second, picker.pick(v, new byte[VersionEdit.LEVELS][],
        Set.of(first.number()), List.of()).inputs.get(0).file());
    FileMetadata below = l.get(6).get(0);
    assertNull(picker.pick(v, new byte[VersionEdit.LEVELS][], Set.of(below.number()), List.of()),
        "every candidate overlaps the busy last-level table");
  }

  @Test
  void minOverlappingRatioTakesTheCheapestTableToMoveDown() {
    List<List<FileMetadata>> l = levels();
    l.get(6).add(table("a", "c", 1_000 * MIB));
    l.get(6).add(table("d", "f", 100 * MIB));
    l.get(6).add(table("g", "i", 900 * MIB));
    FileMetadata costly = table("a", "b", 100 * MIB);   // overlaps 1,000 MiB: ratio 10
    FileMetadata cheap = table("d", "e", 100 * MIB);    // overlaps 100 MiB: ratio 1
    FileMetadata middle = table("g", "h", 100 * MIB);   // overlaps 900 MiB: ratio 9
    l.get(5).addAll(List.of(costly, cheap, middle));
    Version v = version(l);
    CompactionPicker byRatio = new CompactionPicker(Options.builder()
        .compactionPriority(CompactionPriority.MIN_OVERLAPPING_RATIO).build().compactionOptions());
    assertEquals(cheap, byRatio.pick(v, new byte[VersionEdit.LEVELS][], Set.of(), List.of())
        .inputs.get(0).file());
    assertEquals(middle, byRatio.pick(v, new byte[VersionEdit.LEVELS][], Set.of(cheap.number()),
        List.of()).inputs.get(0).file(), "the next cheapest when the cheapest is busy");
    assertEquals(costly, pick(v).inputs.get(0).file(), "round robin starts at the first table");
  }

  @Test
  void aJobMeetingARunningJobsOutputRangeWaits() {
    List<List<FileMetadata>> l = levels();
    for (int i = 0; i < 4; i++) {
      l.get(0).add(table("c", "m", MIB));
    }
    Version v = version(l);
    CompactionJob running = new CompactionJob(CompactionJob.Reason.SIZE, 5, 6,
        List.of(new Compaction.Input(5, table("l", "n", MIB))), List.of(), null, false, v);
    assertNull(picker.pick(v, new byte[VersionEdit.LEVELS][], Set.of(), List.of(running)));
  }

  @Test
  void triggersMustBeOrdered() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Options.builder().level0CompactionTrigger(8).level0SlowdownTrigger(4).build());
    assertTrue(e.getMessage().contains("level0SlowdownTrigger"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Options.builder().level0SlowdownTrigger(36).level0StopTrigger(36).build());
    assertTrue(e.getMessage().contains("level0StopTrigger"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Options.builder().levelSizeMultiplier(1));
    assertThrows(IllegalArgumentException.class,
        () -> Options.builder().maxBytesForLevelBase(1024));
  }
}

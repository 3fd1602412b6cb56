package io.strata.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.fs.FileSystem;
import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Power-loss campaign, in one JVM on the crash-simulating file system: the whole stack (key-value
 * batches, trie commits (three runs in four with a trie retention window of 1 to 6 heights,
 * pruned in the background, so the oracle also checks the retention issue's rule 3; half the runs
 * commit world states, account tries with linked storage tries, see {@link World}; of the
 * others, half keep their nodes in memory with a flush lag, their commits journaled), flushes,
 * full compactions, and a close and reopen every few hundred
 * operations) runs with tiny write buffers and tables, so flushes, compactions and log rotations
 * never stop; before randomly chosen disk calls (on any thread: the writer, a flush, a
 * compaction, the manifest, opening) the disk is copied as a power cut then would leave it
 * (only synced bytes and synced directory entries; in a third of the crash points also a random
 * prefix of each file's unsynced appends, in another third a random subset of their 4 KiB pages,
 * as when the operating system wrote some dirty pages back in no particular order). The manifest
 * limit is the smallest allowed, so manifest rollovers (new manifest, CURRENT switched, old one
 * deleted) happen every few flushes and compactions and crash points fall inside them. Each copy
 * is opened and checked by the {@link Oracle}:
 * the state must be that after some operation at or after the last synced acknowledged one and
 * at or before the last one started, whole (guarantees 1 and 2).
 *
 * <p>Sizes: {@code -Dstrata.campaign.crashpoints} (default 2,000) crash points in all.
 */
class PowerLossCampaignTest {
  private static final Path DIR = Path.of("/state");

  /** One crash point: the disk left, and what the workload had done by then. */
  private record CrashPoint(MemFileSystem disk, long syncedAcked, long started, String where) {}

  @Test
  void everyCrashPointRecoversAPrefixHoldingEverySyncedOperation() {
    int wanted = Integer.getInteger("strata.campaign.crashpoints", 2000);
    long seed = Long.getLong("strata.campaign.seed", System.nanoTime());
    Random random = new Random(seed);
    Map<String, Integer> where = new TreeMap<>();
    long checked = 0;
    long ops = 0;
    long keys = 0;
    int runs = 0;
    int windowedRuns = 0;
    int linkedRuns = 0;
    int laggedRuns = 0;
    List<String> violations = new ArrayList<>();
    Quiet quiet = Quiet.engineWarnings(); // every crash copy with a torn log tail would warn
    while (checked < wanted) {
      long runSeed = random.nextLong();
      Run run = new Run(runSeed, (int) Math.min(60, wanted - checked));
      run.execute();
      runs++;
      windowedRuns += Ops.window(runSeed) > 0 ? 1 : 0;
      linkedRuns += Ops.linked(runSeed) ? 1 : 0;
      laggedRuns += Ops.flushLag(runSeed) > 0 ? 1 : 0;
      ops += run.opsDone;
      Oracle oracle = new Oracle(runSeed);
      for (CrashPoint p : run.points) {
        String context = "seed " + runSeed + ", crash point " + p.where + " (synced "
            + p.syncedAcked + ", started " + p.started + ")";
        try (Db db = Db.open(DIR, options(p.disk))) {
          oracle.verify(db, p.syncedAcked, p.started, context, random);
        } catch (AssertionError | RuntimeException e) {
          violations.add(context + ": " + e);
        }
        where.merge(p.where.substring(0, p.where.indexOf(' ')), 1, Integer::sum);
        checked++;
      }
      keys = oracle.keysChecked() + keys;
    }
    quiet.close();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("seed", seed);
    figures.put("runs", runs);
    figures.put("runs_with_a_trie_window", windowedRuns);
    figures.put("runs_with_linked_commits", linkedRuns);
    figures.put("runs_with_a_flush_lag", laggedRuns);
    figures.put("operations", ops);
    figures.put("crash_points", checked);
    where.forEach((k, v) -> figures.put("crash_points_" + k, v));
    figures.put("keys_verified", keys);
    figures.put("violations", violations.size());
    ReliabilityReport.record("power-loss", figures);
    assertEquals(List.of(), violations.subList(0, Math.min(5, violations.size())),
        violations.size() + " crash points recovered wrongly (seed " + seed + ")");
    for (String phase : List.of("flush", "compaction", "manifest", "manifest-rollover",
        "log-rotation", "open")) {
      assertTrue(where.getOrDefault(phase, 0) > 0 || wanted < 500,
          "no crash point fell in " + phase + ": " + where);
    }
  }

  static Options options(FileSystem fs) {
    // the smallest manifest limit: the manifest rolls over every few flushes and compactions,
    // so crash points fall inside rollovers too
    return Options.builder().fileSystem(fs).writeBufferSize(16 * 1024).blockSize(512)
        .targetFileSize(16 * 1024).maxBytesForLevelBase(64 * 1024).levelSizeMultiplier(4)
        .maxManifestBytes(1024).build();
  }

  /** One workload on a fresh disk, taking crash copies as it goes. */
  private static final class Run {
    final long seed;
    final Random random;
    final int maxPoints;
    final CrashPointFileSystem fs = new CrashPointFileSystem(new MemFileSystem());
    final List<CrashPoint> points = new ArrayList<>();
    volatile long syncedAcked = -1;
    volatile long started = -1;
    volatile String phase = "open";
    long opsDone;

    Run(long seed, int maxPoints) {
      this.seed = seed;
      this.random = new Random(seed);
      this.maxPoints = maxPoints;
    }

    void execute() {
      int total = 300 + random.nextInt(900);
      double chance = 1.0 / (20 + random.nextInt(200));
      Random crashRandom = new Random(seed + 1);
      fs.listener((n, call, file) -> {
        boolean rollover = inRollover(call, file);
        synchronized (points) {
          if (points.size() >= maxPoints || crashRandom.nextDouble() >= chance) {
            return;
          }
          long synced = syncedAcked; // read before the copy: these are durable already
          int model = crashRandom.nextInt(3);
          MemFileSystem disk = model == 0 ? fs.mem().crashCopy()
              : model == 1 ? fs.mem().crashCopy(crashRandom)
              : fs.mem().crashCopyLosingPages(crashRandom);
          points.add(new CrashPoint(disk, synced, started,
              (rollover ? "manifest-rollover" : label(call, file)) + " " + call + " "
                  + file.getFileName()));
        }
      });
      long next = 0;
      while (next < total) {
        phase = "open";
        try (Db db = Db.open(DIR, options(fs))) {
          Workload w = new Workload(db, seed);
          try {
            phase = "write";
            int untilReopen = 100 + random.nextInt(300);
            for (int i = 0; i < untilReopen && next < total; i++, next++) {
              Ops.Op op = Ops.at(seed, next);
              started = next;
              w.apply(op);
              if (op.sync()) {
                syncedAcked = next;
              }
              opsDone++;
            }
          } finally {
            w.close();
          }
          phase = "close";
        }
      }
      fs.listener((n, call, file) -> { });
    }

    /** The thread in the middle of a manifest rollover, or null. */
    private volatile Thread rolling;

    /**
     * Whether a disk call is a step of a manifest rollover: from the creation of a new manifest
     * while the store is open (not by the open itself), through the temporary CURRENT, its
     * rename and the directory syncs, to the deletion of the old manifest, all on one thread.
     */
    private boolean inRollover(String call, Path file) {
      String name = file.getFileName() == null ? "" : file.getFileName().toString();
      String kind = CrashPointFileSystem.kind(file);
      Thread me = Thread.currentThread();
      if (!phase.equals("open") && call.equals("create") && name.startsWith("MANIFEST-")) {
        rolling = me;
        return true;
      }
      if (rolling != me) {
        return false;
      }
      if (call.equals("delete") && name.startsWith("MANIFEST-")) {
        rolling = null; // the last step: the old manifest goes
        return true;
      }
      if (kind.equals("manifest") || kind.equals("directory")) {
        return true;
      }
      rolling = null; // this thread went on to other work
      return false;
    }

    /** Where in the engine a disk call falls. */
    private String label(String call, Path file) {
      String thread = Thread.currentThread().getName();
      String kind = CrashPointFileSystem.kind(file);
      if (phase.equals("open")) {
        return "open";
      }
      if (kind.equals("manifest")) {
        return "manifest";
      }
      if (kind.equals("log") && call.equals("create-log")
          || kind.equals("directory") && phase.equals("write") && !thread.startsWith("strata-")) {
        return "log-rotation";
      }
      if (thread.contains("flush")) {
        return "flush";
      }
      if (thread.contains("compaction") || (kind.equals("table") && phase.equals("write"))) {
        return "compaction";
      }
      return kind.equals("log") ? "log-write" : phase + "-" + kind;
    }
  }
}

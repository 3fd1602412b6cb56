package io.strata.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.StrataException;
import io.strata.fs.FaultInjectingFileSystem;
import io.strata.fs.FaultInjectingFileSystem.Fault;
import io.strata.fs.FaultInjectingFileSystem.InjectedFault;
import io.strata.fs.FaultInjectingFileSystem.Op;
import io.strata.fs.FileSystem;
import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fault campaign (guarantee 4): the whole-stack workload runs on the fault-injecting file system,
 * which fails the n-th create, append, sync, rename or directory sync after the store opened,
 * with an I/O error or "no space left" (an append then writes half its bytes first). n is drawn
 * from the calls a fault-free run of the same workload makes, so faults land in log appends,
 * flushes, compactions, manifest edits and trie commits alike. At each fault:
 *
 * <ul>
 *   <li>the operation that hits it (or, for a background flush or compaction, the next write)
 *       fails with a {@link StrataException} whose cause chain holds the I/O error; no other
 *       exception type ever comes out;
 *   <li>the store stays readable: the oracle finds every acknowledged operation in it;
 *   <li>no later write is acknowledged (the store takes none until reopened), except after a
 *       failed {@code compactRange}, which leaves the store unchanged and writable;
 *   <li>after a power loss at that point, every synced acknowledged operation is there, as a
 *       prefix (so a failed fsync was not taken for a successful one); after a process kill
 *       (the disk as the process left it), every acknowledged one;
 *   <li>the reopened store takes writes again.
 * </ul>
 *
 * <p>Three workloads in four run the trie store with a retention window of 1 to 6 heights,
 * pruned in the background, and half of them commit world states (account tries with linked
 * storage tries, {@link World}): after each fault and reopen the oracle finds every retained
 * block's account trie and linked storage tries whole, pruned roots refused, and once pruning
 * caught up exactly the nodes the retained roots reach (rule 3 of the retention issue: a fault
 * in the middle of pruning leaves only garbage a later pass removes).
 *
 * <p>Sizes: {@code -Dstrata.campaign.faults} (default 400) injected faults.
 */
class FaultCampaignTest {
  private static final Path DIR = Path.of("/state");
  private static final Op[] OPS = {Op.CREATE, Op.APPEND, Op.SYNC, Op.RENAME,
      Op.SYNC_DIRECTORY};

  static Options options(FileSystem fs) {
    return Options.builder().fileSystem(fs).writeBufferSize(16 * 1024).blockSize(512)
        .targetFileSize(16 * 1024).maxBytesForLevelBase(64 * 1024).levelSizeMultiplier(4)
        .build();
  }

  private final List<String> violations = new ArrayList<>();
  private final Map<String, Integer> injectedBy = new TreeMap<>();
  private long trials;
  private long injected;
  private long failedCalls;
  private long writesRefused;
  private long manualCompactionsFailed;
  private long windowed;
  private long linked;

  @Test
  void everyInjectedFaultFailsCleanlyAndLosesNothingAcknowledged() {
    int wanted = Integer.getInteger("strata.campaign.faults", 400);
    long seed = Long.getLong("strata.campaign.seed", System.nanoTime());
    Random random = new Random(seed);
    long keys = 0;
    long checks = 0;
    try (Quiet quiet = Quiet.engineWarnings()) {
      while (injected < wanted && violations.size() < 5) {
        long workload = random.nextLong();
        int ops = 100 + random.nextInt(300);
        Map<Op, Long> calls = dryRun(workload, ops);
        Oracle oracle = new Oracle(workload);
        windowed += Ops.window(workload) > 0 ? 1 : 0;
        linked += Ops.linked(workload) ? 1 : 0;
        for (int i = 0; i < 8 && injected < wanted; i++) {
          Op op = OPS[random.nextInt(OPS.length)];
          long n = 1 + (long) (random.nextDouble() * calls.get(op));
          Fault fault = random.nextInt(3) == 0 ? Fault.NO_SPACE : Fault.IO_ERROR;
          if (random.nextInt(4) == 0) {
            openTrial(workload, ops, op == Op.SYNC_DIRECTORY || random.nextBoolean() ? Op.RENAME
                : op, 1 + random.nextInt(3), fault, oracle, random);
          } else {
            trial(workload, ops, op, n, fault, oracle, random);
          }
        }
        keys += oracle.keysChecked();
        checks += oracle.checks();
      }
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("seed", seed);
    figures.put("trials", trials);
    figures.put("workloads_with_a_trie_window", windowed);
    figures.put("workloads_with_linked_commits", linked);
    figures.put("faults_injected", injected);
    injectedBy.forEach((k, v) -> figures.put("faults_" + k, v));
    figures.put("operations_failed", failedCalls);
    figures.put("writes_refused_after_a_fault", writesRefused);
    figures.put("manual_compactions_failed", manualCompactionsFailed);
    figures.put("checks", checks);
    figures.put("keys_verified", keys);
    figures.put("violations", violations.size());
    ReliabilityReport.record("fault", figures);
    assertEquals(List.of(), violations, "seed " + seed);
    assertTrue(failedCalls > wanted / 4, "only " + failedCalls + " of " + injected
        + " injected faults reached the caller");
  }

  /** How many calls of each kind the workload makes after opening, without faults. */
  private static Map<Op, Long> dryRun(long workload, int ops) {
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(new MemFileSystem());
    Map<Op, Long> calls = new EnumMap<>(Op.class);
    try (Db db = Db.open(DIR, options(fs))) {
      for (Op op : OPS) {
        calls.put(op, -fs.count(op));
      }
      Workload w = new Workload(db, workload);
      for (int i = 0; i < ops; i++) {
        w.apply(Ops.at(workload, i));
      }
      w.close();
      db.waitForCompactions();
      for (Op op : OPS) {
        calls.put(op, Math.max(1, calls.get(op) + fs.count(op)));
      }
    }
    return calls;
  }

  private void trial(long workload, int ops, Op op, long n, Fault fault, Oracle oracle,
      Random random) {
    trials++;
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    String context = "workload " + workload + ", " + fault + " at " + op + " call " + n;
    long acked = -1;
    long synced = -1;
    long attempted = -1;
    long failedAt = -1;
    String failure = null;
    Db db = Db.open(DIR, options(fs));
    try {
      Workload w = new Workload(db, workload);
      fs.failNth(op, n, fault);
      for (int i = 0; i < ops; i++) {
        Ops.Op o = Ops.at(workload, i);
        attempted = i;
        try {
          w.apply(o);
        } catch (StrataException e) {
          if (!causedByInjection(e)) {
            violations.add(context + ": operation " + i + " failed without an injected fault: "
                + e);
            return;
          }
          if (o.kind() == Ops.Kind.COMPACT && failedAt < 0) {
            // a failed compactRange leaves the store as it was and still writable: the caller
            // was told, and no acknowledged write depends on the compaction
            failedCalls++;
            manualCompactionsFailed++;
            continue;
          }
          if (failedAt < 0) {
            failedAt = i;
            failure = o.kind() + ": " + e.getMessage();
            failedCalls++;
          } else {
            writesRefused++;
          }
          if (i >= failedAt + 3) {
            break;
          }
          continue;
        } catch (RuntimeException | Error e) {
          violations.add(context + ": operation " + i + " threw " + e + causes(e));
          return;
        }
        if (failedAt >= 0 && o.changesState()) {
          violations.add(context + ": operation " + i + " (" + o.kind()
              + ") was acknowledged after operation " + failedAt + " failed (" + failure + ")");
          return;
        }
        acked = i;
        if (o.sync()) {
          synced = i;
        }
      }
      try {
        w.close(); // stops the pruner: the oracle opens its own trie store on the Db
      } catch (StrataException e) {
        if (!causedByInjection(e)) {
          violations.add(context + ": closing the trie store failed: " + e);
        }
      }
      if (failedAt >= 0) {
        // still readable: everything acknowledged is there (the failed operation may be too);
        // the store takes no writes, so its pruning cannot catch up: no node accounting here
        try {
          oracle.verify(db, acked, failedAt, context + ", live store after the fault", random,
              false);
        } catch (AssertionError | RuntimeException e) {
          violations.add(context + ": reading after the fault: " + e);
        }
      }
    } finally {
      try {
        db.close();
      } catch (StrataException e) {
        if (!causedByInjection(e) && failedAt < 0) {
          violations.add(context + ": close failed: " + e);
        }
      } catch (RuntimeException e) {
        violations.add(context + ": close threw " + e);
      }
    }
    long fired = fs.injectedCount();
    injected += fired;
    if (fired > 0) {
      injectedBy.merge(op + "_" + fault, 1, Integer::sum);
    }
    fs.clearFaults();
    MemFileSystem powerCut = mem.crashCopy();
    check(mem, acked, attempted, context + ", process kill", oracle, random);
    check(powerCut, synced, attempted, context + ", power loss", oracle, random);
  }

  /**
   * A fault while opening (replaying the log, writing the new manifest, pointing CURRENT at it,
   * creating the log segment): the open fails with a {@link StrataException} or succeeds, and
   * either way the next open without faults finds everything acknowledged before.
   */
  private void openTrial(long workload, int ops, Op op, long n, Fault fault, Oracle oracle,
      Random random) {
    trials++;
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    String context = "workload " + workload + ", " + fault + " at " + op + " call " + n
        + " of the reopen";
    long synced = -1;
    try (Db db = Db.open(DIR, options(fs))) {
      Workload w = new Workload(db, workload);
      for (int i = 0; i < ops; i++) {
        Ops.Op o = Ops.at(workload, i);
        w.apply(o);
        if (o.sync()) {
          synced = i;
        }
      }
      w.close();
    }
    fs.failNth(op, n, fault);
    try {
      Db.open(DIR, options(fs)).close();
    } catch (StrataException e) {
      if (!causedByInjection(e)) {
        violations.add(context + ": the open failed without an injected fault: " + e);
      }
      failedCalls++;
    } catch (RuntimeException | Error e) {
      violations.add(context + ": the open threw " + e + causes(e));
    }
    long fired = fs.injectedCount();
    injected += fired;
    if (fired > 0) {
      injectedBy.merge("open_" + op + "_" + fault, 1, Integer::sum);
    }
    fs.clearFaults();
    MemFileSystem powerCut = mem.crashCopy();
    check(mem, ops - 1, ops - 1, context + ", process kill", oracle, random);
    check(powerCut, synced, ops - 1, context + ", power loss", oracle, random);
  }

  /** Opens the disk without faults, checks it, and checks it takes a synced write again. */
  private void check(MemFileSystem disk, long mustHave, long mayHave, String context,
      Oracle oracle, Random random) {
    try (Db db = Db.open(DIR, options(disk))) {
      long r = oracle.verify(db, mustHave, mayHave, context, random);
      db.write(new io.strata.lsm.WriteBatch().put(Ops.bytes("kv:after"), Ops.bytes("yes")),
          io.strata.lsm.WriteOptions.sync());
      if (!"yes".equals(Ops.string(db.get(Ops.bytes("kv:after"))))) {
        violations.add(context + ": the reopened store lost a new write");
      }
      assertTrue(r >= -1);
    } catch (AssertionError | RuntimeException e) {
      violations.add(context + ": " + e + causes(e));
    }
  }

  static boolean causedByInjection(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InjectedFault) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (causedByInjection(s)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String causes(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      b.append(" <- ").append(t);
    }
    StackTraceElement[] st = e.getStackTrace();
    if (st.length > 0) {
      b.append(" at ").append(st[0]);
    }
    return b.toString();
  }
}

package io.strata.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trie suite's time cap on Tuweni's blocks, and that Strata's engines ignore it. */
class TrieSuiteTest {
  private static final Set<String> WORKLOADS = Set.of("load", "blocks", "readrandom");

  private static Map<String, RunResult> run(String engine, int blocks, long capNanos, Path dir) {
    Map<String, RunResult> got = new LinkedHashMap<>();
    TrieSuite.run(new TrieSuite.Params(engine, 2_000, blocks, capNanos, WORKLOADS, dir, 1),
        new ChildOutput() {
          @Override
          public void progress(String workload, double fraction, double opsPerSecond) {}

          @Override
          public void result(RunResult result) {
            got.put(result.workload, result);
          }
        });
    return got;
  }

  @Test
  void tuweniBlocksStopAtTheCapAtAWholeBlockAndCheckTheirRoot(@TempDir Path dir) {
    Map<String, RunResult> r = run("tuweni", 1_000, 1, dir); // a cap of 1 ns: one block
    RunResult blocks = r.get("blocks");
    assertTrue(blocks.ok, blocks.error);
    assertEquals(1_000, blocks.ops, "one whole block of 1,000 updates, then the cap");
    assertTrue(blocks.checks.contains("stopped by the 0 s cap after 1 of 1000 blocks (root"
        + " equals Strata's in-memory root of the same state)"), blocks.checks);
    assertTrue(blocks.checks.contains("blocks=1 "), blocks.checks);
    assertEquals("", blocks.root, "a root of fewer blocks is not compared with the others'");
    assertTrue(blocks.seconds > 0 && blocks.opsPerSecond() > 0);
    RunResult read = r.get("readrandom");
    assertTrue(read.ok, read.error);
    assertEquals("", read.root);
    assertTrue(read.checks.startsWith("hits=" + read.ops + "/" + read.ops + " wrong=0"),
        "reads see the values of the blocks done: " + read.checks);
    assertFalse(r.get("load").root.isEmpty(), "the load is not capped: its root is compared");
  }

  @Test
  void withoutReachingTheCapTuweniRunsEveryBlockAndAgreesWithStrata(@TempDir Path dir) {
    Map<String, RunResult> tuweni = run("tuweni", 5, Long.MAX_VALUE, dir);
    Map<String, RunResult> strata = run("strata-memory", 5, Long.MAX_VALUE, dir);
    for (Map<String, RunResult> r : java.util.List.of(tuweni, strata)) {
      RunResult blocks = r.get("blocks");
      assertTrue(blocks.ok, blocks.error);
      assertEquals(5_000, blocks.ops);
      assertFalse(blocks.checks.contains("stopped"), blocks.checks);
      assertTrue(blocks.checks.contains("blocks=5 "), blocks.checks);
    }
    assertEquals(strata.get("blocks").root, tuweni.get("blocks").root);
    assertFalse(tuweni.get("blocks").root.isEmpty());
  }

  @Test
  void strataEnginesRunEveryBlockWhateverTheCap(@TempDir Path dir) {
    for (String engine : new String[] {"strata-memory", "strata-store"}) {
      RunResult blocks = run(engine, 20, 1, dir).get("blocks");
      assertTrue(blocks.ok, blocks.error);
      assertEquals(20_000, blocks.ops, engine);
      assertFalse(blocks.checks.contains("stopped"), blocks.checks);
      assertFalse(blocks.root.isEmpty(), engine);
    }
  }
}

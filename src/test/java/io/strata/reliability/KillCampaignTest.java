package io.strata.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.lsm.Db;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill campaign: a child JVM ({@link KillChild}) runs the whole-stack workload (synced and
 * unsynced batches with deletes, trie commits, flushes, full compactions; tiny tables so
 * compaction never stops) on a real directory and acknowledges each operation; the parent kills
 * it without warning ({@code Process.destroyForcibly()}) at a random moment, reopens the store
 * and checks it against the {@link Oracle}: a process kill keeps everything handed to the
 * operating system, so every acknowledged operation must be there, synced or not, and at most the
 * one in flight besides; every block's root and trie, no half batch, no hole; and {@code
 * verifyChecksums()} finds nothing. The next child continues from what was recovered.
 *
 * <p>Sizes: {@code -Dstrata.campaign.kills} (default 25) kills, or {@code
 * -Dstrata.campaign.minutes} to run for a duration instead.
 */
class KillCampaignTest {
  @TempDir Path dir;

  @Test
  void everyKillKeepsEveryAcknowledgedOperation() throws Exception {
    run(Ops.archived(Long.getLong("strata.campaign.seed", System.nanoTime())),
        Integer.getInteger("strata.campaign.kills", 25), "kill");
  }

  /**
   * The same campaign with the trie store pruning a window of 1 to 6 heights in the background
   * (the retention issue's rule 3): after every kill every retained root is whole, pruned roots
   * are refused, and once pruning caught up the store holds exactly what the retained roots
   * reach.
   */
  @Test
  void everyKillKeepsEveryRetainedRootWithPruningOn() throws Exception {
    run(Ops.linkedSeed(Ops.windowed(Long.getLong("strata.campaign.seed", System.nanoTime()))),
        Integer.getInteger("strata.campaign.kills", 15),
        "kill, trie retention window, linked commits");
  }

  /**
   * The windowed campaign without links: the store keeps its pruning counts in memory, so every
   * kill loses them and every reopen rebuilds them from the node and version records; the same
   * checks as above.
   */
  @Test
  void everyKillKeepsEveryRetainedRootWithCountsInMemory() throws Exception {
    run(Ops.unlinkedSeed(Ops.windowed(Long.getLong("strata.campaign.seed", System.nanoTime()))),
        Integer.getInteger("strata.campaign.kills", 15),
        "kill, trie retention window, counts in memory");
  }

  /**
   * The windowed campaign without links and with a flush lag of 1 to 4: commits write a journal
   * record instead of their nodes, so every kill loses the nodes held in memory and every reopen
   * replays the journal, checking each block against its root; the same checks as above.
   */
  @Test
  void everyKillKeepsEveryRetainedRootWithAFlushLag() throws Exception {
    run(Ops.laggedSeed(Ops.windowed(Long.getLong("strata.campaign.seed", System.nanoTime()))),
        Integer.getInteger("strata.campaign.kills", 15),
        "kill, trie retention window, flush lag");
  }

  private void run(long seed, int kills, String name) throws Exception {
    long minutes = Long.getLong("strata.campaign.minutes", 0);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
    Random random = new Random(seed);
    Oracle oracle = new Oracle(seed);
    List<String> violations = new ArrayList<>();
    long next = 0;
    long acknowledged = 0;
    int round = 0;
    Quiet quiet = Quiet.engineWarnings();
    try {
      while (minutes > 0 ? System.nanoTime() < deadline : round < kills) {
        Child child = Child.start(dir, seed, next);
        assertTrue(child.awaitOpen(), "round " + round + ": the child did not open the store");
        assertTrue(child.process.isAlive(), "round " + round + ": the child died on its own");
        Thread.sleep(50 + random.nextInt(1200));
        child.process.destroyForcibly();
        assertTrue(child.process.waitFor(30, TimeUnit.SECONDS));
        long acked = Math.max(next - 1, child.lastAck());
        acknowledged += acked - (next - 1);
        String context = "seed " + seed + ", kill " + round + " (operations " + next + " to "
            + acked + " acknowledged)";
        long recovered;
        try (Db db = Db.open(dir, KillChild.options())) {
          recovered = oracle.verify(db, acked, acked + 1, context, random);
          List<CorruptionException> damage = db.verifyChecksums();
          if (!damage.isEmpty()) {
            violations.add(context + ": verifyChecksums found " + damage);
          }
        } catch (AssertionError | RuntimeException e) {
          violations.add(context + ": " + e);
          break; // the oracle cannot follow a store that went wrong
        }
        oracle.advance(recovered);
        next = recovered + 1;
        round++;
      }
    } finally {
      quiet.close();
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("seed", seed);
    figures.put("trie_window", Ops.window(seed));
    figures.put("kills", round);
    figures.put("operations_acknowledged", acknowledged);
    figures.put("operations_recovered", next);
    figures.put("blocks_committed", oracle.blocksThrough(next - 1));
    figures.put("checks", oracle.checks());
    figures.put("keys_verified", oracle.keysChecked());
    figures.put("violations", violations.size());
    ReliabilityReport.record(name, figures);
    assertEquals(List.of(), violations);
    assertTrue(acknowledged > round, "the children acknowledged only " + acknowledged
        + " operations in " + round + " kills");
  }

  /** A running {@link KillChild} and the file it acknowledges in. */
  private record Child(Process process, Path acks) {
    static Child start(Path dir, long seed, long first) throws IOException {
      Path acks = dir.resolveSibling(dir.getFileName() + ".acks");
      Files.deleteIfExists(acks);
      List<String> command = List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-cp", System.getProperty("java.class.path"), KillChild.class.getName(),
          dir.toString(), Long.toString(seed), Long.toString(first), acks.toString());
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return new Child(p, acks);
    }

    /** Waits until the child has opened the store (or died, or a minute passed). */
    boolean awaitOpen() throws IOException, InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && process.isAlive()) {
        if (Files.exists(acks) && Files.size(acks) > 0) {
          return true;
        }
        Thread.sleep(5);
      }
      return false;
    }

    /** The last operation acknowledged, or -1. */
    long lastAck() throws IOException {
      long last = -1;
      for (String line : Files.readAllLines(acks, StandardCharsets.US_ASCII)) {
        if (line.startsWith("ACK ")) {
          last = Long.parseLong(line.substring(4));
        }
      }
      return last;
    }
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM ({@link CrashChild}) that commits synced blocks, at random moments, and
 * reopens the store: every block the child acknowledged must have its root recorded, equal to the
 * root of the model (an in-memory trie with the same changes), and fully readable (every entry,
 * equal to the model's). A block committed but not acknowledged may be there, whole. Rounds:
 * {@code -Dstrata.trie.crash.rounds} (default 4).
 */
class CrashTest {
  @TempDir Path dir;

  @Test
  void killedCommitterLosesNoAcknowledgedBlock() throws Exception {
    int rounds = Integer.getInteger("strata.trie.crash.rounds", 4);
    long seedBase = Long.getLong("strata.trie.crash.seed", System.nanoTime());
    Random random = new Random(seedBase);
    long seed = random.nextLong();
    List<Trie> model = new ArrayList<>();
    long acknowledged = -1;
    for (int round = 0; round < rounds; round++) {
      Path acks = dir.resolveSibling(dir.getFileName() + ".acks");
      java.nio.file.Files.deleteIfExists(acks);
      Process child = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          CrashChild.class.getName(), dir.toString(), Long.toString(seed), acks.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (lastAck(acks) <= acknowledged && System.nanoTime() < deadline && child.isAlive()) {
        Thread.sleep(5);
      }
      assertTrue(child.isAlive(), "child died on its own in round " + round);
      Thread.sleep(random.nextInt(500));
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      long acked = lastAck(acks);
      assertTrue(acked > acknowledged, "round " + round + ": no new block acknowledged");
      acknowledged = acked;
      while (model.size() <= acknowledged + 1) {
        Trie prev = model.isEmpty() ? Trie.empty() : model.get(model.size() - 1);
        model.add(CrashChild.apply(prev, seed, model.size()));
      }
      try (StateStore store = StateStore.open(dir)) {
        for (int b = 0; b <= acknowledged; b++) {
          Hash want = model.get(b).rootHash();
          assertEquals(Optional.of(want), store.rootAt(b), "seed " + seedBase + " round " + round
              + ": root of acknowledged block " + b);
          if (b > acknowledged - 3 || b % 10 == 0) {
            assertSameEntries(model.get(b), store.trie(want), b);
          }
        }
        long latest = store.latestBlock().orElseThrow();
        assertTrue(latest == acknowledged || latest == acknowledged + 1,
            "latest block " + latest + " after acknowledging " + acknowledged);
        if (latest == acknowledged + 1) {
          Hash want = model.get((int) latest).rootHash();
          assertEquals(Optional.of(want), store.rootAt(latest));
          assertSameEntries(model.get((int) latest), store.trie(want), (int) latest);
          acknowledged = latest;
        }
      }
      System.out.println("trie crash round " + round + ": " + (acknowledged + 1) + " blocks");
    }
  }

  private static void assertSameEntries(Trie want, Trie got, int block) {
    Iterator<Map.Entry<byte[], byte[]>> w = want.entries(new byte[0]);
    Iterator<Map.Entry<byte[], byte[]>> g = got.entries(new byte[0]);
    while (w.hasNext()) {
      assertTrue(g.hasNext(), "block " + block + " lost entries");
      Map.Entry<byte[], byte[]> a = w.next();
      Map.Entry<byte[], byte[]> b = g.next();
      assertArrayEquals(a.getKey(), b.getKey(), "block " + block);
      assertArrayEquals(a.getValue(), b.getValue(), "block " + block);
    }
    assertTrue(!g.hasNext(), "block " + block + " has extra entries");
  }

  /** The last block the child acknowledged in {@code acks}, or -1. */
  private static long lastAck(Path acks) throws java.io.IOException {
    long last = -1;
    if (java.nio.file.Files.exists(acks)) {
      for (String line : java.nio.file.Files.readAllLines(acks, StandardCharsets.US_ASCII)) {
        if (line.startsWith("ACK ")) {
          last = Long.parseLong(line.substring(4));
        }
      }
    }
    return last;
  }
}

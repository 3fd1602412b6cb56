package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 blocks of random puts, overwrites and removes over a 10,000-key state, one commit per
 * block, with a model of every block. After closing and reopening: every block's rootAt and root
 * are as committed; every block's changed keys read as in that block; a sample of 40 blocks is
 * compared whole (every entry) with the model, and its root with a trie built from scratch.
 * Structure sharing: the bytes stored for all 1,000 blocks must stay under 5% of 1,000 full copies
 * of the state.
 */
class HistoryTest {
  @TempDir Path dir;

  private static final int KEYS = 10_000;
  private static final int BLOCKS = 1_000;
  private static final int UPDATES_PER_BLOCK = 20;

  /** One change: null value removes. */
  record Change(byte[] key, byte[] value) {}

  @Test
  void everyBlockStaysReadableAndVersionsShareNodes() throws IOException {
    Random r = new Random(42);
    byte[][] universe = new byte[KEYS * 11 / 10][];
    for (int i = 0; i < universe.length; i++) {
      universe[i] = new byte[20];
      r.nextBytes(universe[i]);
    }
    List<List<Change>> blocks = new ArrayList<>();
    List<Hash> roots = new ArrayList<>();
    long firstBlockBytes;
    long totalBytes;
    StateOptions opts = StateOptions.builder().syncCommits(false).nodeCacheBytes(4 << 20).build();
    try (StateStore store = StateStore.open(dir, opts)) {
      List<Change> genesis = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        genesis.add(new Change(universe[i], value(r)));
      }
      Trie t = apply(store.emptyTrie(), genesis);
      blocks.add(genesis);
      roots.add(store.commit(0, t));
      firstBlockBytes = store.stats().bytesWritten();
      for (int b = 1; b < BLOCKS; b++) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < UPDATES_PER_BLOCK; i++) {
          byte[] k = universe[r.nextInt(universe.length)];
          changes.add(new Change(k, r.nextInt(4) == 0 ? null : value(r)));
        }
        t = apply(t, changes);
        blocks.add(changes);
        roots.add(store.commit(b, t));
        if (b % 250 == 0) {
          // sometimes continue from the stored nodes rather than the in-memory ones
          t = store.trie(roots.get(b));
        }
      }
      totalBytes = store.stats().bytesWritten();
    }
    long diskBytes;
    try (Stream<Path> files = Files.walk(dir)) {
      diskBytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }

    // Structure sharing. One copy of the state is what block 0 wrote (the whole trie).
    double fraction = (double) totalBytes / ((double) BLOCKS * firstBlockBytes);
    System.out.printf("history: one state %,d B; %d blocks wrote %,d B (%.2f%% of %d copies);"
        + " %,d B on disk%n", firstBlockBytes, BLOCKS, totalBytes, 100 * fraction, BLOCKS,
        diskBytes);
    assertTrue(fraction < 0.05, "1,000 blocks wrote " + totalBytes + " bytes, "
        + 100 * fraction + "% of 1,000 copies of the state (bound 5%)");
    assertTrue(diskBytes < 0.05 * BLOCKS * firstBlockBytes, "disk " + diskBytes);

    Set<Integer> sample = new HashSet<>();
    for (int b = 0; b < BLOCKS; b += 25) {
      sample.add(b);
    }
    sample.add(BLOCKS - 1);
    Random pick = new Random(7);
    while (sample.size() < 45) {
      sample.add(pick.nextInt(BLOCKS));
    }
    try (StateStore store = StateStore.open(dir, opts)) {
      assertEquals(BLOCKS - 1, store.latestBlock().orElseThrow());
      TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
      for (int b = 0; b < BLOCKS; b++) {
        for (Change c : blocks.get(b)) {
          if (c.value == null) {
            model.remove(c.key);
          } else {
            model.put(c.key, c.value);
          }
        }
        Hash root = store.rootAt(b).orElseThrow();
        assertEquals(roots.get(b), root, "rootAt(" + b + ")");
        Trie t = store.trie(root);
        for (Change c : blocks.get(b)) {
          assertArrayEquals(model.get(c.key), t.get(c.key), "block " + b);
        }
        if (sample.contains(b)) {
          assertSameContents(model, t, b);
          Trie fresh = Trie.empty().update(u -> model.forEach(u::put));
          assertEquals(fresh.rootHash(), root, "block " + b + " root against a fresh build");
        }
      }
    }
  }

  private static void assertSameContents(TreeMap<byte[], byte[]> model, Trie t, int block) {
    Iterator<Map.Entry<byte[], byte[]>> want = model.entrySet().iterator();
    Iterator<Map.Entry<byte[], byte[]>> got = t.entries(new byte[0]);
    int n = 0;
    while (want.hasNext()) {
      assertTrue(got.hasNext(), "block " + block + " ends after " + n + " of " + model.size());
      Map.Entry<byte[], byte[]> w = want.next();
      Map.Entry<byte[], byte[]> g = got.next();
      assertArrayEquals(w.getKey(), g.getKey(), "block " + block + " key " + n);
      assertArrayEquals(w.getValue(), g.getValue(), "block " + block + " value " + n);
      n++;
    }
    assertTrue(!got.hasNext(), "block " + block + " has more entries than its model");
  }

  private static byte[] value(Random r) {
    byte[] v = new byte[8 + r.nextInt(40)];
    r.nextBytes(v);
    return v;
  }

  private static Trie apply(Trie t, List<Change> changes) {
    return t.update(u -> {
      for (Change c : changes) {
        if (c.value == null) {
          u.remove(c.key);
        } else {
          u.put(c.key, c.value);
        }
      }
    });
  }
}

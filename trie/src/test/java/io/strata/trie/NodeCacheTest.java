package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node cache stays within its bound, and many threads read one store-backed trie. */
class NodeCacheTest {
  @TempDir Path dir;

  private static Hash hashOf(int i) {
    return Hash.keccak256(new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16)});
  }

  @Test
  void staysWithinItsBoundAndKeepsRecentlyUsedNodes() {
    NodeCache cache = new NodeCache(100_000);
    Node hot = new LeafNode(new byte[] {1}, new byte[10], null);
    cache.put(hashOf(-1), hot);
    for (int i = 0; i < 10_000; i++) {
      cache.put(hashOf(i), new LeafNode(new byte[] {1}, new byte[100], null));
      assertTrue(cache.bytes() <= 100_000, "cache holds " + cache.bytes() + " bytes");
      assertSame(hot, cache.get(hashOf(-1)), "a node used all along was evicted at " + i);
    }
    assertNull(cache.get(hashOf(0)), "the oldest unused node is still there");
    assertTrue(cache.bytes() > 50_000, "cache holds only " + cache.bytes() + " bytes");
    NodeCache none = new NodeCache(0);
    none.put(hashOf(1), hot);
    assertNull(none.get(hashOf(1)));
  }

  /**
   * Leaves are evicted before inner nodes while the inner nodes hold at most their share of the
   * bound; past it, inner nodes are evicted down to the share, and leaves keep the rest.
   */
  @Test
  void leavesGoFirstWhileInnerNodesAreWithinTheirShare() {
    NodeCache cache = new NodeCache(100_000);
    List<Node> branches = new ArrayList<>();
    // inner nodes of about half the bound, none used again
    for (int i = 0; cache.bytes() < 50_000; i++) {
      Node b = new BranchNode(new Node[16], null, null);
      branches.add(b);
      cache.put(hashOf(1_000_000 + i), b);
    }
    for (int i = 0; i < 20_000; i++) {
      cache.put(hashOf(i), new LeafNode(new byte[] {1}, new byte[100], null));
      assertTrue(cache.bytes() <= 100_000, "cache holds " + cache.bytes() + " bytes");
    }
    for (int i = 0; i < branches.size(); i++) {
      assertSame(branches.get(i), cache.get(hashOf(1_000_000 + i)),
          "inner node " + i + " was evicted for leaves");
    }
    assertNull(cache.get(hashOf(0)), "the oldest leaf is still there");
    assertTrue(cache.bytes() > 90_000, "cache holds only " + cache.bytes() + " bytes");

    // inner nodes past their share: the oldest go, down to 75%; the newest leaves stay
    for (int i = 0; i < 2_000; i++) {
      cache.put(hashOf(2_000_000 + i), new BranchNode(new Node[16], null, null));
      assertTrue(cache.bytes() <= 100_000, "cache holds " + cache.bytes() + " bytes");
    }
    assertNull(cache.get(hashOf(2_000_000)), "the oldest unused inner node is still there");
    assertTrue(cache.get(hashOf(19_999)) != null, "the newest leaf was evicted");
    int innerKept = 0;
    for (int i = 0; i < 2_000; i++) {
      if (cache.get(hashOf(2_000_000 + i)) != null) {
        innerKept++;
      }
    }
    long innerWeight = new BranchNode(new Node[16], null, null).weight() + NodeCache.OVERHEAD;
    assertTrue(innerKept * innerWeight <= 75_000 && innerKept * innerWeight > 70_000,
        innerKept + " inner nodes kept");
  }

  @Test
  void concurrentReadersOfAStoredTrieSeeItsValues() throws Exception {
    Random r = new Random(9);
    byte[][] keys = new byte[20_000][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new byte[32];
      r.nextBytes(keys[i]);
    }
    StateOptions opts = StateOptions.builder().nodeCacheBytes(256 << 10).syncCommits(false)
        .build();
    Hash root;
    try (StateStore store = StateStore.open(dir, opts)) {
      root = store.commit(store.emptyTrie().update(u -> {
        for (byte[] k : keys) {
          u.put(k, k);
        }
      }));
    }
    try (StateStore store = StateStore.open(dir, opts)) {
      Trie t = store.trie(root);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int th = 0; th < 4; th++) {
          int start = th;
          futures.add(pool.submit(() -> {
            for (int i = start; i < keys.length; i += 2) {
              assertArrayEquals(keys[i], t.get(keys[i]));
            }
            // every thread also derives and hashes its own version from the shared trie
            Trie mine = t.put(keys[start], new byte[] {(byte) start});
            assertEquals(Trie.empty().update(u -> {
              for (byte[] k : keys) {
                u.put(k, k);
              }
              u.put(keys[start], new byte[] {(byte) start});
            }).rootHash(), mine.rootHash());
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      assertTrue(store.stats().nodeCacheBytes() <= 256 << 10);
      assertEquals(root, t.rootHash());
    }
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hashing of a store's trie keeps each node's encoding for the commit ({@link
 * Node#encoding}), and the commit takes it: the kept bytes are exactly the node's encoding, the
 * cached length is its length, an in-memory trie keeps none, and no committed node keeps one (a
 * trie carried from block to block would otherwise hold the encoding of every node it ever wrote).
 */
class KeptEncodingTest {
  @TempDir Path tmp;

  private static Trie fill(Trie t, Random r, int n) {
    TrieUpdater u = t.updater();
    for (int i = 0; i < n; i++) {
      byte[] k = new byte[32];
      r.nextBytes(k);
      byte[] v = new byte[1 + r.nextInt(80)];
      r.nextBytes(v);
      u.put(k, v);
    }
    return u.build();
  }

  /** Every node in memory below {@code n} (not loaded ones). */
  private static void nodes(Node n, List<Node> out) {
    if (n == null || n instanceof HashNode) {
      return;
    }
    out.add(n);
    if (n instanceof BranchNode b) {
      for (Node c : b.children) {
        nodes(c, out);
      }
    } else if (n instanceof ExtensionNode e) {
      nodes(e.child, out);
    }
  }

  @Test
  void aStoreTrieKeepsExactEncodingsUntilItsCommitTakesThem() throws Exception {
    StateOptions o = StateOptions.builder().syncCommits(false).retention(Retention.blocks(4))
        .build();
    Random r = new Random(7);
    try (StateStore s = StateStore.open(tmp.resolve("s"), o)) {
      Trie t = s.emptyTrie();
      for (int b = 0; b < 6; b++) {
        t = fill(t, r, 300);
        t.rootHash();
        List<Node> all = new ArrayList<>();
        nodes(t.root, all);
        int kept = 0;
        for (Node n : all) {
          byte[] fresh = Committer.encode(n);
          assertEquals(fresh.length, n.encodedLength(), "cached length");
          if (n.encoding != null) {
            assertArrayEquals(fresh, n.encoding, "kept encoding");
            kept++;
          } else if (fresh.length >= 32 && !n.stored) {
            throw new AssertionError("a new node of " + fresh.length + " bytes kept no encoding");
          }
        }
        assertTrue(kept > 300, "kept " + kept);
        s.commit(b, t);
        List<Node> after = new ArrayList<>();
        nodes(t.root, after);
        for (Node n : after) {
          assertNull(n.encoding, "a committed node still holds its encoding");
        }
      }
      Hash root = t.rootHash();
      List<byte[]> keys = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      t.entries(new byte[0]).forEachRemaining(e -> {
        keys.add(e.getKey());
        values.add(e.getValue());
      });
      assertEquals(1800, keys.size());
      s.waitForPruning();
      s.close();
      try (StateStore again = StateStore.open(tmp.resolve("s"), o)) {
        Trie back = again.trie(root);
        assertEquals(root, back.rootHash());
        for (int i = 0; i < keys.size(); i++) {
          assertArrayEquals(values.get(i), back.get(keys.get(i)));
        }
      }
    }
  }

  @Test
  void anInMemoryTrieKeepsNoEncodings() {
    Trie t = fill(Trie.empty(), new Random(3), 500);
    t.rootHash();
    List<Node> all = new ArrayList<>();
    nodes(t.root, all);
    for (Node n : all) {
      assertNull(n.encoding);
      assertEquals(Committer.encode(n).length, n.encodedLength());
    }
  }
}

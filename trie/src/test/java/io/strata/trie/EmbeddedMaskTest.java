package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hashed branch knows which of its children are embedded ({@link BranchNode#embedded}): the
 * hashing and the decoder set the mask the children's references give, in memory and for nodes
 * loaded from a store, and the entry walk of the commit's journal finds every entry held in
 * embedded children with it (short keys and values make many embedded nodes): after a crash the
 * reopen replays the journals of the blocks whose nodes were still in memory (flush lag), so a
 * journal missing an entry gives a wrong root or a lost value.
 */
class EmbeddedMaskTest {
  @TempDir Path tmp;

  private static byte[] shortKey(Random r) {
    byte[] k = new byte[1 + r.nextInt(3)];
    r.nextBytes(k);
    return k;
  }

  private static byte[] shortValue(Random r) {
    byte[] v = new byte[1 + r.nextInt(4)];
    r.nextBytes(v);
    return v;
  }

  /** Checks the mask of every branch reachable from {@code n}; returns the embedded children seen. */
  private static int check(Node n, NodeResolver resolver) {
    if (n == null) {
      return 0;
    }
    if (n instanceof HashNode h) {
      n = resolver.resolve(h);
    }
    int seen = 0;
    if (n instanceof BranchNode b) {
      assertEquals(b.embeddedMask(), b.embedded, "mask of a branch");
      seen += Integer.bitCount(b.embedded);
      for (Node c : b.children) {
        seen += check(c, resolver);
      }
    } else if (n instanceof ExtensionNode e) {
      seen += check(e.child, resolver);
    }
    return seen;
  }

  @Test
  void masksMatchTheChildrenInMemoryAndLoaded() {
    Random r = new Random(3);
    Trie t = Trie.empty();
    for (int i = 0; i < 2000; i++) {
      t = t.put(shortKey(r), shortValue(r));
    }
    t.rootHash();
    int embedded = check(t.root, null);
    assertTrue(embedded > 100, "the test needs embedded children, saw " + embedded);

    StateOptions o = StateOptions.builder().syncCommits(false).build();
    try (StateStore s = StateStore.open(tmp.resolve("s"), o)) {
      Trie st = s.emptyTrie();
      Random r2 = new Random(3);
      for (int i = 0; i < 2000; i++) {
        st = st.put(shortKey(r2), shortValue(r2));
      }
      Hash root = s.commit(st);
      assertEquals(t.rootHash(), root);
      Trie loaded = s.trie(root);
      assertEquals(embedded, check(loaded.root, s.resolver()));
    }
  }

  @Test
  void windowJournalsHoldTheEntriesOfEmbeddedChildren() {
    StateOptions o = StateOptions.builder().syncCommits(false).retention(Retention.blocks(8))
        .flushLag(4).build();
    Random r = new Random(11);
    Map<String, byte[]> model = new HashMap<>();
    List<Hash> roots = new ArrayList<>();
    StateStore s0 = StateStore.open(tmp.resolve("w"), o);
    {
      StateStore s = s0;
      Trie t = s.emptyTrie();
      for (int b = 0; b < 12; b++) {
        TrieUpdater u = t.updater();
        for (int i = 0; i < 60; i++) {
          byte[] k = shortKey(r);
          byte[] v = r.nextInt(5) == 0 ? new byte[0] : shortValue(r);
          u.put(k, v);
          if (v.length == 0) {
            model.remove(Hash.hex(k));
          } else {
            model.put(Hash.hex(k), v);
          }
        }
        t = u.build();
        roots.add(s.commit(b, t));
      }
      s.closeWritesNodes = false; // as a kill: the lagged blocks' nodes are lost, their journals
      s.close();                  // are replayed at the reopen
    }
    try (StateStore s = StateStore.open(tmp.resolve("w"), o)) {
      Trie t = s.trie(roots.get(roots.size() - 1));
      for (Map.Entry<String, byte[]> e : model.entrySet()) {
        assertArrayEquals(e.getValue(), t.get(java.util.HexFormat.of().parseHex(e.getKey())),
            e.getKey());
      }
      Trie rebuilt = Trie.empty();
      for (Map.Entry<String, byte[]> e : model.entrySet()) {
        rebuilt = rebuilt.put(java.util.HexFormat.of().parseHex(e.getKey()), e.getValue());
      }
      assertEquals(rebuilt.rootHash(), roots.get(roots.size() - 1));
    }
  }
}

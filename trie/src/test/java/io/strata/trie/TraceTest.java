package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import io.strata.lsm.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A windowed commit takes both sides of its diff from its trie's {@link Trace} (the stored nodes
 * the updates replaced) instead of walking both tries. With assertions on, as in these tests,
 * every traced commit is also checked against the two walks (StateStore.crossCheck), so each
 * scenario fails on a traced set that differs from the walked one; the exact accounting after
 * pruning ({@link RetentionModel#checkExactly}) fails on a node leaked or deleted too early.
 */
class TraceTest {
  private static final int WINDOW = 4;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static StateStore open(int flushLag) {
    MemFileSystem fs = new MemFileSystem();
    return StateStore.open(Path.of("/trace"), StateOptions.builder()
        .dbOptions(Options.builder().fileSystem(fs).build()).syncCommits(false)
        .flushLag(flushLag).retention(Retention.blocks(WINDOW)).build());
  }

  /** A block of random changes, with values set and set back (a node re-created under a key). */
  private static Trie block(Trie t, Random r, TreeMap<String, String> model) {
    return t.update(u -> {
      for (int i = 0; i < 12; i++) {
        String k = "key-" + r.nextInt(200);
        int op = r.nextInt(6);
        if (op == 0) {
          u.remove(b(k));
          model.remove(k);
        } else if (op == 1 && model.containsKey(k)) {
          // changed and set back inside the block: the same node again, a new object
          u.put(b(k), b("other"));
          u.put(b(k), b(model.get(k)));
        } else {
          String v = "value-" + r.nextInt(4) + "-" + "x".repeat(r.nextInt(40));
          u.put(b(k), b(v));
          model.put(k, v);
        }
      }
    });
  }

  private static void checkContents(Trie t, TreeMap<String, String> model) {
    for (int i = 0; i < 200; i++) {
      String k = "key-" + i;
      String v = model.get(k);
      if (v == null) {
        assertNull(t.get(b(k)), k);
      } else {
        assertArrayEquals(b(v), t.get(b(k)), k);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2})
  void aChainOfBlocksCommitsFromItsTraces(int flushLag) {
    Random r = new Random(13 + flushLag);
    TreeMap<String, String> model = new TreeMap<>();
    List<Hash> roots = new ArrayList<>();
    try (StateStore store = open(flushLag)) {
      Trie t = store.emptyTrie();
      for (int h = 0; h < 40; h++) {
        t = block(t, r, model);
        if (h % 5 == 4) {
          // persistent puts on top of an updater's trie: a chain of traces
          t = t.put(b("key-7"), b("persistent-" + h)).remove(b("key-8"));
          model.put("key-7", "persistent-" + h);
          model.remove("key-8");
        }
        roots.add(store.commit(h, t));
      }
      assertEquals(40, store.tracedCommits, "commits whose diff came from the trace");
      store.waitForPruning();
      checkContents(store.trie(roots.get(39)), model);
      RetentionModel.checkExactly(store, new HashSet<>(roots.subList(40 - WINDOW, 40)),
          "lag " + flushLag);
    }
  }

  /**
   * A trie made from a trie that a later trie of the same chain was committed before it: that
   * commit flagged the shared new nodes stored, so the earlier trie's trace no longer says what
   * it adds, and its commit must walk. Here the fork {@code u} becomes the canonical chain and
   * {@code v} leaves the window: a traced commit of {@code u} would have missed the nodes it
   * shares with {@code v}, which then die with {@code v}.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 2})
  void aTrieWhoseChainWasCommittedWalks(int flushLag) {
    Random r = new Random(7 + flushLag);
    TreeMap<String, String> model = new TreeMap<>();
    Set<Hash> retained = new HashSet<>();
    try (StateStore store = open(flushLag)) {
      Trie t = store.emptyTrie();
      for (int h = 0; h < 5; h++) {
        t = block(t, r, model);
        store.commit(h, t);
      }
      TreeMap<String, String> uModel = new TreeMap<>(model);
      Trie u = block(t, r, uModel); // not committed yet
      TreeMap<String, String> vModel = new TreeMap<>(uModel);
      Trie v = block(u, r, vModel);
      store.commit(5, v);
      long traced = store.tracedCommits;
      store.commit(5, u); // a fork at the same height, canonical from now on
      assertEquals(traced, store.tracedCommits, "the fork's commit must walk");
      Trie w = u;
      for (int h = 6; h < 6 + WINDOW + 3; h++) {
        w = block(w, r, uModel);
        Hash root = store.commit(h, w);
        if (h >= 6 + 3) {
          retained.add(root);
        }
      }
      store.waitForPruning();
      checkContents(store.trie(w.rootHash()), uModel);
      RetentionModel.checkExactly(store, retained, "lag " + flushLag);
      assertTrue(store.tracedCommits > traced, "the blocks after the fork are traced again");
    }
  }

  /**
   * A commit that walks (its trie was made from an older root than its anchor) and holds new
   * objects equal to the anchor's nodes (a subtree set to what the anchor has): the walk skips
   * them as the anchor's, so the commit must flag them stored; else the next block's trace would
   * not record them when it replaces them, and they would never leave.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 2})
  void aWalkedCommitFlagsTheNodesItSharesWithItsAnchor(int flushLag) {
    try (StateStore store = open(flushLag)) {
      Trie t0 = store.emptyTrie().update(u -> {
        for (int i = 0; i < 200; i++) {
          u.put(b("key-" + i), b("value-" + i));
        }
        u.put(b("a1"), b("A".repeat(40)));
        u.put(b("z1"), b("Z".repeat(40)));
      });
      Hash r0 = store.commit(0, t0);
      store.commit(1, t0.put(b("a1"), b("B".repeat(40))));
      long traced = store.tracedCommits;
      // from root 0, not from the anchor (height 1): the subtree of "a1" becomes the anchor's
      Trie v = store.trie(r0).put(b("a1"), b("B".repeat(40))).put(b("z1"), b("C".repeat(40)));
      store.commit(2, v);
      assertEquals(traced, store.tracedCommits, "a trie made from an older root walks");
      Trie w = v.put(b("a1"), b("D".repeat(40)));
      Set<Hash> retained = new HashSet<>();
      for (int h = 3; h < 3 + WINDOW; h++) {
        retained.add(store.commit(h, w));
        w = w.put(b("key-" + h), b("changed-" + h));
      }
      assertTrue(store.tracedCommits > traced, "the blocks after it are traced");
      store.waitForPruning();
      RetentionModel.checkExactly(store, retained, "lag " + flushLag);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void inMemoryTriesAndImportedTriesKeepNoTrace(boolean secure) {
    Trie t = (secure ? Trie.emptySecure() : Trie.empty()).put(b("a"), b("1")).put(b("b"), b("2"));
    assertNull(t.trace, "an in-memory trie needs no trace");
  }
}

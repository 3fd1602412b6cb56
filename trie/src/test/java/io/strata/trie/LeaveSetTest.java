package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leave sets of PRUNING.md section 8a: along a canonical chain every root that leaves the
 * window is counted down from the set its heir's commit recorded (no diff walk), and the store
 * ends holding exactly the nodes the retained roots reach. After a reopen the sets are gone: the
 * first leaves walk instead, later ones use the sets of the new session's commits, and the store
 * is still exact.
 */
class LeaveSetTest {
  @TempDir Path dir;

  private static final int WINDOW = 4;

  @Test
  void canonicalLeavesUseRecordedSetsAndStayExactAcrossAReopen() {
    StateOptions opts = StateOptions.builder().syncCommits(false)
        .retention(Retention.blocks(WINDOW)).build();
    Random r = new Random(7);
    byte[][] keys = new byte[2_000][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new byte[32];
      r.nextBytes(keys[i]);
    }
    long block = 0;
    Trie t;
    try (StateStore store = StateStore.open(dir, opts)) {
      t = store.emptyTrie();
      for (; block < 30; block++) {
        t = commitBlock(store, t, keys, r, block);
      }
      store.waitForPruning();
      // blocks 0..25 left the window; each had an heir anchored to it with a recorded set
      assertEquals(26, store.stats().rootsPruned(), "roots pruned");
      assertEquals(26, store.leavesFromMemory(), "leaves counted from recorded sets");
      RetentionModel.checkExactly(store, retained(store, block), "before reopen");
    }
    try (StateStore store = StateStore.open(dir, opts)) {
      t = store.trie(store.rootAt(block - 1).orElseThrow());
      for (; block < 50; block++) {
        t = commitBlock(store, t, keys, r, block);
      }
      store.waitForPruning();
      long fromMemory = store.leavesFromMemory();
      // of the WINDOW roots retained at the reopen, all but the newest have an heir committed
      // before the reopen (its set is gone): those leave by a walk
      assertEquals(20, store.stats().rootsPruned(), "roots pruned after reopen");
      assertEquals(20 - (WINDOW - 1), fromMemory, "leaves from recorded sets after reopen");
      RetentionModel.checkExactly(store, retained(store, block), "after reopen");
      for (int i = 0; i < keys.length; i += 101) {
        assertArrayEquals(t.get(keys[i]), store.trie(t.rootHash()).get(keys[i]));
      }
    }
  }

  private static Trie commitBlock(StateStore store, Trie t, byte[][] keys, Random r, long block) {
    Trie next = t.update(u -> {
      for (int i = 0; i < 50; i++) {
        byte[] v = new byte[40];
        r.nextBytes(v);
        u.put(keys[r.nextInt(keys.length)], v);
      }
    });
    store.commit(block, next);
    return next;
  }

  private static Set<Hash> retained(StateStore store, long end) {
    Set<Hash> roots = new HashSet<>();
    for (long h = end - WINDOW; h < end; h++) {
      roots.addAll(store.roots(h));
    }
    assertTrue(roots.size() >= WINDOW, "retained roots: " + roots.size());
    return roots;
  }
}

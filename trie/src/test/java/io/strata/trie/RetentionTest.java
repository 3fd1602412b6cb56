package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.ReadOptions;
import io.strata.StrataException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Examples of the retention API: forks, rewind, refusals, the namespace, format and modes. */
class RetentionTest {
  @TempDir Path tmp;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static StateOptions window(int n) {
    return StateOptions.builder().syncCommits(false).retention(Retention.blocks(n)).build();
  }

  private static Trie fill(Trie t, String tag, int n) {
    return t.update(u -> {
      for (int i = 0; i < n; i++) {
        u.put(b("key-" + i), b(tag + "-value-of-some-length-" + i));
      }
    });
  }

  @Test
  void retentionOptionsAreCheckedAndShown() {
    assertThrows(IllegalArgumentException.class, () -> Retention.blocks(0));
    assertTrue(Retention.archive().isArchive());
    assertEquals(128, Retention.blocks(128).blocks());
    assertEquals(Retention.blocks(3), Retention.blocks(3));
    assertEquals(Retention.archive(), StateOptions.defaults().retention());
    assertTrue(window(4).toString().contains("Retention.blocks(4)"));
  }

  /**
   * A store without links counts in memory and writes no count record; opened with links it
   * counts on disk. Switching back and forth (disk, memory, disk) keeps pruning exact: the
   * second disk session must not trust count records the memory session left stale.
   */
  @Test
  void countsMoveBetweenDiskAndMemoryWithoutStaleRecords() {
    Path dir = tmp.resolve("switch");
    StateOptions onDisk = StateOptions.builder().syncCommits(false)
        .retention(Retention.blocks(2)).leafLinks(LeafLinks.ethereumAccounts()).build();
    StateOptions inMemory = window(2);
    int block = 0;
    Hash last = null;
    for (StateOptions o : List.of(onDisk, inMemory, onDisk, inMemory)) {
      try (StateStore store = StateStore.open(dir, o)) {
        assertEquals(o == inMemory, store.countsInMemory());
        Trie t = last == null ? store.emptyTrie() : store.trie(last);
        for (int i = 0; i < 6; i++, block++) {
          t = t.update(u -> {
            for (int k = 0; k < 40; k += 3) {
              u.put(b("key-" + k), b("value " + k + " in a session of many blocks " + u));
            }
          });
          last = store.commit(block, fill(t, "b" + (block % 3), 10 + block % 7));
          t = store.trie(last);
        }
        store.waitForPruning();
        Set<Hash> retained = new java.util.HashSet<>();
        for (long h = block - 2; h < block; h++) {
          retained.addAll(store.roots(h));
        }
        RetentionModel.checkExactly(store, retained, "session ending at block " + block
            + (o == inMemory ? ", counts in memory" : ", counts on disk"));
      }
    }
  }

  @Test
  void forksAtOneHeightStayRetainedNewestCanonical() {
    try (StateStore store = StateStore.open(tmp.resolve("forks"), window(3))) {
      Trie base = fill(store.emptyTrie(), "base", 50);
      Hash r0 = store.commit(0, base);
      Hash a = store.commit(1, base.put(b("key-1"), b("fork a")));
      Hash c = store.commit(1, base.put(b("key-1"), b("fork c")));
      assertEquals(Optional.of(c), store.rootAt(1), "the newest fork is canonical");
      assertEquals(List.of(c, a), store.roots(1));
      assertEquals(List.of(r0), store.roots(0));
      assertArrayEquals(b("fork a"), store.trie(a).get(b("key-1")));
      assertArrayEquals(b("fork c"), store.trie(c).get(b("key-1")));
      // committing the first fork again makes it canonical, adds no root
      assertEquals(a, store.commit(1, store.trie(a)));
      assertEquals(List.of(a, c), store.roots(1));
      // both forks survive while height 1 is in the window, then both go
      Trie next = store.trie(c);
      for (long h = 2; h <= 3; h++) {
        next = next.put(b("h"), b("height " + h));
        store.commit(h, next);
      }
      store.waitForPruning();
      assertTrue(store.isRetained(a) && store.isRetained(c));
      assertFalse(store.isRetained(r0));
      PrunedStateException e = assertThrows(PrunedStateException.class, () -> store.trie(r0));
      assertEquals(r0, e.root());
      assertEquals(OptionalLong.of(0), e.block());
      assertTrue(e.getMessage().contains("block 0"), e.getMessage());
      assertTrue(e instanceof MissingNodeException);
      next = next.put(b("h"), b("height 4"));
      Hash r4 = store.commit(4, next);
      store.waitForPruning();
      assertThrows(PrunedStateException.class, () -> store.trie(a));
      assertThrows(PrunedStateException.class, () -> store.trie(c));
      assertEquals(List.of(), store.roots(1));
      assertEquals(Optional.empty(), store.rootAt(1), "a pruned height has no canonical root");
      StateStats s = store.stats();
      assertEquals(3, s.retainedRoots(), "heights 2, 3 and 4");
      assertEquals(3, s.rootsPruned());
      assertTrue(s.nodesDeleted() > 0 && s.bytesDeleted() > 0, s.toString());
      assertEquals(0, s.pruningBacklog());
      RetentionModel.checkExactly(store, Set.of(r4, store.rootAt(2).orElseThrow(),
          store.rootAt(3).orElseThrow()), "after height 1 left");
    }
  }

  @Test
  void rewindEndsTheCanonicalChainAndKeepsTheOtherBranchUntilTheWindowPasses() {
    try (StateStore store = StateStore.open(tmp.resolve("rewind"), window(4))) {
      Trie t = fill(store.emptyTrie(), "r", 20);
      Hash[] old = new Hash[5];
      for (int h = 0; h < 5; h++) {
        t = t.put(b("height"), b("old " + h));
        old[h] = store.commit(h, t);
      }
      assertThrows(IllegalArgumentException.class, () -> store.rewind(7), "forward");
      IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
          () -> store.rewind(0));
      assertTrue(below.getMessage().contains("oldest retained height is 1"), below.getMessage());
      store.rewind(2);
      assertEquals(OptionalLong.of(2), store.latestBlock());
      assertEquals(Optional.empty(), store.rootAt(3));
      assertEquals(List.of(old[3]), store.roots(3), "the old branch stays retained");
      assertArrayEquals(b("old 4"), store.trie(old[4]).get(b("height")));
      Trie fork = store.trie(old[2]).put(b("height"), b("new 3"));
      Hash new3 = store.commit(3, fork);
      assertEquals(Optional.of(new3), store.rootAt(3));
      assertEquals(List.of(new3, old[3]), store.roots(3));
      IllegalArgumentException tooLow = assertThrows(IllegalArgumentException.class,
          () -> store.commit(0, store.trie(old[2])));
      assertTrue(tooLow.getMessage().contains("oldest retained height is 1"),
          tooLow.getMessage());
    }
    // the rewind is durable: reopen sees the new chain
    try (StateStore store = StateStore.open(tmp.resolve("rewind"), window(4))) {
      assertEquals(OptionalLong.of(3), store.latestBlock());
      assertEquals(2, store.roots(3).size());
      assertEquals(1, store.roots(4).size());
    }
  }

  @Test
  void commitWithoutAHeightIsRefusedUnderAWindow() {
    try (StateStore store = StateStore.open(tmp.resolve("noheight"), window(2))) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> store.commit(store.emptyTrie().put(b("k"), b("v"))));
      assertTrue(e.getMessage().contains("commit(blockNumber, trie)"), e.getMessage());
    }
  }

  @Test
  void aFormatOneStoreIsRefusedWithAClearMessage() {
    Path dir = tmp.resolve("v1");
    try (Db db = Db.open(dir)) {
      db.put(new byte[] {0x00}, new byte[] {0x01}); // the version-1 format key
    }
    StrataException e = assertThrows(StrataException.class, () -> StateStore.open(dir));
    assertTrue(e.getMessage().contains("format version 1"), e.getMessage());
    assertTrue(e.getMessage().contains("no migration"), e.getMessage());
  }

  /** Rule 7: a caller's own keys in the same Db never meet the trie's. */
  @Test
  void theTrieKeepsToItsNamespaceInACallersDb() {
    try (Db db = Db.open(tmp.resolve("shared"))) {
      Hash root;
      try (StateStore store = StateStore.on(db)) {
        root = store.commit(1, fill(store.emptyTrie(), "ns", 300));
      }
      // the caller writes 32-byte keys equal to every node hash, and 1- and 9-byte keys (the
      // metadata keys of format 1), with junk values
      List<byte[]> nodeHashes = new java.util.ArrayList<>();
      try (Cursor c = db.cursor(ReadOptions.defaults())) {
        for (c.seekToFirst(); c.isValid(); c.next()) {
          byte[] k = c.key();
          assertEquals(0x00, k[0], "every trie key starts with the namespace");
          assertEquals(0x74, k[1], "every trie key starts with the namespace");
          if (k[2] == 'n') {
            nodeHashes.add(java.util.Arrays.copyOfRange(k, k.length - 32, k.length));
          }
        }
      }
      assertTrue(nodeHashes.size() > 10);
      for (byte[] h : nodeHashes) {
        db.put(h, b("caller's value"));
      }
      db.put(new byte[] {0x00}, b("x"));
      db.put(new byte[] {0x02}, b("y"));
      byte[] nine = new byte[9];
      nine[0] = 0x01;
      nine[8] = 1;
      db.put(nine, b("z"));
      try (StateStore store = StateStore.on(db)) {
        assertEquals(Optional.of(root), store.rootAt(1));
        assertEquals(OptionalLong.of(1), store.latestBlock());
        Trie t = store.trie(root);
        for (int i = 0; i < 300; i++) {
          assertArrayEquals(b("ns-value-of-some-length-" + i), t.get(b("key-" + i)));
        }
      }
      for (byte[] h : nodeHashes) {
        assertArrayEquals(b("caller's value"), db.get(h), "the trie never wrote the caller's key");
      }
    }
  }

  @Test
  void anArchiveStoreOpenedWithAWindowAdoptsItsRetainedRoots() {
    Path dir = tmp.resolve("switch");
    Hash[] roots = new Hash[6];
    try (StateStore store = StateStore.open(dir, StateOptions.builder().syncCommits(false)
        .build())) {
      Trie t = fill(store.emptyTrie(), "a", 200);
      for (int h = 0; h < 6; h++) {
        t = t.put(b("key-" + h), b("changed at " + h));
        roots[h] = store.commit(h, t);
      }
    }
    try (StateStore store = StateStore.open(dir, window(2))) {
      assertTrue(store.isRetained(roots[5]) && store.isRetained(roots[4]));
      assertFalse(store.isRetained(roots[3]));
      Trie t = store.trie(roots[5]);
      for (int h = 6; h < 10; h++) {
        t = t.put(b("key-" + (h * 7 % 200)), b("changed at " + h));
        store.commit(h, t);
      }
      store.waitForPruning();
      assertTrue(store.stats().nodesDeleted() > 0, "nodes the window replaced are deleted");
      for (int h = 8; h < 10; h++) {
        Trie r = store.trie(store.rootAt(h).orElseThrow());
        assertEquals(200, count(r));
      }
      assertThrows(PrunedStateException.class, () -> store.trie(roots[5]));
    }
    // back to archive: what is left stays, and every later root too
    Hash kept;
    try (StateStore store = StateStore.open(dir, StateOptions.builder().syncCommits(false)
        .build())) {
      Hash latest = store.rootAt(9).orElseThrow();
      kept = store.commit(10, store.trie(latest).put(b("archive"), b("again")));
      assertEquals(200 + 1, count(store.trie(kept)));
      assertEquals(200, count(store.trie(latest)));
    }
    // and a window again: adopts afresh (the counts of the first window are not reused)
    try (StateStore store = StateStore.open(dir, window(1))) {
      Trie t = store.trie(kept);
      for (int h = 11; h < 14; h++) {
        t = t.put(b("key-1"), b("again " + h));
        store.commit(h, t);
      }
      store.waitForPruning();
      assertEquals(201, count(store.trie(store.rootAt(13).orElseThrow())));
      assertNull(store.rootAt(12).orElse(null));
    }
  }

  private static int count(Trie t) {
    int n = 0;
    for (var it = t.entries(new byte[0]); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }
}

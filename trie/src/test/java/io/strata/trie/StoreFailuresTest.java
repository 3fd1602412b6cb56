package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.lsm.Db;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unknown roots, missing and damaged nodes, misuse of a store, and what commits write. */
class StoreFailuresTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Trie fill(Trie t, int n, long seed) {
    Random r = new Random(seed);
    return t.update(u -> {
      for (int i = 0; i < n; i++) {
        byte[] k = new byte[20];
        r.nextBytes(k);
        u.put(k, b("value-" + i));
      }
    });
  }

  @Test
  void unknownRootGivesMissingNodeNamingIt() {
    try (StateStore store = StateStore.open(dir)) {
      Hash unknown = Hash.keccak256(b("nothing"));
      MissingNodeException e = assertThrows(MissingNodeException.class, () -> store.trie(unknown));
      assertEquals(unknown, e.hash());
      assertTrue(e.getMessage().contains(unknown.toString()), e.getMessage());
      assertTrue(store.trie(Hash.EMPTY_TRIE).isEmpty());
      assertTrue(store.rootAt(5).isEmpty());
      assertTrue(store.latestBlock().isEmpty());
    }
  }

  /**
   * A stored leaf whose path has an odd number of nibbles decodes, and hashes to its key, but no
   * trie of byte keys holds one: iterating it is corruption, not a key with its last nibble
   * dropped (found by the whole-stack hostile-input campaign).
   */
  @Test
  void aStoredLeafAtAnOddPathIsCorruptionWhenIterated() {
    byte[] leaf = {(byte) 0xc2, 0x31, 0x76}; // [hex-prefix "odd leaf, nibble 1", "v"]
    Hash root = Hash.keccak256(leaf);
    try (StateStore store = StateStore.open(dir)) {
      store.db().put(StoreKeys.node(Nibbles.EMPTY, root.toBytes()), leaf);
      Trie t = store.trie(root);
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> t.entries(new byte[0]).next());
      assertTrue(e.getMessage().contains("1 nibbles"), e.getMessage());
      assertEquals(null, t.get(new byte[] {0x10}), "no byte key reaches it");
    }
  }

  @Test
  void missingAndDamagedNodesBelowTheRootAreDetected() {
    try (Db db = Db.open(dir)) {
      Hash root;
      Trie t;
      StateStore store = StateStore.on(db, StateOptions.builder().nodeCacheBytes(0).build());
      t = fill(store.emptyTrie(), 2_000, 3);
      root = store.commit(t);
      // find a stored node below the root: any node key (FORMAT.md, v2) other than the root's
      byte[] rootKey = StoreKeys.node(Nibbles.EMPTY, root.bytes());
      byte[] victim = null;
      try (io.strata.lsm.Cursor c = db.cursor(io.strata.lsm.ReadOptions.defaults())) {
        for (c.seekToFirst(); c.isValid(); c.next()) {
          byte[] k = c.key();
          if (k.length > 37 && k[0] == 0 && k[1] == 't' && k[2] == 'n') {
            victim = k;
            break;
          }
        }
      }
      byte[] good = db.get(victim);
      Hash victimHash = Hash.of(java.util.Arrays.copyOfRange(victim, victim.length - 32,
          victim.length));

      // damaged: one flipped byte in the node's bytes
      byte[] bad = good.clone();
      bad[bad.length / 2] ^= 1;
      db.write(new WriteBatch().put(victim, bad), WriteOptions.defaults());
      Trie reopened = store.trie(root);
      CorruptionException ce = assertThrows(CorruptionException.class, () -> readAll(reopened));
      assertTrue(ce.getMessage().contains(victimHash.toString()), ce.getMessage());

      // gone: the node was deleted
      db.write(new WriteBatch().delete(victim), WriteOptions.defaults());
      MissingNodeException me = assertThrows(MissingNodeException.class,
          () -> readAll(store.trie(root)));
      assertEquals(victimHash, me.hash());

      // restored: everything reads again
      db.write(new WriteBatch().put(victim, good), WriteOptions.defaults());
      assertEquals(2_000, readAll(store.trie(root)));

      // a damaged root
      byte[] rootBytes = db.get(rootKey);
      byte[] badRoot = rootBytes.clone();
      badRoot[3] ^= (byte) 0x80;
      db.write(new WriteBatch().put(rootKey, badRoot), WriteOptions.defaults());
      assertThrows(CorruptionException.class, () -> store.trie(root));
      store.close();
      // closing a store on a caller's Db leaves the Db open
      assertArrayEquals(badRoot, db.get(rootKey));
    }
  }

  private static int readAll(Trie t) {
    int n = 0;
    for (Iterator<Map.Entry<byte[], byte[]>> it = t.entries(new byte[0]); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  @Test
  void commitWritesOnlyNewNodesAndNothingForAnUnchangedTrie() {
    try (StateStore store = StateStore.open(dir,
        StateOptions.builder().syncCommits(false).build())) {
      Trie t = fill(store.emptyTrie(), 1_000, 4);
      store.commit(t);
      StateStats s1 = store.stats();
      assertEquals(s1, withCache(store.stats(), s1));
      store.commit(t);
      assertEquals(s1.bytesWritten(), store.stats().bytesWritten(), "an unchanged trie wrote");
      Trie reloaded = store.trie(t.rootHash());
      store.commit(reloaded);
      assertEquals(s1.bytesWritten(), store.stats().bytesWritten(), "a loaded trie wrote");
      Trie one = reloaded.put(b("one more key"), b("v"));
      store.commit(one);
      long nodes = store.stats().nodesWritten() - s1.nodesWritten();
      assertTrue(nodes >= 1 && nodes <= 5, "one put wrote " + nodes + " nodes");
      // a trie of another store or none is refused
      assertThrows(IllegalArgumentException.class, () -> store.commit(Trie.empty().put(b("a"),
          b("b"))));
      assertThrows(IllegalArgumentException.class, () -> store.commit(-1, t));
    }
  }

  private static StateStats withCache(StateStats now, StateStats before) {
    return new StateStats(now.commits(), now.nodesWritten(), now.bytesWritten(),
        before.nodeCacheHits(), before.nodeCacheMisses(), before.nodeCacheBytes());
  }

  @Test
  void splitCommitsStillLoadWholeAndStoreIsClosedAfterClose() {
    StateOptions small = StateOptions.builder().syncCommits(false).commitBatchBytes(1 << 20)
        .build();
    Hash root;
    StateStore first = StateStore.open(dir, small);
    Trie t = fill(first.emptyTrie(), 30_000, 5);
    root = first.commit(1, t);
    first.close();
    first.close();  // closing twice is harmless
    assertThrows(IllegalStateException.class, () -> first.trie(root));
    assertThrows(IllegalStateException.class, first::emptyTrie);
    try (StateStore store = StateStore.open(dir, small)) {
      assertEquals(root, store.rootAt(1).orElseThrow());
      assertEquals(30_000, readAll(store.trie(root)));
    }
  }
}

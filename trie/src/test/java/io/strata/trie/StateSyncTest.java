package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.ReadOptions;
import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A state sync between two stores: the server proves ranges of 1,000 entries from a root of
 * 100,000 keys, the client imports them in shuffled order, one of them tampered with in the
 * middle of the sync (refused, changing nothing, and fetched again), and ends with the same root,
 * the same entries and the same nodes; finishing early is refused, naming the gap. Also: a sync
 * of an older root while the server keeps committing blocks (no pruning yet, so the root stays
 * readable), plain stores whose keys are any byte strings, and the empty and one-key tries.
 */
class StateSyncTest {
  private static StateStore store(String name, boolean secure) {
    Db db = Db.open(Path.of("/" + name), Options.builder().fileSystem(new MemFileSystem())
        .writeBufferSize(8 << 20).build());
    return StateStore.on(db, StateOptions.builder().secure(secure).syncCommits(false).build());
  }

  private record Piece(byte[] origin, RangeProof range) {}

  @Test
  void syncOfOneHundredThousandKeysInShuffledRanges() {
    StateStore server = store("server", true);
    StateStore client = store("client", true);
    try {
      Random r = new Random(42);
      TrieUpdater u = server.emptyTrie().updater();
      for (int i = 0; i < 100_000; i++) {
        byte[] k = new byte[20];
        byte[] v = new byte[1 + r.nextInt(70)];
        r.nextBytes(k);
        r.nextBytes(v);
        u.put(k, v);
      }
      Hash root = server.commit(7, u.build());
      Trie source = server.trie(root);

      // the server: ranges of 1,000 entries, each from the key after the last one
      List<Piece> pieces = new ArrayList<>();
      byte[] origin = new byte[32];
      while (true) {
        RangeProof p = source.proveRange(origin, null, 1000, Long.MAX_VALUE);
        pieces.add(new Piece(origin, RangeProof.fromBytes(p.toBytes())));
        if (!RangeProof.verify(root, origin, p)) {
          break;
        }
        origin = increment(p.keys().get(p.size() - 1));
      }
      assertEquals(100, pieces.size());
      Collections.shuffle(pieces, r);

      long nodesBefore = 0;
      for (int i = 0; i < pieces.size(); i++) {
        Piece p = pieces.get(i);
        if (i == 50) {
          long keysBefore = count(client.db());
          // a tampered range: one value changed; refused, and nothing written
          List<byte[]> values = p.range().values();
          values.set(500, new byte[] {1, 2, 3});
          RangeProof bad = RangeProof.of(p.range().keys(), values, p.range().proofNodes());
          assertThrows(InvalidProofException.class, () -> client.importRange(root, p.origin(),
              bad));
          assertEquals(keysBefore, count(client.db()), "a refused range wrote nothing");
          IllegalStateException gap = assertThrows(IllegalStateException.class,
              () -> client.finishImport(root));
          assertTrue(gap.getMessage().contains("not whole"), gap.getMessage());
          assertThrows(MissingNodeException.class, () -> client.trie(root),
              "the root is not opened before the sync is whole");
        }
        client.importRange(root, p.origin(), p.range());
        nodesBefore = client.stats().nodesWritten();
      }
      assertTrue(nodesBefore > 0);
      Trie synced = client.finishImport(root);
      assertEquals(root, synced.rootHash());
      assertEquals(root, client.commit(7, synced), "a commit of the synced trie");
      assertEquals(root, client.rootAt(7).orElseThrow());

      // the same entries, read from the client's own nodes
      Iterator<Map.Entry<byte[], byte[]>> a = source.entries(new byte[0]);
      Iterator<Map.Entry<byte[], byte[]>> b = client.trie(root).entries(new byte[0]);
      int n = 0;
      while (a.hasNext()) {
        assertTrue(b.hasNext());
        Map.Entry<byte[], byte[]> x = a.next();
        Map.Entry<byte[], byte[]> y = b.next();
        assertArrayEquals(x.getKey(), y.getKey());
        assertArrayEquals(x.getValue(), y.getValue());
        n++;
      }
      assertFalse(b.hasNext());
      assertEquals(100_000, n);
      // and no difference between the two, diffed across the stores
      assertFalse(source.diff(client.trie(root)).hasNext());
      // every node the server holds for this root is in the client, byte for byte
      assertEquals(count(server.db()), count(client.db()),
          "the same keys: the nodes, the format key, block 7 and the latest block");
    } finally {
      close(server);
      close(client);
    }
  }

  @Test
  void syncOfAnOlderRootWhileTheServerKeepsCommitting() throws Exception {
    StateStore server = store("busy-server", true);
    StateStore client = store("busy-client", true);
    try {
      Random r = new Random(8);
      List<byte[]> keys = new ArrayList<>();
      TrieUpdater u = server.emptyTrie().updater();
      for (int i = 0; i < 20_000; i++) {
        byte[] k = new byte[8];
        r.nextBytes(k);
        keys.add(k);
        u.put(k, new byte[] {(byte) i, 1});
      }
      Hash root = server.commit(0, u.build());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong blocks = new AtomicLong();
      java.util.concurrent.atomic.AtomicReference<Throwable> failed =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread committer = new Thread(() -> {
        try {
          Random w = new Random(9);
          Trie t = server.trie(root);
          for (long b = 1; !stop.get(); b++) {
            TrieUpdater bu = t.updater();
            for (int i = 0; i < 200; i++) {
              bu.put(keys.get(w.nextInt(keys.size())), new byte[] {(byte) b, 2});
            }
            t = bu.build();
            server.commit(b, t);
            blocks.incrementAndGet();
          }
        } catch (Throwable e) {
          failed.set(e);
        }
      }, "committer");
      committer.start();
      Trie old = server.trie(root);
      byte[] origin = null;
      int ranges = 0;
      while (true) {
        RangeProof p = RangeProof.fromBytes(old.proveRange(origin, null, 1000, 64 * 1024)
            .toBytes());
        ranges++;
        if (!client.importRange(root, origin, p)) {
          break;
        }
        origin = increment(p.keys().get(p.size() - 1));
      }
      stop.set(true);
      committer.join();
      assertEquals(null, failed.get(), "the committer failed");
      assertTrue(blocks.get() > 0, "the server committed while it served");
      assertTrue(ranges >= 20);
      Trie synced = client.finishImport(root);
      assertEquals(root, synced.rootHash());
      assertFalse(server.trie(root).diff(client.trie(root)).hasNext());
      int n = 0;
      for (Iterator<Map.Entry<byte[], byte[]>> it = synced.entries(new byte[0]); it.hasNext();
          it.next()) {
        n++;
      }
      assertEquals(20_000, n);
      // the newest server root differs from the synced one by exactly the keys the blocks changed
      Hash newest = server.rootAt(server.latestBlock().orElseThrow()).orElseThrow();
      int changed = 0;
      for (Iterator<StateChange> it = server.diff(root, newest); it.hasNext(); it.next()) {
        changed++;
      }
      assertTrue(changed > 0 && changed <= 20_000);
    } finally {
      close(server);
      close(client);
    }
  }

  @Test
  void plainStoresCoverEveryByteString() {
    StateStore server = store("plain-server", false);
    StateStore client = store("plain-client", false);
    try {
      Trie t = server.emptyTrie();
      for (String k : new String[] {"", "a", "ab", "abc", "b", "ba", "c"}) {
        t = t.put(k.getBytes(), ("v" + k).getBytes());
      }
      Hash root = server.commit(t);
      Trie source = server.trie(root);
      RangeProof first = source.proveRange(null, null, 3, Long.MAX_VALUE);
      assertTrue(client.importRange(root, null, first));
      // the next range from last key + 0x00 (the key right after), later ones skipped first
      byte[] next = Arrays.copyOf(first.keys().get(2), first.keys().get(2).length + 1);
      RangeProof second = source.proveRange(next, null, 2, Long.MAX_VALUE);
      byte[] third = Arrays.copyOf(second.keys().get(1), second.keys().get(1).length + 1);
      RangeProof rest = source.proveRange(third, null, 100, Long.MAX_VALUE);
      assertFalse(client.importRange(root, third, rest));
      IllegalStateException gap = assertThrows(IllegalStateException.class,
          () -> client.finishImport(root));
      assertTrue(gap.getMessage().contains("0x" + Hash.hex(next)), gap.getMessage());
      // a range from a later origin leaves a gap too: "b" + 1 would skip "b\0..."
      assertTrue(client.importRange(root, next, second));
      assertEquals(root, client.finishImport(root).rootHash());
      assertArrayEquals("vab".getBytes(), client.trie(root).get("ab".getBytes()));
      assertArrayEquals("v".getBytes(), client.trie(root).get(new byte[0]));
      assertThrows(IllegalStateException.class, () -> client.finishImport(root),
          "the import is over");
    } finally {
      close(server);
      close(client);
    }
  }

  @Test
  void emptyAndOneRangeImports() {
    StateStore client = store("tiny", false);
    try {
      assertTrue(!client.importRange(Hash.EMPTY_TRIE, null,
          Trie.empty().proveRange(null, null, 10, 10)));
      assertTrue(client.finishImport(Hash.EMPTY_TRIE).isEmpty());
      Trie t = Trie.empty().put(new byte[] {5}, new byte[] {6});
      RangeProof whole = RangeProof.of(t.proveRange(null, null, 9, 99).keys(),
          t.proveRange(null, null, 9, 99).values(), List.of()); // no proof nodes: the whole trie
      assertFalse(client.importRange(t.rootHash(), null, whole));
      assertArrayEquals(new byte[] {6}, client.finishImport(t.rootHash()).get(new byte[] {5}));
      InvalidProofException wrongRoot = assertThrows(InvalidProofException.class,
          () -> client.importRange(Hash.keccak256(new byte[] {1}), null, whole));
      assertTrue(wrongRoot.getMessage().contains("whole trie"), wrongRoot.getMessage());
      IllegalStateException none = assertThrows(IllegalStateException.class,
          () -> client.finishImport(Hash.keccak256(new byte[] {1})));
      assertTrue(none.getMessage().contains("no verified range"), none.getMessage());
    } finally {
      close(client);
    }
  }

  private static byte[] increment(byte[] k) {
    byte[] c = k.clone();
    for (int i = c.length - 1; i >= 0; i--) {
      if (++c[i] != 0) {
        break;
      }
    }
    return c;
  }

  private static long count(Db db) {
    long n = 0;
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        n++;
      }
    }
    return n;
  }

  private static void close(StateStore s) {
    Db db = s.db();
    s.close();
    db.close();
  }
}

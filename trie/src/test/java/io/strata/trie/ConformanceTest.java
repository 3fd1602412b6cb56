package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of the Ethereum TrieTests vectors, plain files on a plain trie and secure files on a
 * secure trie, each in memory (one put at a time and through an updater) and through a store
 * (commit, close, reopen, read everything back, and keep updating from the loaded nodes); and the
 * 20,000-operation differential case random-1.json at every one of its 200 roots.
 */
class ConformanceTest {
  @TempDir Path tmp;

  private static final String[] PLAIN = {"trietest.json", "trieanyorder.json"};
  private static final String[] SECURE = {"trietest_secureTrie.json",
      "trieanyorder_secureTrie.json", "hex_encoded_securetrie_test.json"};

  /** One operation of a case: null value means remove. */
  record Op(byte[] key, byte[] value) {}

  @SuppressWarnings("unchecked")
  static List<Op> ops(Object in) {
    List<Op> ops = new ArrayList<>();
    if (in instanceof Map<?, ?> m) {
      for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
        ops.add(new Op(Vectors.bytes(e.getKey()),
            e.getValue() == null ? null : Vectors.bytes((String) e.getValue())));
      }
    } else {
      for (Object o : (List<Object>) in) {
        List<Object> kv = (List<Object>) o;
        ops.add(new Op(Vectors.bytes((String) kv.get(0)),
            kv.get(1) == null ? null : Vectors.bytes((String) kv.get(1))));
      }
    }
    return ops;
  }

  @TestFactory
  @SuppressWarnings("unchecked")
  Stream<DynamicTest> everyVectorCase() {
    List<DynamicTest> tests = new ArrayList<>();
    int[] count = {0};
    for (boolean secure : new boolean[] {false, true}) {
      for (String file : secure ? SECURE : PLAIN) {
        Map<String, Object> cases = (Map<String, Object>) Vectors.load(file);
        for (Map.Entry<String, Object> c : cases.entrySet()) {
          Map<String, Object> body = (Map<String, Object>) c.getValue();
          List<Op> ops = ops(body.get("in"));
          Hash expected = Hash.fromHex((String) body.get("root"));
          count[0]++;
          tests.add(DynamicTest.dynamicTest(file + " " + c.getKey() + " in memory",
              () -> inMemory(secure, ops, expected)));
          tests.add(DynamicTest.dynamicTest(file + " " + c.getKey() + " committed and reopened",
              () -> throughStore(secure, ops, expected, file + "-" + c.getKey())));
          tests.add(DynamicTest.dynamicTest(file + " " + c.getKey() + " one block per change,"
              + " window of 1", () -> windowOfOne(secure, ops, expected,
                  file + "-" + c.getKey() + "-window")));
        }
      }
    }
    // 5 + 7 plain, 3 + 7 + 3 secure cases in the snapshot described in MANIFEST.txt
    assertEquals(25, count[0], "cases found in the vector files");
    return tests.stream();
  }

  private static TreeMap<byte[], byte[]> model(boolean secure, List<Op> ops) {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
    for (Op op : ops) {
      if (op.value == null || op.value.length == 0) {
        m.remove(op.key);
      } else {
        m.put(op.key, op.value);
      }
    }
    return m;
  }

  private static Trie apply(Trie t, List<Op> ops) {
    for (Op op : ops) {
      t = op.value == null ? t.remove(op.key) : t.put(op.key, op.value);
    }
    return t;
  }

  private static Trie applyBatch(Trie t, List<Op> ops) {
    return t.update(u -> {
      for (Op op : ops) {
        if (op.value == null) {
          u.remove(op.key);
        } else {
          u.put(op.key, op.value);
        }
      }
    });
  }

  static void inMemory(boolean secure, List<Op> ops, Hash expected) {
    Trie empty = secure ? Trie.emptySecure() : Trie.empty();
    Trie one = apply(empty, ops);
    assertEquals(expected, one.rootHash(), "root, one put at a time");
    Trie batch = applyBatch(empty, ops);
    assertEquals(expected, batch.rootHash(), "root, through an updater");
    assertEquals(Hash.EMPTY_TRIE, empty.rootHash(), "the empty trie was changed");
    for (Map.Entry<byte[], byte[]> e : model(secure, ops).entrySet()) {
      assertArrayEquals(e.getValue(), one.get(e.getKey()));
      assertArrayEquals(e.getValue(), batch.get(e.getKey()));
    }
    // removing every key in reverse order gets back to the empty root
    Trie t = one;
    for (byte[] k : model(secure, ops).keySet()) {
      t = t.remove(k);
    }
    assertEquals(Hash.EMPTY_TRIE, t.rootHash(), "root after removing every key");
  }

  private void throughStore(boolean secure, List<Op> ops, Hash expected, String name)
      throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_")));
    StateOptions opts = StateOptions.builder().secure(secure).syncCommits(false).build();
    TreeMap<byte[], byte[]> model = model(secure, ops);
    Hash root;
    try (StateStore store = StateStore.open(dir, opts)) {
      Trie t = apply(store.emptyTrie(), ops);
      root = store.commit(7, t);
      assertEquals(expected, root);
    }
    try (StateStore store = StateStore.open(dir, opts)) {
      assertEquals(expected, store.rootAt(7).orElseThrow());
      assertEquals(7, store.latestBlock().orElseThrow());
      Trie t = store.trie(root);
      assertEquals(expected, t.rootHash());
      for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
        assertArrayEquals(e.getValue(), t.get(e.getKey()));
      }
      // keep working on the loaded nodes: remove every key one by one, compare with memory
      Trie mem = apply(secure ? Trie.emptySecure() : Trie.empty(), ops);
      for (byte[] k : model.keySet()) {
        t = t.remove(k);
        mem = mem.remove(k);
        assertEquals(mem.rootHash(), t.rootHash(), "after removing a key from the loaded trie");
        store.commit(t);
      }
      assertEquals(Hash.EMPTY_TRIE, t.rootHash());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void nextAndPreviousKeys() {
    Map<String, Object> cases = (Map<String, Object>) Vectors.load("trietestnextprev.json");
    assertTrue(!cases.isEmpty());
    for (Object c : cases.values()) {
      Map<String, Object> body = (Map<String, Object>) c;
      Trie t = Trie.empty();
      for (Object k : (List<Object>) body.get("in")) {
        t = t.put(Vectors.bytes((String) k), Vectors.bytes((String) k));
      }
      for (Object test : (List<Object>) body.get("tests")) {
        List<Object> row = (List<Object>) test;
        byte[] key = Vectors.bytes((String) row.get(0));
        String prev = (String) row.get(1);
        String next = (String) row.get(2);
        byte[] foundNext = null;
        for (Iterator<Map.Entry<byte[], byte[]>> it = t.entries(key); it.hasNext(); ) {
          byte[] k = it.next().getKey();
          if (Arrays.compareUnsigned(k, key) > 0) {
            foundNext = k;
            break;
          }
        }
        byte[] foundPrev = null;
        for (Iterator<Map.Entry<byte[], byte[]>> it = t.entries(new byte[0]); it.hasNext(); ) {
          byte[] k = it.next().getKey();
          if (Arrays.compareUnsigned(k, key) >= 0) {
            break;
          }
          foundPrev = k;
        }
        assertEquals(next, foundNext == null ? "" : new String(foundNext), "next of " + row.get(0));
        assertEquals(prev, foundPrev == null ? "" : new String(foundPrev), "prev of " + row.get(0));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> randomOps(Map<String, Object> body) {
    return (List<Map<String, Object>>) (List<?>) body.get("ops");
  }

  @Test
  @SuppressWarnings("unchecked")
  void random1InMemoryAtEveryRoot() {
    Map<String, Object> body = (Map<String, Object>) Vectors.load("random-1.json");
    List<Object> roots = (List<Object>) body.get("roots");
    List<Object> rootsSecure = (List<Object>) body.get("rootsSecure");
    Trie plain = Trie.empty();
    Trie secure = Trie.emptySecure();
    List<Op> pending = new ArrayList<>();
    int r = 0;
    for (Map<String, Object> op : randomOps(body)) {
      String kind = (String) op.get("op");
      if (kind.equals("root")) {
        secure = applyBatch(secure, pending);
        pending.clear();
        assertEquals(Hash.fromHex((String) roots.get(r)), plain.rootHash(), "plain root " + r);
        assertEquals(Hash.fromHex((String) rootsSecure.get(r)), secure.rootHash(),
            "secure root " + r);
        r++;
        continue;
      }
      byte[] key = Vectors.bytes((String) op.get("key"));
      Op o = new Op(key, kind.equals("put") ? Vectors.bytes((String) op.get("value")) : null);
      plain = o.value == null ? plain.remove(key) : plain.put(key, o.value);
      pending.add(o);
    }
    assertEquals(200, r, "root checks");
  }

  @Test
  @SuppressWarnings("unchecked")
  void random1ThroughStoreWithReopens() {
    Map<String, Object> body = (Map<String, Object>) Vectors.load("random-1.json");
    List<Object> roots = (List<Object>) body.get("roots");
    List<Object> rootsSecure = (List<Object>) body.get("rootsSecure");
    for (boolean secure : new boolean[] {false, true}) {
      Path dir = tmp.resolve(secure ? "random-secure" : "random-plain");
      StateOptions opts = StateOptions.builder().secure(secure).syncCommits(false)
          .nodeCacheBytes(secure ? 0 : 1 << 20).build();
      List<Object> expected = secure ? rootsSecure : roots;
      StateStore store = StateStore.open(dir, opts);
      try {
        Trie t = store.emptyTrie();
        List<Op> pending = new ArrayList<>();
        int r = 0;
        for (Map<String, Object> op : randomOps(body)) {
          String kind = (String) op.get("op");
          if (!kind.equals("root")) {
            byte[] key = Vectors.bytes((String) op.get("key"));
            pending.add(new Op(key, kind.equals("put")
                ? Vectors.bytes((String) op.get("value")) : null));
            continue;
          }
          t = applyBatch(t, pending);
          pending.clear();
          Hash root = store.commit(r, t);
          assertEquals(Hash.fromHex((String) expected.get(r)), root, "root " + r);
          r++;
          if (r % 40 == 0) {
            // reopen and continue from the nodes as stored
            store.close();
            store = StateStore.open(dir, opts);
            t = store.trie(store.rootAt(r - 1).orElseThrow());
          }
        }
        store.close();
        store = StateStore.open(dir, opts);
        assertEquals(199, store.latestBlock().orElseThrow());
        for (int i = 0; i < 200; i++) {
          Hash want = Hash.fromHex((String) expected.get(i));
          assertEquals(want, store.rootAt(i).orElseThrow(), "rootAt " + i);
          if (i % 20 == 0 || i == 199) {
            // the whole trie at that root is readable
            Trie old = store.trie(want);
            int n = 0;
            for (Iterator<Map.Entry<byte[], byte[]>> it = old.entries(new byte[0]); it.hasNext();
                it.next()) {
              n++;
            }
            assertTrue(n > 0 || want.equals(Hash.EMPTY_TRIE));
          }
        }
        assertNull(store.rootAt(200).orElse(null));
      } finally {
        store.close();
      }
    }
  }

  /**
   * Every change of a vector case committed as its own block under {@code Retention.blocks(1)}:
   * each block's root reads its whole contents, the root before it is pruned, and after {@code
   * waitForPruning} the store holds exactly the final root's nodes.
   */
  void windowOfOne(boolean secure, List<Op> ops, Hash expected, String name) {
    StateOptions opts = StateOptions.builder().secure(secure).syncCommits(false)
        .retention(Retention.blocks(1)).build();
    try (StateStore store = StateStore.open(tmp.resolve(name.replaceAll("[^A-Za-z0-9_-]", "_")),
        opts)) {
      Trie t = store.emptyTrie();
      List<Op> done = new ArrayList<>();
      Hash previous = null;
      for (int i = 0; i < ops.size(); i++) {
        t = apply(t, List.of(ops.get(i)));
        done.add(ops.get(i));
        Hash root = store.commit(i, t);
        assertEquals(model(secure, done).size(), count(store.trie(root)), "entries at " + i);
        if (previous != null && !previous.equals(root) && !previous.equals(Hash.EMPTY_TRIE)) {
          Hash p = previous;
          org.junit.jupiter.api.Assertions.assertThrows(PrunedStateException.class,
              () -> store.trie(p));
        }
        previous = root;
      }
      assertEquals(expected, t.rootHash(), "final root");
      store.waitForPruning();
      RetentionModel.checkExactly(store, java.util.Set.of(expected), name);
    }
  }

  private static int count(Trie t) {
    int n = 0;
    for (Iterator<Map.Entry<byte[], byte[]>> it = t.entries(new byte[0]); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  /** random-1.json with one block per root under {@code Retention.blocks(1)}, plain and secure. */
  @Test
  @SuppressWarnings("unchecked")
  void random1WithAWindowOfOne() {
    Map<String, Object> body = (Map<String, Object>) Vectors.load("random-1.json");
    for (boolean secure : new boolean[] {false, true}) {
      List<Object> expected = (List<Object>) body.get(secure ? "rootsSecure" : "roots");
      StateOptions opts = StateOptions.builder().secure(secure).syncCommits(false)
          .nodeCacheBytes(secure ? 0 : 1 << 20).retention(Retention.blocks(1)).build();
      Path dir = tmp.resolve(secure ? "random-window-secure" : "random-window-plain");
      StateStore store = StateStore.open(dir, opts);
      try {
        Trie t = store.emptyTrie();
        List<Op> pending = new ArrayList<>();
        List<Op> all = new ArrayList<>();
        Hash previous = null;
        int r = 0;
        for (Map<String, Object> op : randomOps(body)) {
          String kind = (String) op.get("op");
          if (!kind.equals("root")) {
            byte[] key = Vectors.bytes((String) op.get("key"));
            pending.add(new Op(key, kind.equals("put")
                ? Vectors.bytes((String) op.get("value")) : null));
            continue;
          }
          t = applyBatch(t, pending);
          all.addAll(pending);
          pending.clear();
          Hash root = store.commit(r, t);
          assertEquals(Hash.fromHex((String) expected.get(r)), root, "root " + r);
          if (r % 10 == 0) {
            assertEquals(model(false, all).size(), count(store.trie(root)), "entries at " + r);
          }
          if (previous != null && !previous.equals(root)
              && !previous.equals(Hash.EMPTY_TRIE)) {
            Hash p = previous;
            StateStore s = store;
            org.junit.jupiter.api.Assertions.assertThrows(PrunedStateException.class,
                () -> s.trie(p), "root of block " + (r - 1));
          }
          previous = root;
          r++;
          if (r % 50 == 0 && r < 200) {
            store.close();
            store = StateStore.open(dir, opts);
            t = store.trie(store.rootAt(r - 1).orElseThrow());
          }
        }
        assertEquals(200, r);
        store.waitForPruning();
        RetentionModel.checkExactly(store, java.util.Set.of(previous), "random-1 window 1");
        assertTrue(store.stats().nodesDeleted() > 0 || secure, "pruning deleted nodes");
      } finally {
        store.close();
      }
    }
  }

  static Comparator<byte[]> unsigned() {
    return Arrays::compareUnsigned;
  }
}

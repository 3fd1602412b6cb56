package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.fs.MemFileSystem;
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
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@code diff} against a model: for random pairs of roots from a committed history with forks
 * (plain and secure), the changes are exactly the model's difference in key order, and the
 * nodes the diff loads (counted by a resolver wrapped around the store) are never more than the
 * stored nodes that differ between the two tries (counted by position and hash by walking both
 * tries whole): equal subtrees are skipped unread.
 */
class DiffProperties {
  @Provide
  Arbitrary<List<List<Gen.Op>>> history() {
    return Gen.ops().list().ofMinSize(1).ofMaxSize(6);
  }

  @Property(tries = 150)
  void diffsFollowTheModelAndReadOnlyNodesThatDiffer(@ForAll("history") List<List<Gen.Op>> blocks,
      @ForAll boolean secure, @ForAll @IntRange(min = 0, max = 1000) int forkSeed,
      @ForAll @IntRange(min = 0, max = 1000) int pick) {
    try (Db db = Db.open(Path.of("/diff"), Options.builder().fileSystem(new MemFileSystem())
        .build()); StateStore store = StateStore.on(db, StateOptions.builder().secure(secure)
            .syncCommits(false).nodeCacheBytes(0).build())) {
      List<Hash> roots = new ArrayList<>();
      List<List<Gen.Op>> histories = new ArrayList<>();
      roots.add(Hash.EMPTY_TRIE);
      histories.add(List.of());
      Random r = new Random(forkSeed);
      for (List<Gen.Op> ops : blocks) {
        int parent = r.nextInt(roots.size()); // a fork when not the last
        Trie t = Gen.apply(store.trie(roots.get(parent)), ops);
        roots.add(store.commit(t));
        List<Gen.Op> h = new ArrayList<>(histories.get(parent));
        h.addAll(ops);
        histories.add(h);
      }
      int a = pick % roots.size();
      int b = (pick / roots.size()) % roots.size();
      check(store, roots.get(a), Gen.model(histories.get(a), secure), roots.get(b),
          Gen.model(histories.get(b), secure));
    }
  }

  static void check(StateStore store, Hash from, TreeMap<byte[], byte[]> fromModel, Hash to,
      TreeMap<byte[], byte[]> toModel) {
    AtomicLong reads = new AtomicLong();
    NodeResolver counting = ref -> {
      reads.incrementAndGet();
      return store.resolver().resolve(ref);
    };
    DiffIterator it = new DiffIterator(new HashNodeOrNull(from).node, counting,
        new HashNodeOrNull(to).node, counting);
    List<StateChange> got = new ArrayList<>();
    it.forEachRemaining(got::add);
    List<StateChange> want = modelDiff(fromModel, toModel);
    assertEquals(want, got);
    assertEquals(reads.get(), it.nodesRead());
    // the public entry points agree
    List<StateChange> viaStore = new ArrayList<>();
    store.diff(from, to).forEachRemaining(viaStore::add);
    assertEquals(want, viaStore);
    long differ = differingNodes(store, from, to);
    assertTrue(reads.get() <= differ, "read " + reads.get() + " nodes, " + differ + " differ");
  }

  /** The root as a reference to load (so that its load is counted), or null for the empty trie. */
  private record HashNodeOrNull(Node node) {
    HashNodeOrNull(Hash h) {
      this(h.equals(Hash.EMPTY_TRIE) ? null : new HashNode(h));
    }
  }

  static List<StateChange> modelDiff(TreeMap<byte[], byte[]> a, TreeMap<byte[], byte[]> b) {
    TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
    keys.addAll(a.keySet());
    keys.addAll(b.keySet());
    List<StateChange> out = new ArrayList<>();
    for (byte[] k : keys) {
      byte[] x = a.get(k);
      byte[] y = b.get(k);
      if (!Arrays.equals(x, y)) {
        out.add(new StateChange(k, x, y));
      }
    }
    return out;
  }

  /** Stored nodes (by position and hash) in one trie and not the other, both ways. */
  static long differingNodes(StateStore store, Hash a, Hash b) {
    Set<String> x = storedNodes(store, a);
    Set<String> y = storedNodes(store, b);
    long n = 0;
    for (String s : x) {
      if (!y.contains(s)) {
        n++;
      }
    }
    for (String s : y) {
      if (!x.contains(s)) {
        n++;
      }
    }
    return n;
  }

  private static Set<String> storedNodes(StateStore store, Hash root) {
    Set<String> out = new HashSet<>();
    if (!root.equals(Hash.EMPTY_TRIE)) {
      walk(store, new HashNode(root), "", out);
    }
    return out;
  }

  private static void walk(StateStore store, Node n, String pos, Set<String> out) {
    if (n instanceof HashNode h) {
      out.add(pos + "/" + h.hash);
      n = store.resolver().resolve(h);
    }
    if (n instanceof ExtensionNode e) {
      StringBuilder p = new StringBuilder(pos);
      for (byte x : e.path) {
        p.append(Character.forDigit(x, 16));
      }
      walk(store, e.child, p.toString(), out);
    } else if (n instanceof BranchNode br) {
      for (int i = 0; i < 16; i++) {
        if (br.children[i] != null) {
          walk(store, br.children[i], pos + Character.forDigit(i, 16), out);
        }
      }
    }
  }

  @Test
  void aSmallChangeToALargeTrieReadsFewNodes() {
    try (Db db = Db.open(Path.of("/diff-large"), Options.builder()
        .fileSystem(new MemFileSystem()).build());
        StateStore store = StateStore.on(db, StateOptions.builder().secure(true)
            .syncCommits(false).build())) {
      Random r = new Random(1);
      TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
      List<byte[]> keys = new ArrayList<>();
      Trie t = store.emptyTrie();
      TrieUpdater u = t.updater();
      for (int i = 0; i < 20_000; i++) {
        byte[] k = new byte[8];
        byte[] v = new byte[40];
        r.nextBytes(k);
        r.nextBytes(v);
        u.put(k, v);
        keys.add(k);
        model.put(Hash.keccak256(k).toBytes(), v);
      }
      Hash before = store.commit(u.build());
      TreeMap<byte[], byte[]> after = new TreeMap<>(model);
      Trie changed = store.trie(before);
      for (int i = 0; i < 10; i++) {
        byte[] k = keys.get(r.nextInt(keys.size()));
        changed = i % 3 == 0 ? changed.remove(k) : changed.put(k, new byte[] {(byte) i});
        if (i % 3 == 0) {
          after.remove(Hash.keccak256(k).toBytes());
        } else {
          after.put(Hash.keccak256(k).toBytes(), new byte[] {(byte) i});
        }
      }
      Hash next = store.commit(changed);
      check(store, before, model, next, after);
      check(store, next, after, before, model);
      // the bound in absolute terms: 10 changed keys in a trie about 4 levels deep
      AtomicLong reads = new AtomicLong();
      NodeResolver counting = ref -> {
        reads.incrementAndGet();
        return store.resolver().resolve(ref);
      };
      Iterator<StateChange> it = new DiffIterator(new HashNode(before), counting,
          new HashNode(next), counting);
      int changes = 0;
      while (it.hasNext()) {
        it.next();
        changes++;
      }
      assertTrue(changes >= 7 && changes <= 10, "changes " + changes);
      assertTrue(reads.get() <= 2 * 10 * 5, "read " + reads.get() + " of ~25,000 nodes");
      assertFalse(store.diff(before, before).hasNext());
    }
  }

  @Test
  void inMemoryTriesAndTriesOfTwoStoresDiffToo() {
    Trie a = Trie.empty().put(new byte[] {1}, new byte[] {1}).put(new byte[] {1, 2},
        new byte[] {2});
    Trie b = a.remove(new byte[] {1}).put(new byte[] {3}, new byte[] {3});
    List<StateChange> got = new ArrayList<>();
    a.diff(b).forEachRemaining(got::add);
    assertEquals(List.of(new StateChange(new byte[] {1}, new byte[] {1}, null),
        new StateChange(new byte[] {3}, null, new byte[] {3})), got);
    StateChange c = got.get(0);
    assertArrayEquals(new byte[] {1}, c.key());
    c.key()[0] = 9;
    assertArrayEquals(new byte[] {1}, c.key(), "a copy out");
  }

}

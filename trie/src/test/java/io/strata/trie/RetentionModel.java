package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.ReadOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The in-memory model of a windowed store for the retention properties: every commit (height,
 * root, contents), the canonical root per height, the latest block and the horizon, and the
 * checks that compare a store with it. Operations decode from small integers so that jqwik can
 * shrink a failing list.
 *
 * <p>Keys are {@code x}, {@code y} or {@code z} followed by one of four suffixes and values are
 * three 30-byte strings, so the subtrees under two first letters are often identical (rule 1:
 * the same bytes at several places of one trie) and a value set back to an earlier one re-creates
 * nodes that an earlier block dropped.
 *
 * <p>Not thread-safe.
 */
final class RetentionModel {
  static final String[] PREFIXES = {"x", "y", "z"};
  static final String[] SUFFIXES = {"", "a", "b", "ab"};
  static final String[] VALUES = {"1".repeat(30), "2".repeat(30), "3".repeat(30)};

  record Commit(long seq, long height, Hash root, TreeMap<String, String> contents) {}

  final int window;
  final List<Commit> commits = new ArrayList<>();
  final TreeMap<Long, Hash> canonical = new TreeMap<>();
  final Map<Hash, TreeMap<String, String>> contents = new HashMap<>();
  /** Roots pruned since the store was last opened (they must give PrunedStateException). */
  final Set<Hash> prunedThisSession = new HashSet<>();
  long latest = -1;
  long horizon = -1;
  /** The last committed trie object, to build on as a node would (null after a reopen). */
  Trie last;

  RetentionModel(int window) {
    this.window = window;
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Roots retained now: committed at a height above the horizon. */
  Set<Hash> retained() {
    Set<Hash> r = new HashSet<>();
    for (Commit c : commits) {
      if (c.height > horizon) {
        r.add(c.root);
      }
    }
    return r;
  }

  /** Applies operation {@code code} to the store and the model; returns a description. */
  String apply(StateStore store, int code) {
    Random r = new Random(code);
    int kind = Math.floorMod(code, 10);
    if (kind == 9 && latest >= 0) {
      long lo = horizon + 1;
      long to = lo + r.nextInt((int) (latest - lo + 1));
      store.rewind(to);
      canonical.tailMap(to, false).clear();
      latest = to;
      last = null;
      return "rewind to " + to;
    }
    if (kind == 8) {
      Set<Hash> before = retained();
      store.waitForPruning();
      return "wait for pruning (" + before.size() + " retained)";
    }
    long height = latest < 0 ? 0 : kind <= 4 ? latest + 1 : kind <= 6 ? latest : latest + 2;
    height = Math.max(height, horizon + 1);
    Trie base;
    TreeMap<String, String> model;
    List<Hash> retainedRoots = new ArrayList<>(retained());
    retainedRoots.sort((p, q) -> p.toString().compareTo(q.toString()));
    if (kind == 7 && !retainedRoots.isEmpty()) {
      Hash from = retainedRoots.get(r.nextInt(retainedRoots.size()));
      base = store.trie(from);
      model = new TreeMap<>(contents.get(from));
    } else if (last != null && r.nextBoolean()) {
      base = last;
      model = new TreeMap<>(contents.get(last.rootHash()));
    } else if (latest >= 0 && canonical.containsKey(latest)) {
      Hash from = canonical.get(latest);
      base = store.trie(from);
      model = new TreeMap<>(contents.get(from));
    } else {
      base = store.emptyTrie();
      model = new TreeMap<>();
    }
    int changes = 1 + r.nextInt(5);
    Trie t = base;
    StringBuilder d = new StringBuilder("commit at " + height + ":");
    for (int i = 0; i < changes; i++) {
      String key = PREFIXES[r.nextInt(3)] + SUFFIXES[r.nextInt(4)];
      if (r.nextInt(4) == 0) {
        t = t.remove(b(key));
        model.remove(key);
        d.append(" -").append(key);
      } else {
        String v = VALUES[r.nextInt(3)];
        t = t.put(b(key), b(v));
        model.put(key, v);
        d.append(" ").append(key).append("=").append(v.charAt(0));
      }
    }
    if (r.nextInt(3) == 0) {
      // copy the subtree of one prefix under another: identical subtrees at two positions
      String from = PREFIXES[r.nextInt(3)];
      String to = PREFIXES[r.nextInt(3)];
      for (String s : SUFFIXES) {
        String v = model.get(from + s);
        if (v == null) {
          t = t.remove(b(to + s));
          model.remove(to + s);
        } else {
          t = t.put(b(to + s), b(v));
          model.put(to + s, v);
        }
      }
      d.append(" copy ").append(from).append("->").append(to);
    }
    Hash root = store.commit(height, t);
    assertEquals(fresh(model), root, "root of the model's contents");
    commits.add(new Commit(commits.size(), height, root, model));
    contents.put(root, model);
    canonical.put(height, root);
    if (height > latest) {
      latest = height;
    }
    long before = horizon;
    horizon = Math.max(horizon, latest - window);
    canonical.headMap(horizon, true).clear();
    for (Commit c : commits) {
      if (c.height > before && c.height <= horizon && !retained().contains(c.root)) {
        prunedThisSession.add(c.root);
      }
    }
    prunedThisSession.removeAll(retained());
    prunedThisSession.remove(Hash.EMPTY_TRIE); // holds no node: always readable
    last = t;
    return d.toString();
  }

  static Hash fresh(Map<String, String> model) {
    return Trie.empty().update(u -> model.forEach((k, v) -> u.put(b(k), b(v)))).rootHash();
  }

  /** Every retained root reads, iterates and proves its model; pruned roots are refused. */
  void check(StateStore store, String context) {
    Set<Hash> retained = retained();
    for (Hash root : retained) {
      assertTrue(store.isRetained(root), context + ": " + root + " is retained");
      Trie t = store.trie(root);
      TreeMap<String, String> want = contents.get(root);
      for (String p : PREFIXES) {
        for (String s : SUFFIXES) {
          String v = want.get(p + s);
          byte[] got = t.get(b(p + s));
          assertArrayEquals(v == null ? null : b(v), got, context + ": key " + p + s
              + " at root " + root);
          Optional<byte[]> proven = Proof.verify(root, b(p + s), t.prove(b(p + s)));
          assertArrayEquals(v == null ? null : b(v), proven.orElse(null), context
              + ": proof of " + p + s);
        }
      }
      TreeMap<String, String> all = new TreeMap<>();
      for (Iterator<Map.Entry<byte[], byte[]>> it = t.entries(new byte[0]); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> e = it.next();
        all.put(new String(e.getKey(), StandardCharsets.UTF_8),
            new String(e.getValue(), StandardCharsets.UTF_8));
      }
      assertEquals(want, all, context + ": entries of " + root);
    }
    for (Hash root : prunedThisSession) {
      if (!retained.contains(root)) {
        assertTrue(!store.isRetained(root), context + ": " + root + " is not retained");
        PrunedStateException e = assertThrows(PrunedStateException.class, () -> store.trie(root),
            context + ": pruned root " + root);
        assertEquals(root, e.root());
      }
    }
    for (long h = Math.max(0, horizon + 1); h <= latest + 2; h++) {
      assertEquals(Optional.ofNullable(canonical.get(h)), store.rootAt(h), context
          + ": canonical root of " + h);
      List<Hash> want = new ArrayList<>();
      for (Commit c : commits) {
        if (c.height == h && !want.contains(c.root)) {
          want.add(c.root);
        }
      }
      List<Hash> got = store.roots(h);
      assertEquals(new HashSet<>(want), new HashSet<>(got), context + ": roots of " + h);
      if (canonical.containsKey(h)) {
        assertEquals(canonical.get(h), got.get(0), context + ": canonical first at " + h);
      }
    }
    assertEquals(latest < 0 ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(latest), store.latestBlock(), context + ": latest");
  }

  /**
   * After {@code waitForPruning}: the node records in the Db are exactly the nodes the retained
   * roots reach (none missing, none left over), and every count record names a node record.
   */
  void checkNoGarbage(StateStore store, String context) {
    checkExactly(store, retained(), context);
  }

  /** The node records of the store are exactly those the given roots reach; counts match. */
  static void checkExactly(StateStore store, Set<Hash> roots, String context) {
    Set<String> reachable = new HashSet<>();
    for (Hash root : roots) {
      collect(store, root, reachable);
    }
    Set<String> stored = new HashSet<>();
    Set<String> counted = new HashSet<>();
    // nodes held in memory, before and after the scan: the pruning thread may write some to
    // disk meanwhile (a memory budget), and a node moving out of memory is on disk before it
    // leaves memory, so it is in one of the two
    for (byte[] k : store.dirtyKeys()) {
      stored.add(Hash.hex(k));
    }
    Db db = store.db();
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        byte[] k = c.key();
        if (k.length > 3 && k[0] == 0 && k[1] == 't' && k[2] == 'n') {
          stored.add(Hash.hex(k));
        } else if (k.length > 7 && k[0] == 0 && k[1] == 't' && k[2] == 'c') {
          byte[] nk = new byte[k.length - 7 + 2];
          nk[0] = 0;
          nk[1] = 't';
          System.arraycopy(k, 7, nk, 2, k.length - 7);
          counted.add(Hash.hex(nk));
        }
      }
    }
    for (byte[] k : store.dirtyKeys()) {
      stored.add(Hash.hex(k)); // committed, held in memory until written (a flush lag)
    }
    Set<String> leftOver = new HashSet<>(stored);
    leftOver.removeAll(reachable);
    Set<String> missing = new HashSet<>(reachable);
    missing.removeAll(stored);
    if (!leftOver.isEmpty() || !missing.isEmpty()) {
      fail(context + ": " + leftOver.size() + " node records no retained root reaches, "
          + missing.size() + " reachable nodes missing (" + stored.size() + " stored, "
          + reachable.size() + " reachable)");
    }
    if (store.countsInMemory()) {
      assertEquals(Set.of(), counted, context + ": a store counting in memory writes no counts");
    } else {
      assertEquals(stored, counted, context + ": count records name exactly the stored nodes");
    }
  }

  /** Adds the store keys (hex) of every stored node of the trie with this root. */
  static void collect(StateStore store, Hash root, Set<String> out) {
    if (root.equals(Hash.EMPTY_TRIE)) {
      return;
    }
    Trie t = store.trie(root);
    TrieDiff.onlyIn(t.root, root, null, Hash.EMPTY_TRIE, store.resolver(),
        (pos, node, hash) -> out.add(Hash.hex(StoreKeys.node(pos, hash))));
  }
}

package io.strata.trie;

import io.strata.lsm.CorruptionException;
import io.strata.lsm.Db;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The members of a windowed store's pruning forest and the counts that make deletion exact (the
 * mechanism and its invariants are in {@code trie/PRUNING.md}, section 2): every retained version
 * is a member with an anchor; {@code count(K)} is the number of members that hold node K while
 * their anchor does not; a node record is deleted in the same batch that brings its count to 0.
 *
 * <p>A pruning {@link #step} first counts every join not yet counted (invariant 4), then lets
 * one member whose height has left the window leave, and writes everything it changed (counts,
 * node deletions, member records, the canonical pointer of a pruned height) in one {@code
 * WriteBatch}: a crash leaves the step done or not done.
 *
 * <p>Thread-safety: not thread-safe; every method is called with the store's commit lock held.
 * {@code members} is read by readers of the store only under that lock too.
 */
final class PruningForest {
  private final Db db;
  private final Path dir;
  private final NodeResolver resolver;
  private final NodeCache cache;
  final int epoch;
  /** Members by sequence number (commit order). */
  final TreeMap<Long, Version> members = new TreeMap<>();

  long rootsPruned;
  long nodesDeleted;
  long bytesDeleted;
  long pruningNanos;

  PruningForest(Db db, Path dir, NodeResolver resolver, NodeCache cache, int epoch) {
    this.db = db;
    this.dir = dir;
    this.resolver = resolver;
    this.cache = cache;
    this.epoch = epoch;
  }

  /** Whether a step has work: a join not yet counted, or a member at or below the horizon. */
  boolean due(long horizon) {
    for (Version v : members.values()) {
      if (!v.joined || v.height <= horizon) {
        return true;
      }
    }
    return false;
  }

  /** Distinct heights at or below the horizon that still have members. */
  int backlog(long horizon) {
    return (int) members.values().stream().filter(v -> v.height <= horizon)
        .mapToLong(v -> v.height).distinct().count();
  }

  /** Members above the horizon. */
  long retained(long horizon) {
    return members.values().stream().filter(v -> v.height > horizon).count();
  }

  /** A retained member with this root, or null. */
  Version retainedWith(Hash root, long horizon) {
    for (Version v : members.descendingMap().values()) {
      if (v.height > horizon && v.root.equals(root)) {
        return v;
      }
    }
    return null;
  }

  /** Any member with this root (retained or waiting to leave), or null. */
  Version memberWith(Hash root) {
    for (Version v : members.descendingMap().values()) {
      if (v.root.equals(root)) {
        return v;
      }
    }
    return null;
  }

  /**
   * The anchor for a new member at {@code height}: the member holding the canonical root at the
   * highest retained height below, else the newest retained member, else none (-1).
   */
  long chooseAnchor(long height, long horizon, TreeMap<Long, Hash> canonical, long beforeSeq) {
    for (Map.Entry<Long, Hash> e = canonical.lowerEntry(height); e != null && e.getKey() > horizon;
        e = canonical.lowerEntry(e.getKey())) {
      for (Version v : members.headMap(beforeSeq, false).descendingMap().values()) {
        if (v.height == e.getKey() && v.root.equals(e.getValue())) {
          return v.seq;
        }
      }
    }
    Version best = null;
    for (Version v : members.headMap(beforeSeq, false).values()) {
      if (v.height > horizon) {
        best = v;
      }
    }
    return best == null ? -1 : best.seq;
  }

  /** Counts changed in one step: the value read from the store and the new value. */
  private final class Counts {
    final Map<NodeKey, long[]> changed = new HashMap<>();
    final Map<NodeKey, Integer> sizes = new HashMap<>();

    void add(NodeKey k, int delta, int size) {
      long[] c = changed.get(k);
      if (c == null) {
        byte[] v = db.get(StoreKeys.count(epoch, k.bytes));
        long old = 0;
        if (v != null) {
          if (v.length != 8) {
            throw new CorruptionException(dir, -1, "pruning count of trie node key " + k + " is "
                + v.length + " bytes, expected 8");
          }
          old = StoreKeys.getLong(v, 0);
        }
        c = new long[] {old, old};
        changed.put(k, c);
      }
      c[1] += delta;
      if (size > 0) {
        sizes.put(k, size);
      }
    }

    void diff(Version a, Version b, int delta) {
      Node an = a == null || a.root.equals(Hash.EMPTY_TRIE) ? null : new HashNode(a.root);
      Hash ah = a == null ? Hash.EMPTY_TRIE : a.root;
      Node bn = b == null || b.root.equals(Hash.EMPTY_TRIE) ? null : new HashNode(b.root);
      Hash bh = b == null ? Hash.EMPTY_TRIE : b.root;
      TrieDiff.onlyIn(an, ah, bn, bh, resolver, (pos, node, hash) -> {
        byte[] key = StoreKeys.node(pos, hash);
        add(new NodeKey(key), delta, key.length + node.encodedLength());
      });
    }
  }

  /**
   * One pruning step: counts every pending join, then lets the oldest member at or below the
   * horizon leave, in one batch. Returns whether it did anything.
   */
  boolean step(long horizon, TreeMap<Long, Hash> canonical, Map<Hash, Long> pruned) {
    long start = System.nanoTime();
    Counts counts = new Counts();
    List<Version> rewritten = new ArrayList<>();
    for (Version v : members.values()) {
      if (v.joined) {
        continue;
      }
      if (v.joinSet != null) {
        for (int i = 0; i < v.joinSet.size(); i++) {
          byte[] key = v.joinSet.keys.get(i);
          counts.add(new NodeKey(key), 1, key.length + v.joinSet.values.get(i).length);
        }
      } else {
        counts.diff(v, v.anchor < 0 ? null : members.get(v.anchor), 1);
      }
      v.joinSet = null;
      v.joined = true;
      rewritten.add(v);
    }
    Version leaving = null;
    for (Version v : members.values()) {
      if (v.height <= horizon && (leaving == null || v.height < leaving.height
          || v.height == leaving.height && v.seq > leaving.seq)) {
        leaving = v;
      }
    }
    WriteBatch batch = new WriteBatch();
    if (leaving != null) {
      leave(leaving, counts, rewritten);
      batch.delete(leaving.key());
      Hash canon = canonical.get(leaving.height);
      boolean otherAtHeight = false;
      for (Version v : members.values()) {
        if (v.height == leaving.height) {
          otherAtHeight = true;
        }
      }
      if (!otherAtHeight && canon != null) {
        batch.delete(StoreKeys.canonical(leaving.height));
        canonical.remove(leaving.height);
      }
      if (memberWith(leaving.root) == null) {
        pruned.put(leaving.root, leaving.height);
      }
      rootsPruned++;
    }
    if (leaving == null && rewritten.isEmpty()) {
      return false;
    }
    List<NodeKey> deleted = new ArrayList<>();
    for (Map.Entry<NodeKey, long[]> e : counts.changed.entrySet()) {
      long now = e.getValue()[1];
      byte[] countKey = StoreKeys.count(epoch, e.getKey().bytes);
      if (now < 0) {
        throw new CorruptionException(dir, -1, "pruning count of trie node key " + e.getKey()
            + " would go below zero (" + now + "): the pruning records are damaged");
      }
      if (now == 0) {
        batch.delete(countKey);
        batch.delete(e.getKey().bytes);
        deleted.add(e.getKey());
      } else if (now != e.getValue()[0]) {
        batch.put(countKey, StoreKeys.longBytes(now));
      }
    }
    for (Version v : rewritten) {
      if (members.containsKey(v.seq)) {
        batch.put(v.key(), v.value(epoch));
      }
    }
    db.write(batch, WriteOptions.defaults());
    for (NodeKey k : deleted) {
      cache.remove(k);
      Integer size = counts.sizes.get(k);
      bytesDeleted += size == null ? 0 : size;
    }
    nodesDeleted += deleted.size();
    pruningNanos += System.nanoTime() - start;
    return true;
  }

  /** Removes {@code x} from the forest, re-anchoring the members anchored to it. */
  private void leave(Version x, Counts counts, List<Version> rewritten) {
    List<Version> children = new ArrayList<>();
    for (Version v : members.values()) {
      if (v.anchor == x.seq) {
        children.add(v);
      }
    }
    members.remove(x.seq);
    if (x.anchor >= 0) {
      Version y = members.get(x.anchor);
      counts.diff(x, y, -1);
      for (Version c : children) {
        reanchor(c, x, y, counts, rewritten);
      }
      return;
    }
    if (children.isEmpty()) {
      counts.diff(x, null, -1);
      return;
    }
    Version heir = children.get(0);
    for (Version c : children) {
      if (c.height < heir.height || c.height == heir.height && c.seq > heir.seq) {
        heir = c;
      }
    }
    counts.diff(x, heir, -1);
    heir.anchor = -1;
    rewritten.add(heir);
    for (Version c : children) {
      if (c != heir) {
        reanchor(c, x, heir, counts, rewritten);
      }
    }
  }

  private void reanchor(Version c, Version from, Version to, Counts counts,
      List<Version> rewritten) {
    counts.diff(c, to, 1);
    counts.diff(c, from, -1);
    c.anchor = to.seq;
    rewritten.add(c);
  }
}

package io.strata.trie;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decoded nodes by store key (position and hash, see {@link NodeKey}), bounded by an estimate of
 * their heap bytes. Lookups take no lock (a concurrent map and a "recently used" bit); insertions
 * evict in CLOCK order (second chance: an entry used since it was last passed over is kept one more
 * round) under one lock.
 *
 * <p>Inner nodes (branches and extensions) and leaves go round two clocks. Over the bound, leaves
 * are evicted first while the inner nodes hold at most {@value #INNER_SHARE_PERCENT}% of it; past
 * that share inner nodes are evicted too, down to it. A random read passes one inner node per level
 * but touches one leaf among all of them: in a trie larger than the cache, one clock let the reads'
 * leaves (each rarely read again) push out the inner nodes every read passes (1M accounts, 64 MiB:
 * 1.8 of a read's nodes missed the cache, of the 2 to 3 below the pinned top levels).
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
final class NodeCache {
  /**
   * Heap bytes of an entry beyond its node: the entry (32), the map's node (32) and table slots
   * (about 8), the key (24) and its array (about 56).
   */
  static final int OVERHEAD = 152;
  static final int INNER_SHARE_PERCENT = 75;

  private static final class Entry {
    final Object key;
    final Node node;
    final int weight;
    volatile boolean used;

    Entry(Object key, Node node, int weight) {
      this.key = key;
      this.node = node;
      this.weight = weight;
    }
  }

  private final long capacity;
  private final long innerShare;
  private final ConcurrentHashMap<Object, Entry> map = new ConcurrentHashMap<>();
  /** Guarded by itself, as are {@link #leaves} and {@link #innerBytes}. */
  private final ArrayDeque<Entry> inner = new ArrayDeque<>();
  private final ArrayDeque<Entry> leaves = new ArrayDeque<>();
  private long innerBytes;
  private final AtomicLong bytes = new AtomicLong();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  NodeCache(long capacityBytes) {
    this.capacity = capacityBytes;
    this.innerShare = capacityBytes / 100 * INNER_SHARE_PERCENT;
  }

  Node get(Object h) {
    Entry e = map.get(h);
    if (e == null) {
      misses.increment();
      return null;
    }
    if (!e.used) {
      e.used = true;
    }
    hits.increment();
    return e.node;
  }

  void put(Object h, Node n) {
    int w = n.weight() + OVERHEAD;
    if (w > capacity) {
      return;
    }
    Entry e = new Entry(h, n, w);
    if (map.putIfAbsent(h, e) != null) {
      return;
    }
    boolean isLeaf = n instanceof LeafNode;
    synchronized (inner) {
      (isLeaf ? leaves : inner).addLast(e);
      if (!isLeaf) {
        innerBytes += w;
      }
      long b = bytes.addAndGet(w);
      while (b > capacity) {
        boolean fromInner = leaves.isEmpty() || innerBytes > innerShare;
        ArrayDeque<Entry> clock = fromInner ? inner : leaves;
        Entry x = clock.pollFirst();
        if (x == null) {
          break;
        }
        if (x.used) {
          x.used = false;
          clock.addLast(x);
        } else {
          map.remove(x.key, x);
          b = bytes.addAndGet(-x.weight);
          if (fromInner) {
            innerBytes -= x.weight;
          }
        }
      }
    }
  }

  /**
   * Forgets the entry for {@code h} (a node the store deleted). Its bytes stay counted until the
   * clock passes the orphaned entry, which it then drops.
   */
  void remove(Object h) {
    map.remove(h);
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  long bytes() {
    return bytes.get();
  }
}

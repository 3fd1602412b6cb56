package io.strata.trie;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decoded nodes by store key (position and hash, see {@link NodeKey}), bounded by an estimate of their heap bytes. Lookups take no lock (a
 * concurrent map and a "recently used" bit); insertions evict in CLOCK order (second chance: an
 * entry used since it was last passed over is kept one more round) under one lock.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
final class NodeCache {
  private static final int OVERHEAD = 96;

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
  private final ConcurrentHashMap<Object, Entry> map = new ConcurrentHashMap<>();
  private final ArrayDeque<Entry> clock = new ArrayDeque<>();
  private final AtomicLong bytes = new AtomicLong();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  NodeCache(long capacityBytes) {
    this.capacity = capacityBytes;
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
    synchronized (clock) {
      clock.addLast(e);
      long b = bytes.addAndGet(w);
      while (b > capacity) {
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

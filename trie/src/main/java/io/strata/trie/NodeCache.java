package io.strata.trie;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decoded nodes by hash, bounded by an estimate of their heap bytes. Lookups take no lock (a
 * concurrent map and a "recently used" bit); insertions evict in CLOCK order (second chance: an
 * entry used since it was last passed over is kept one more round) under one lock.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
final class NodeCache {
  private static final int OVERHEAD = 96;

  private static final class Entry {
    final Hash hash;
    final Node node;
    final int weight;
    volatile boolean used;

    Entry(Hash hash, Node node, int weight) {
      this.hash = hash;
      this.node = node;
      this.weight = weight;
    }
  }

  private final long capacity;
  private final ConcurrentHashMap<Hash, Entry> map = new ConcurrentHashMap<>();
  private final ArrayDeque<Entry> clock = new ArrayDeque<>();
  private final AtomicLong bytes = new AtomicLong();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  NodeCache(long capacityBytes) {
    this.capacity = capacityBytes;
  }

  Node get(Hash h) {
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

  void put(Hash h, Node n) {
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
          map.remove(x.hash, x);
          b = bytes.addAndGet(-x.weight);
        }
      }
    }
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

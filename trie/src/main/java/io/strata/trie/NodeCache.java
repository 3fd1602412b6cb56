package io.strata.trie;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decoded nodes by hash, least recently used evicted first, bounded by an estimate of their heap
 * bytes. Split into 16 segments by hash (the hashes are uniform), each an access-ordered map under
 * its own lock.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
final class NodeCache {
  private static final int SEGMENTS = 16;

  private final Segment[] segments = new Segment[SEGMENTS];
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  NodeCache(long capacityBytes) {
    for (int i = 0; i < SEGMENTS; i++) {
      segments[i] = new Segment(capacityBytes / SEGMENTS);
    }
  }

  Node get(Hash h) {
    Node n = segment(h).get(h);
    if (n == null) {
      misses.increment();
    } else {
      hits.increment();
    }
    return n;
  }

  void put(Hash h, Node n) {
    segment(h).put(h, n);
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  long bytes() {
    long b = 0;
    for (Segment s : segments) {
      synchronized (s) {
        b += s.bytes;
      }
    }
    return b;
  }

  private Segment segment(Hash h) {
    return segments[h.hashCode() >>> 28];
  }

  private static final class Segment {
    private final long capacity;
    private long bytes;
    private final LinkedHashMap<Hash, Node> map = new LinkedHashMap<>(256, 0.75f, true);

    Segment(long capacity) {
      this.capacity = capacity;
    }

    synchronized Node get(Hash h) {
      return map.get(h);
    }

    synchronized void put(Hash h, Node n) {
      int w = n.weight() + 64;
      if (w > capacity) {
        return;
      }
      Node old = map.put(h, n);
      bytes += w;
      if (old != null) {
        bytes -= old.weight() + 64;
      }
      var it = map.entrySet().iterator();
      while (bytes > capacity && it.hasNext()) {
        Map.Entry<Hash, Node> e = it.next();
        bytes -= e.getValue().weight() + 64;
        it.remove();
      }
    }
  }
}

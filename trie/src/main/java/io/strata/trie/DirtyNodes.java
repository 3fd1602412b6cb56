package io.strata.trie;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Trie nodes committed but not yet written to the key-value store (a store with a flush lag,
 * {@code trie/COMMIT.md}, step D): store key to encoding. A commit puts its node set here instead
 * of into a batch (its block's changes go to the journal, which makes it durable); readers look
 * here before the key-value store; the pruner drops nodes that die here (they never reach a table
 * file) and writes the survivors when the oldest roots leave.
 *
 * <p>Thread-safety: readers without a lock; changes only with the store's commit lock held.
 */
final class DirtyNodes {
  private final ConcurrentHashMap<NodeKey, byte[]> map = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();

  /** The encoding under this key, or null when it is not dirty. */
  byte[] get(NodeKey k) {
    return map.get(k);
  }

  /** Adds a node; a key already dirty keeps its (equal) encoding. */
  void put(NodeKey k, byte[] encoding) {
    if (map.putIfAbsent(k, encoding) == null) {
      bytes.addAndGet(k.bytes.length + encoding.length);
    }
  }

  /** Removes a node (written, or dead); returns its encoding or null if it was not dirty. */
  byte[] remove(NodeKey k) {
    byte[] v = map.remove(k);
    if (v != null) {
      bytes.addAndGet(-(k.bytes.length + v.length));
    }
    return v;
  }

  int size() {
    return map.size();
  }

  /** Key plus encoding bytes of the dirty nodes. */
  long bytes() {
    return bytes.get();
  }

  /** Every dirty key (a copy). */
  java.util.List<NodeKey> keys() {
    return new java.util.ArrayList<>(map.keySet());
  }
}

package io.strata.trie;

import java.util.Arrays;

/**
 * Counts above zero by node key, in an open-addressing table (linear probing, deletion by
 * backward shift): three parallel arrays instead of a {@code HashMap} entry and a boxed count per
 * key. The pruning forest keeps one count per node of its window here (about 600,000 at 1M
 * accounts and a window of 128), where the map's entries, boxes and their misses were most of a
 * pruning step and a large share of the objects the collector traced.
 *
 * <p>Thread-safety: none; the pruning forest uses it under its lock.
 */
final class CountTable {
  private static final int MIN_CAPACITY = 16;

  private NodeKey[] keys;
  private int[] hashes;
  private int[] counts;
  private int size;

  CountTable() {
    allocate(MIN_CAPACITY);
  }

  private void allocate(int capacity) {
    keys = new NodeKey[capacity];
    hashes = new int[capacity];
    counts = new int[capacity];
  }

  /** The slot holding {@code k}, or the empty slot where it would go. */
  private int slot(NodeKey k, int h) {
    int mask = keys.length - 1;
    for (int s = NodeKey.mix(h) & mask; ; s = (s + 1) & mask) {
      NodeKey x = keys[s];
      if (x == null || hashes[s] == h && x.equals(k)) {
        return s;
      }
    }
  }

  /** The count of {@code k}; 0 when absent. */
  int get(NodeKey k) {
    int s = slot(k, k.hashCode());
    return keys[s] == null ? 0 : counts[s];
  }

  /** Sets the count of {@code k}; a count of 0 removes the key. */
  void put(NodeKey k, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count " + count + " below zero for " + k);
    }
    int h = k.hashCode();
    int s = slot(k, h);
    if (keys[s] != null) {
      if (count == 0) {
        delete(s);
      } else {
        counts[s] = count;
      }
      return;
    }
    if (count == 0) {
      return;
    }
    if ((size + 1) * 4L > keys.length * 3L) {
      grow();
      s = slot(k, h);
    }
    keys[s] = k;
    hashes[s] = h;
    counts[s] = count;
    size++;
  }

  /** Empties slot {@code s} and moves later entries of its run back so that no probe breaks. */
  private void delete(int s) {
    int mask = keys.length - 1;
    int gap = s;
    for (int i = (s + 1) & mask; keys[i] != null; i = (i + 1) & mask) {
      int home = NodeKey.mix(hashes[i]) & mask;
      // the entry at i may move to the gap when its home is not cyclically within (gap, i]
      if (((i - home) & mask) >= ((i - gap) & mask)) {
        keys[gap] = keys[i];
        hashes[gap] = hashes[i];
        counts[gap] = counts[i];
        gap = i;
      }
    }
    keys[gap] = null;
    hashes[gap] = 0;
    counts[gap] = 0;
    size--;
  }

  private void grow() {
    NodeKey[] oldKeys = keys;
    int[] oldHashes = hashes;
    int[] oldCounts = counts;
    allocate(oldKeys.length * 2);
    int mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        int s = NodeKey.mix(oldHashes[i]) & mask;
        while (keys[s] != null) {
          s = (s + 1) & mask;
        }
        keys[s] = oldKeys[i];
        hashes[s] = oldHashes[i];
        counts[s] = oldCounts[i];
      }
    }
  }

  /** Keys with a count above 0. */
  int size() {
    return size;
  }

  /** For tests: the keys held, in slot order. */
  NodeKey[] keys() {
    return Arrays.stream(keys).filter(k -> k != null).toArray(NodeKey[]::new);
  }
}

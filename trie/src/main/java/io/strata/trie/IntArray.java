package io.strata.trie;

import java.util.Arrays;

/** A growable int array (no boxing). Not thread-safe: built by one thread. */
final class IntArray {
  private int[] a = new int[64];
  private int n;

  void add(int x) {
    if (n == a.length) {
      a = Arrays.copyOf(a, n * 2);
    }
    a[n++] = x;
  }

  int get(int i) {
    return a[i];
  }

  int size() {
    return n;
  }

  /** Removes the last element. */
  void removeLast() {
    n--;
  }

  int[] toArray() {
    return Arrays.copyOf(a, n);
  }
}

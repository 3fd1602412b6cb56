package io.strata.lsm.internal;

import java.util.List;

/**
 * Merges several internal iterators into one, both ways. Children are ordered newest source first;
 * on equal internal keys the earlier child comes first. Not thread-safe.
 *
 * <p>The valid children are kept sorted by their current keys in the direction of travel, the
 * one the iterator stands on first. A step moves that child and slides it back to its place, so
 * it costs one comparison while the moved child still comes first (a run of entries from one
 * child: a scan of a compacted store, where one child holds nearly everything), none when it is
 * the only valid child, and about half the children for keys spread evenly over them (a
 * compaction of level-0 tables of random keys), where a search for the smallest child compared
 * every one. A seek or a change of direction sorts them again.
 */
public final class MergingIterator implements InternalIterator {
  private final InternalIterator[] children;
  /** Indexes of the valid children, in travel order: {@code order[0]} is the current one. */
  private final int[] order;
  private int valid;
  private InternalIterator current;
  private boolean forward = true;

  public MergingIterator(List<InternalIterator> children) {
    this.children = children.toArray(new InternalIterator[0]);
    this.order = new int[this.children.length];
  }

  @Override
  public boolean isValid() {
    return current != null;
  }

  @Override
  public void seekToFirst() {
    for (InternalIterator c : children) {
      c.seekToFirst();
    }
    sort(true);
  }

  @Override
  public void seekToLast() {
    for (InternalIterator c : children) {
      c.seekToLast();
    }
    sort(false);
  }

  @Override
  public void seek(byte[] target) {
    for (InternalIterator c : children) {
      c.seek(target);
    }
    sort(true);
  }

  @Override
  public void seekForPrev(byte[] target) {
    for (InternalIterator c : children) {
      c.seekForPrev(target);
    }
    sort(false);
  }

  @Override
  public void next() {
    if (!forward) {
      // every other child moves to its first entry after the current key
      byte[] key = current.key();
      for (InternalIterator c : children) {
        if (c != current) {
          c.seek(key);
          if (c.isValid() && compare(c, key) == 0) {
            c.next();
          }
        }
      }
      current.next();
      sort(true);
      return;
    }
    current.next();
    step();
  }

  @Override
  public void prev() {
    if (forward) {
      // every other child moves to its last entry before the current key
      byte[] key = current.key();
      for (InternalIterator c : children) {
        if (c != current) {
          c.seekForPrev(key);
          if (c.isValid() && compare(c, key) == 0) {
            c.prev();
          }
        }
      }
      current.prev();
      sort(false);
      return;
    }
    current.prev();
    step();
  }

  /** The current child has moved one entry in the direction of travel: back to its place. */
  private void step() {
    int moved = order[0];
    if (!current.isValid()) {
      valid--;
      System.arraycopy(order, 1, order, 0, valid);
    } else {
      int j = 1;
      while (j < valid && before(order[j], moved)) {
        order[j - 1] = order[j];
        j++;
      }
      order[j - 1] = moved;
    }
    current = valid == 0 ? null : children[order[0]];
  }

  /** Orders the valid children for travel forward or backward (insertion sort: they are few). */
  private void sort(boolean forward) {
    this.forward = forward;
    valid = 0;
    for (int i = 0; i < children.length; i++) {
      if (children[i].isValid()) {
        int j = valid++;
        while (j > 0 && before(i, order[j - 1])) {
          order[j] = order[j - 1];
          j--;
        }
        order[j] = i;
      }
    }
    current = valid == 0 ? null : children[order[0]];
  }

  /**
   * Whether child {@code a} comes before child {@code b} in the direction of travel: forward the
   * smaller key first, the earlier child on equal keys; backward the exact reverse.
   */
  private boolean before(int a, int b) {
    int c = compare(children[a], children[b]);
    return forward ? c < 0 || (c == 0 && a < b) : c > 0 || (c == 0 && a > b);
  }

  /** Compares the current keys of two children, through their views. */
  private static int compare(InternalIterator a, InternalIterator b) {
    return InternalKeys.compare(a.keyArray(), a.keyOffset(), a.keyLength(), b.keyArray(),
        b.keyOffset(), b.keyLength());
  }

  private static int compare(InternalIterator a, byte[] key) {
    return InternalKeys.compare(a.keyArray(), a.keyOffset(), a.keyLength(), key);
  }

  /** The position in the constructor's list of the child the current entry comes from. */
  public int currentChild() {
    if (current == null) {
      throw new IllegalStateException("not on an entry");
    }
    return order[0];
  }

  @Override
  public byte[] key() {
    return current.key();
  }

  @Override
  public byte[] value() {
    return current.value();
  }

  @Override
  public byte[] keyArray() {
    return current.keyArray();
  }

  @Override
  public int keyOffset() {
    return current.keyOffset();
  }

  @Override
  public int keyLength() {
    return current.keyLength();
  }

  @Override
  public byte[] valueArray() {
    return current.valueArray();
  }

  @Override
  public int valueOffset() {
    return current.valueOffset();
  }

  @Override
  public int valueLength() {
    return current.valueLength();
  }

  @Override
  public void close() {
    for (InternalIterator c : children) {
      c.close();
    }
  }
}

package io.strata.lsm.internal;

import java.util.List;

/**
 * Merges several internal iterators into one, both ways. Children are ordered newest source first;
 * on equal internal keys the earlier child comes first. Not thread-safe.
 */
public final class MergingIterator implements InternalIterator {
  private final InternalIterator[] children;
  private InternalIterator current;
  private boolean forward = true;

  public MergingIterator(List<InternalIterator> children) {
    this.children = children.toArray(new InternalIterator[0]);
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
    forward = true;
    findSmallest();
  }

  @Override
  public void seekToLast() {
    for (InternalIterator c : children) {
      c.seekToLast();
    }
    forward = false;
    findLargest();
  }

  @Override
  public void seek(byte[] target) {
    for (InternalIterator c : children) {
      c.seek(target);
    }
    forward = true;
    findSmallest();
  }

  @Override
  public void seekForPrev(byte[] target) {
    for (InternalIterator c : children) {
      c.seekForPrev(target);
    }
    forward = false;
    findLargest();
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
      forward = true;
    }
    current.next();
    findSmallest();
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
      forward = false;
    }
    current.prev();
    findLargest();
  }

  private void findSmallest() {
    InternalIterator best = null;
    for (InternalIterator c : children) {
      if (c.isValid() && (best == null || compare(c, best) < 0)) {
        best = c;
      }
    }
    current = best;
  }

  private void findLargest() {
    InternalIterator best = null;
    for (int i = children.length - 1; i >= 0; i--) {
      InternalIterator c = children[i];
      if (c.isValid() && (best == null || compare(c, best) > 0)) {
        best = c;
      }
    }
    current = best;
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
    for (int i = 0; i < children.length; i++) {
      if (children[i] == current) {
        return i;
      }
    }
    throw new IllegalStateException("not on an entry");
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

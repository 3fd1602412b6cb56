package io.strata.lsm.internal.table;

import io.strata.lsm.internal.InternalIterator;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Iterates a sequence of sorted, non-overlapping parts both ways, opening one part at a time: the
 * data blocks of a table (parts found through its index), or the tables of a level. Not
 * thread-safe.
 */
public final class TwoLevelIterator implements InternalIterator {
  private final int parts;
  private final IntFunction<InternalIterator> open;
  private final ToIntFunction<byte[]> find;
  private final Runnable onClose;
  private int index = -1;
  private InternalIterator current;

  /**
   * @param parts number of parts
   * @param open opens part {@code i}
   * @param find the first part whose last key is at or after a target ({@code parts} if none)
   * @param onClose run once when the iterator closes
   */
  public TwoLevelIterator(int parts, IntFunction<InternalIterator> open, ToIntFunction<byte[]> find,
      Runnable onClose) {
    this.parts = parts;
    this.open = open;
    this.find = find;
    this.onClose = onClose;
  }

  private void load(int i) {
    if (current != null && i == index) {
      return;
    }
    if (current != null) {
      current.close();
      current = null;
    }
    index = i;
    if (i >= 0 && i < parts) {
      current = open.apply(i);
    }
  }

  private void skipForward() {
    while (current != null && !current.isValid()) {
      load(index + 1);
      if (current != null) {
        current.seekToFirst();
      }
    }
  }

  private void skipBackward() {
    while (current != null && !current.isValid()) {
      load(index - 1);
      if (current != null) {
        current.seekToLast();
      }
    }
  }

  @Override
  public boolean isValid() {
    return current != null && current.isValid();
  }

  @Override
  public void seekToFirst() {
    load(0);
    if (current != null) {
      current.seekToFirst();
    }
    skipForward();
  }

  @Override
  public void seekToLast() {
    load(parts - 1);
    if (current != null) {
      current.seekToLast();
    }
    skipBackward();
  }

  @Override
  public void seek(byte[] target) {
    load(find.applyAsInt(target));
    if (current != null) {
      current.seek(target);
    }
    skipForward();
  }

  @Override
  public void seekForPrev(byte[] target) {
    load(Math.min(find.applyAsInt(target), parts - 1));
    if (current != null) {
      current.seekForPrev(target);
    }
    skipBackward();
  }

  @Override
  public void next() {
    current.next();
    skipForward();
  }

  @Override
  public void prev() {
    current.prev();
    skipBackward();
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
    if (current != null) {
      current.close();
      current = null;
    }
    index = -1;
    if (onClose != null) {
      onClose.run();
    }
  }
}

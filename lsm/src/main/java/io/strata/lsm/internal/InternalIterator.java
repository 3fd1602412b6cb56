package io.strata.lsm.internal;

import io.strata.CorruptionException;

/**
 * A bidirectional iterator over internal keys (see {@link InternalKeys}) in internal-key order.
 * Positioning methods may throw {@link CorruptionException}. Not thread-safe: one thread uses an
 * iterator at a time. {@link #key()} returns an array the caller must not modify, which stays valid
 * after the iterator moves; {@link #value()} returns a fresh array the caller owns.
 *
 * <p>The views ({@link #keyArray()} with {@link #keyOffset()} and {@link #keyLength()}, and the
 * same for the value) give the current entry without a copy: the bytes stay as they are only
 * until the iterator next moves or closes, and the caller must not modify them. Loops over many
 * entries (flush, compaction, cursors, merging) read the views; {@link #key()} and {@link
 * #value()} may copy. The default views call {@link #key()} and {@link #value()}, for iterators
 * that hold each entry in arrays of its own.
 */
public interface InternalIterator extends AutoCloseable {
  boolean isValid();

  void seekToFirst();

  void seekToLast();

  /** Positions at the first entry at or after {@code target}. */
  void seek(byte[] target);

  /** Positions at the last entry at or before {@code target}. */
  void seekForPrev(byte[] target);

  void next();

  void prev();

  byte[] key();

  byte[] value();

  /** The array holding the current internal key at {@code [keyOffset(), +keyLength())}. */
  default byte[] keyArray() {
    return key();
  }

  default int keyOffset() {
    return 0;
  }

  default int keyLength() {
    return key().length;
  }

  /** The array holding the current value at {@code [valueOffset(), +valueLength())}. */
  default byte[] valueArray() {
    return value();
  }

  default int valueOffset() {
    return 0;
  }

  default int valueLength() {
    return valueArray().length;
  }

  @Override
  void close();
}

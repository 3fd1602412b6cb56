package io.strata.lsm.internal;

import io.strata.CorruptionException;

/**
 * A bidirectional iterator over internal keys (see {@link InternalKeys}) in internal-key order.
 * Positioning methods may throw {@link CorruptionException}. Not thread-safe: one thread uses an
 * iterator at a time. {@link #key()} returns an array the caller must not modify, which stays valid
 * after the iterator moves; {@link #value()} returns a fresh array the caller owns.
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

  @Override
  void close();
}

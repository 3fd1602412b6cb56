package io.strata.lsm;

/**
 * Walks the keys of a {@link Db} in order, both ways, as of one point in time: the snapshot given
 * in the {@link ReadOptions}, or the moment the cursor was made. Writes, flushes and compactions
 * that happen meanwhile do not change what it sees. Honours the lower (inclusive) and upper
 * (exclusive) bounds of its {@link ReadOptions}.
 *
 * <p>Not thread-safe: one thread uses a cursor at a time. Close it to release the files it pins;
 * any call after {@link #close()} throws {@link IllegalStateException}.
 */
public interface Cursor extends AutoCloseable {

  /** Positions at the first key (at or after the lower bound). */
  void seekToFirst();

  /** Positions at the last key (before the upper bound). */
  void seekToLast();

  /** Positions at the first key at or after {@code key}. */
  void seek(byte[] key);

  /** Positions at the last key at or before {@code key}. */
  void seekForPrev(byte[] key);

  /** Moves to the next key; the cursor must be valid. */
  void next();

  /** Moves to the previous key; the cursor must be valid. */
  void prev();

  /** Whether the cursor is on an entry. */
  boolean isValid();

  /** The current key (a copy); the cursor must be valid. */
  byte[] key();

  /** The current value (a copy); the cursor must be valid. */
  byte[] value();

  /** Releases the cursor. Idempotent. */
  @Override
  void close();
}

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

  /** The length of the current key; the cursor must be valid. */
  int keyLength();

  /** The length of the current value; the cursor must be valid. */
  int valueLength();

  /**
   * Copies the current key into {@code dst} from {@code offset} and returns its length, so a scan
   * can reuse one buffer instead of taking a new array per entry; the cursor must be valid.
   *
   * @throws IndexOutOfBoundsException when the key does not fit there (nothing is copied; size the
   *     buffer with {@link #keyLength()})
   */
  int keyInto(byte[] dst, int offset);

  /**
   * Copies the current value into {@code dst} from {@code offset} and returns its length; the
   * cursor must be valid.
   *
   * @throws IndexOutOfBoundsException when the value does not fit there (nothing is copied; size
   *     the buffer with {@link #valueLength()})
   */
  int valueInto(byte[] dst, int offset);

  /** Releases the cursor. Idempotent. */
  @Override
  void close();
}

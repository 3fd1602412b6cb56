package io.strata.lsm;

import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.Bytes;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.Limits;
import java.util.Objects;

/**
 * Puts and deletes applied atomically by {@link Db#write}: after any crash, either all of a batch
 * is visible or none of it. Keys and values are copied in when added. A batch may be reused after
 * {@link #clear()}; it is not thread-safe.
 *
 * <p>Limits: keys up to {@value Db#MAX_KEY_BYTES} bytes, values up to {@value Db#MAX_VALUE_BYTES}
 * bytes, a whole batch up to {@link io.strata.wal.WalOptions#MAX_RECORD_BYTES} bytes encoded
 * ({@link #approximateSize()}; one write-ahead log record, about 2 GiB): adding past it throws
 * {@link IllegalArgumentException}, as does {@link Db#write} for a batch over the log's limit.
 */
public final class WriteBatch {
  /**
   * Room for the log record header (sequence and count), filled in when the batch is written, so
   * that a batch written on its own goes to the log without a copy.
   */
  static final int HEADER = 12;

  private final ByteSink rep;
  private int count;
  private int longestKey;
  private int longestValue;

  public WriteBatch() {
    this(64);
  }

  /**
   * An empty batch with room for about {@code expectedBytes} of keys and values before its buffer
   * grows (a hint: it still grows past it), for a caller that knows what it will add: a large
   * batch built from the default size is copied each time its buffer doubles.
   *
   * @throws IllegalArgumentException when {@code expectedBytes} is negative or over 2 GiB less 64
   */
  public WriteBatch(int expectedBytes) {
    if (expectedBytes < 0 || expectedBytes > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("expectedBytes must be 0 to 2 GiB less 64, got "
          + expectedBytes);
    }
    rep = new ByteSink(HEADER + expectedBytes);
    rep.advance(HEADER); // filled in when the batch is written
  }

  /**
   * Sets {@code key} to the value {@code value[offset, offset + length)}, copied in.
   *
   * @throws IndexOutOfBoundsException when the range is not inside {@code value}
   */
  public WriteBatch put(byte[] key, byte[] value, int offset, int length) {
    Db.checkKey(key);
    Objects.requireNonNull(value, "value");
    Objects.checkFromIndexSize(offset, length, value.length);
    if (length > Db.MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("value of " + length + " bytes exceeds the limit of "
          + Db.MAX_VALUE_BYTES + " bytes");
    }
    rep.put(InternalKeys.KIND_PUT).putBytes(key).putVarint(length).put(value, offset, length);
    count++;
    longestKey = Math.max(longestKey, key.length);
    longestValue = Math.max(longestValue, length);
    return this;
  }

  /** Sets {@code key} to {@code value}. */
  public WriteBatch put(byte[] key, byte[] value) {
    Db.checkKey(key);
    Db.checkValue(value);
    rep.put(InternalKeys.KIND_PUT).putBytes(key).putBytes(value);
    count++;
    longestKey = Math.max(longestKey, key.length);
    longestValue = Math.max(longestValue, value.length);
    return this;
  }

  /** Removes {@code key} (no error when it is absent). */
  public WriteBatch delete(byte[] key) {
    Db.checkKey(key);
    rep.put(InternalKeys.KIND_DELETE).putBytes(key);
    count++;
    longestKey = Math.max(longestKey, key.length);
    return this;
  }

  /** Number of puts and deletes. */
  public int count() {
    return count;
  }

  /** Encoded size in bytes (what the batch adds to the write-ahead log). */
  public int approximateSize() {
    return rep.size();
  }

  /** Empties the batch for reuse. */
  public WriteBatch clear() {
    rep.reset();
    rep.advance(HEADER); // filled in when the batch is written
    count = 0;
    longestKey = 0;
    longestValue = 0;
    return this;
  }

  /** The encoding: {@link #HEADER} bytes of room, then the operations, up to {@link #size()}. */
  byte[] array() {
    return rep.array();
  }

  /** Bytes of the encoding, header room included. */
  int size() {
    return rep.size();
  }

  /** The longest key in the batch. */
  int longestKey() {
    return longestKey;
  }

  /** The longest value in the batch. */
  int longestValue() {
    return longestValue;
  }

  /** Bytes of the operations alone. */
  int bodySize() {
    return rep.size() - HEADER;
  }
}

package io.strata.lsm;

import java.util.Objects;

/**
 * Puts and deletes applied atomically by {@link Db#write}: after any crash, either all of a batch
 * is visible or none of it. Keys and values are copied in when added. A batch may be reused after
 * {@link #clear()}; it is not thread-safe.
 *
 * <p>Limits: keys up to {@value Db#MAX_KEY_BYTES} bytes, values up to {@value Db#MAX_VALUE_BYTES}
 * bytes, a whole batch up to about 2 GiB.
 */
public final class WriteBatch {
  private final ByteSink rep = new ByteSink(64);
  private int count;

  public WriteBatch() {}

  /** Sets {@code key} to {@code value}. */
  public WriteBatch put(byte[] key, byte[] value) {
    Db.checkKey(key);
    Db.checkValue(value);
    rep.put(InternalKeys.KIND_PUT).putBytes(key).putBytes(value);
    count++;
    return this;
  }

  /** Removes {@code key} (no error when it is absent). */
  public WriteBatch delete(byte[] key) {
    Db.checkKey(key);
    rep.put(InternalKeys.KIND_DELETE).putBytes(key);
    count++;
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
    count = 0;
    return this;
  }

  byte[] array() {
    return rep.array();
  }

  int size() {
    return rep.size();
  }

  /** Receives the operations of an encoded batch. */
  interface Handler {
    void put(byte[] key, byte[] value);

    void delete(byte[] key);
  }

  /**
   * Decodes {@code count} operations from {@code data[offset, offset+length)} (from the write-ahead
   * log); malformed input is a {@link CorruptionException} via {@code source}.
   */
  static void iterate(ByteSource in, int count, Handler handler) {
    Objects.requireNonNull(handler);
    for (int i = 0; i < count; i++) {
      byte kind = in.get();
      byte[] key = in.lengthPrefixed(Db.MAX_KEY_BYTES, "key");
      if (kind == InternalKeys.KIND_PUT) {
        handler.put(key, in.lengthPrefixed(Db.MAX_VALUE_BYTES, "value"));
      } else if (kind == InternalKeys.KIND_DELETE) {
        handler.delete(key);
      } else {
        throw in.corrupt("unknown operation kind " + (kind & 0xFF));
      }
    }
    if (in.hasRemaining()) {
      throw in.corrupt(in.remaining() + " bytes after the last of " + count + " operations");
    }
  }
}

package io.strata.lsm.internal;

import io.strata.CorruptionException;
import io.strata.lsm.WriteBatch;
import java.util.Objects;

/**
 * The operations of an encoded batch (a {@link WriteBatch}'s body, or a write-ahead log record
 * after its header): per operation a kind byte, a varint key length and the key, and for a put a
 * varint value length and the value. Format in {@code lsm/FORMAT.md}.
 */
public final class BatchFormat {
  private BatchFormat() {}

  /** Receives the operations of an encoded batch as slices of one array, without copies. */
  public interface Handler {
    void put(byte[] buf, int keyOffset, int keyLength, int valueOffset, int valueLength);

    void delete(byte[] buf, int keyOffset, int keyLength);
  }

  /**
   * Decodes {@code count} operations from {@code in} (a batch, or a write-ahead log record);
   * malformed input is a {@link CorruptionException} naming the source.
   */
  public static void iterate(ByteSource in, int count, Handler handler) {
    Objects.requireNonNull(handler);
    byte[] buf = in.array();
    for (int i = 0; i < count; i++) {
      byte kind = in.get();
      if (kind != InternalKeys.KIND_PUT && kind != InternalKeys.KIND_DELETE) {
        throw in.corrupt("unknown operation kind " + (kind & 0xFF));
      }
      int keyLength = in.varint32(Limits.MAX_KEY_BYTES, "key length");
      int keyOffset = in.skip(keyLength);
      if (kind == InternalKeys.KIND_PUT) {
        int valueLength = in.varint32(Limits.MAX_VALUE_BYTES, "value length");
        handler.put(buf, keyOffset, keyLength, in.skip(valueLength), valueLength);
      } else {
        handler.delete(buf, keyOffset, keyLength);
      }
    }
    if (in.hasRemaining()) {
      throw in.corrupt(in.remaining() + " bytes after the last of " + count + " operations");
    }
  }
}

package io.strata.lsm.internal;

import io.strata.CorruptionException;
import java.nio.file.Path;

/**
 * Reads encoded fields from a byte range, checking every bound: malformed input gives a {@link
 * CorruptionException} naming the file and the offset, never an index exception. Not thread-safe.
 */
public final class ByteSource {
  private final byte[] buf;
  private final int end;
  private int pos;
  private final Path file;
  private final long fileOffset; // file offset of buf[0], for messages
  private final String what;

  public ByteSource(byte[] buf, int offset, int length, Path file, long fileOffset, String what) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
    this.file = file;
    this.fileOffset = fileOffset;
    this.what = what;
  }

  public CorruptionException corrupt(String problem) {
    return new CorruptionException(file, fileOffset + pos, what + ": " + problem);
  }

  public boolean hasRemaining() {
    return pos < end;
  }

  public int remaining() {
    return end - pos;
  }

  public int position() {
    return pos;
  }

  public byte get() {
    if (pos >= end) {
      throw corrupt("truncated: a byte expected");
    }
    return buf[pos++];
  }

  long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw corrupt("truncated varint");
      }
      byte b = buf[pos++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw corrupt("varint longer than 10 bytes");
  }

  /** A varint that must lie in 0..max. */
  public int varint32(int max, String field) {
    long v = varint();
    if (v < 0 || v > max) {
      throw corrupt(field + " " + v + " outside 0.." + max);
    }
    return (int) v;
  }

  public long varint64(long max, String field) {
    long v = varint();
    if (v < 0 || v > max) {
      throw corrupt(field + " " + Long.toUnsignedString(v) + " outside 0.." + max);
    }
    return v;
  }

  byte[] bytes(int length) {
    if (length < 0 || length > end - pos) {
      throw corrupt("truncated: " + length + " bytes expected, " + (end - pos) + " left");
    }
    byte[] b = new byte[length];
    System.arraycopy(buf, pos, b, 0, length);
    pos += length;
    return b;
  }

  /** Skips {@code length} bytes and returns the offset where they start. */
  int skip(int length) {
    if (length < 0 || length > end - pos) {
      throw corrupt("truncated: " + length + " bytes expected, " + (end - pos) + " left");
    }
    int at = pos;
    pos += length;
    return at;
  }

  public byte[] array() {
    return buf;
  }

  /** Length-prefixed bytes of at most {@code max} bytes. */
  public byte[] lengthPrefixed(int max, String field) {
    return bytes(varint32(max, field + " length"));
  }

  public int intLE() {
    if (end - pos < 4) {
      throw corrupt("truncated: 4 bytes expected");
    }
    int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16
        | (buf[pos + 3] & 0xFF) << 24;
    pos += 4;
    return v;
  }

  public long longLE() {
    long lo = intLE() & 0xFFFFFFFFL;
    long hi = intLE() & 0xFFFFFFFFL;
    return lo | hi << 32;
  }
}

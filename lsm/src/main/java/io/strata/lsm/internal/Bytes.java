package io.strata.lsm.internal;

import java.nio.charset.StandardCharsets;

/** Small helpers on byte arrays: varints and display. Stateless. */
public final class Bytes {
  private Bytes() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Printable keys as text, others as hex; for messages. */
  static String toDisplay(byte[] b) {
    if (b == null) {
      return "null";
    }
    boolean printable = true;
    for (byte x : b) {
      if (x < 0x20 || x > 0x7e) {
        printable = false;
        break;
      }
    }
    if (printable) {
      return "\"" + new String(b, StandardCharsets.US_ASCII) + "\"";
    }
    StringBuilder s = new StringBuilder("0x");
    for (int i = 0; i < Math.min(b.length, 64); i++) {
      s.append(HEX[(b[i] >> 4) & 0xF]).append(HEX[b[i] & 0xF]);
    }
    if (b.length > 64) {
      s.append("...(").append(b.length).append(" bytes)");
    }
    return s.toString();
  }

  /** Bytes needed for {@code v} as an unsigned LEB128 varint. */
  public static int varintLength(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** Writes {@code v} as a varint at {@code pos}; returns the position after it. */
  public static int putVarint(byte[] dst, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      dst[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    dst[pos++] = (byte) v;
    return pos;
  }
}

package io.strata.trie;

/**
 * Recursive Length Prefix (RLP) encoding, the subset the trie needs: byte strings and lists.
 *
 * <p>Encoding: a single byte below {@code 0x80} is itself; a string of 0..55 bytes is {@code 0x80
 * + length} then the bytes; a longer string is {@code 0xb7 + n}, the length in n big-endian
 * bytes, then the bytes. Lists likewise with {@code 0xc0} and {@code 0xf7}. Decoding is strict:
 * only the canonical (shortest) form is accepted, and every length is checked against the end of
 * its enclosing item.
 *
 * <p>Thread-safety: static methods; an {@link Item} belongs to one thread.
 */
final class Rlp {
  private Rlp() {}

  /** Bytes of the length header in front of a payload of {@code n} bytes. */
  static int headerLength(int n) {
    return n < 56 ? 1 : 1 + bytesOf(n);
  }

  private static int bytesOf(int n) {
    return n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
  }

  /** Encoded length of the byte string {@code v}. */
  static int stringLength(byte[] v) {
    if (v.length == 1 && (v[0] & 0xff) < 0x80) {
      return 1;
    }
    return headerLength(v.length) + v.length;
  }

  static int writeString(byte[] v, byte[] out, int off) {
    if (v.length == 1 && (v[0] & 0xff) < 0x80) {
      out[off] = v[0];
      return off + 1;
    }
    off = writeHeader(0x80, v.length, out, off);
    System.arraycopy(v, 0, out, off, v.length);
    return off + v.length;
  }

  static int writeListHeader(int payload, byte[] out, int off) {
    return writeHeader(0xc0, payload, out, off);
  }

  /** Writes a string header of {@code len} bytes for content the caller writes next. */
  static int writeStringHeader(int len, byte[] out, int off) {
    return writeHeader(0x80, len, out, off);
  }

  private static int writeHeader(int base, int n, byte[] out, int off) {
    if (n < 56) {
      out[off] = (byte) (base + n);
      return off + 1;
    }
    int k = bytesOf(n);
    out[off++] = (byte) (base + 55 + k);
    for (int i = k - 1; i >= 0; i--) {
      out[off++] = (byte) (n >>> (8 * i));
    }
    return off;
  }

  /** One decoded item: its kind, where its payload lies, and where the next item starts. */
  static final class Item {
    boolean list;
    int off;
    int len;
    int end;

    byte[] bytes(byte[] b) {
      return java.util.Arrays.copyOfRange(b, off, off + len);
    }
  }

  /**
   * Decodes the header of the item at {@code b[p]}, which must end by {@code limit}.
   *
   * @throws RlpException if the item is malformed, not canonical, or runs past {@code limit}
   */
  static Item item(byte[] b, int p, int limit, Item it) {
    if (p >= limit) {
      throw new RlpException("item expected at " + p + ", input ends at " + limit);
    }
    int b0 = b[p] & 0xff;
    if (b0 < 0x80) {
      it.list = false;
      it.off = p;
      it.len = 1;
    } else if (b0 < 0xb8) {
      it.list = false;
      it.off = p + 1;
      it.len = b0 - 0x80;
      if (it.len == 1 && it.off < limit && (b[it.off] & 0xff) < 0x80) {
        throw new RlpException("single byte below 0x80 with a header at " + p);
      }
    } else if (b0 < 0xc0) {
      it.list = false;
      longLength(b, p, limit, b0 - 0xb7, it);
    } else if (b0 < 0xf8) {
      it.list = true;
      it.off = p + 1;
      it.len = b0 - 0xc0;
    } else {
      it.list = true;
      longLength(b, p, limit, b0 - 0xf7, it);
    }
    it.end = it.off + it.len;
    if (it.end > limit || it.end < it.off) {
      throw new RlpException("item at " + p + " of " + it.len + " bytes runs past " + limit);
    }
    return it;
  }

  private static void longLength(byte[] b, int p, int limit, int k, Item it) {
    if (p + 1 + k > limit) {
      throw new RlpException("length of item at " + p + " runs past " + limit);
    }
    if (k > 4 || b[p + 1] == 0) {
      throw new RlpException("non-canonical length of item at " + p);
    }
    long n = 0;
    for (int i = 0; i < k; i++) {
      n = n << 8 | (b[p + 1 + i] & 0xff);
    }
    if (n < 56 || n > Integer.MAX_VALUE) {
      throw new RlpException("non-canonical or too long length " + n + " of item at " + p);
    }
    it.off = p + 1 + k;
    it.len = (int) n;
  }
}

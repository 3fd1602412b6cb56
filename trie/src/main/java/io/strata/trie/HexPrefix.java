package io.strata.trie;

/**
 * Hex-prefix encoding of a nibble path with a leaf flag (Ethereum Yellow Paper, appendix C): the
 * first nibble is {@code 2 * leaf + (odd length)}; an even path adds a zero padding nibble.
 *
 * <p>Thread-safety: static methods.
 */
final class HexPrefix {
  private HexPrefix() {}

  static int encodedLength(byte[] nibbles) {
    return nibbles.length / 2 + 1;
  }

  /** Writes the encoding of {@code nibbles} into {@code out} at {@code off}; returns the end. */
  static int encode(byte[] nibbles, boolean leaf, byte[] out, int off) {
    int flag = leaf ? 2 : 0;
    int i = 0;
    if ((nibbles.length & 1) == 1) {
      out[off++] = (byte) ((flag | 1) << 4 | nibbles[0]);
      i = 1;
    } else {
      out[off++] = (byte) (flag << 4);
    }
    for (; i < nibbles.length; i += 2) {
      out[off++] = (byte) (nibbles[i] << 4 | nibbles[i + 1]);
    }
    return off;
  }

  /** True if the encoded path in {@code b[off, off + len)} has the leaf flag. */
  static boolean isLeaf(byte[] b, int off, int len) {
    if (len == 0) {
      throw new RlpException("empty hex-prefix path");
    }
    int flag = (b[off] >> 4) & 15;
    if (flag > 3) {
      throw new RlpException("hex-prefix flag " + flag + " is not 0..3");
    }
    return flag >= 2;
  }

  /** Decodes the nibbles of the encoded path {@code b[off, off + len)}. */
  static byte[] decode(byte[] b, int off, int len) {
    isLeaf(b, off, len);
    boolean odd = ((b[off] >> 4) & 1) == 1;
    if (!odd && (b[off] & 15) != 0) {
      throw new RlpException("hex-prefix padding nibble is not zero");
    }
    int n = (len - 1) * 2 + (odd ? 1 : 0);
    if (n == 0) {
      return Nibbles.EMPTY;
    }
    byte[] out = new byte[n];
    int j = 0;
    if (odd) {
      out[j++] = (byte) (b[off] & 15);
    }
    for (int i = 1; i < len; i++) {
      out[j++] = (byte) ((b[off + i] >> 4) & 15);
      out[j++] = (byte) (b[off + i] & 15);
    }
    return out;
  }
}

package io.strata.trie;

import java.util.Arrays;

/**
 * Paths of the trie as nibble arrays (one 4-bit value per byte, high nibble of each key byte
 * first).
 *
 * <p>Thread-safety: static methods on arrays the caller owns.
 */
final class Nibbles {
  static final byte[] EMPTY = new byte[0];

  private Nibbles() {}

  static byte[] of(byte[] key) {
    byte[] n = new byte[key.length * 2];
    for (int i = 0; i < key.length; i++) {
      n[2 * i] = (byte) ((key[i] >> 4) & 15);
      n[2 * i + 1] = (byte) (key[i] & 15);
    }
    return n;
  }

  /** Packs an even-length nibble array back into bytes. */
  static byte[] toBytes(byte[] nibbles, int len) {
    byte[] b = new byte[len / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (nibbles[2 * i] << 4 | nibbles[2 * i + 1]);
    }
    return b;
  }

  /** Length of the common prefix of {@code a} and {@code b[bOff..]}. */
  static int commonPrefix(byte[] a, byte[] b, int bOff) {
    int n = Math.min(a.length, b.length - bOff);
    int i = 0;
    while (i < n && a[i] == b[bOff + i]) {
      i++;
    }
    return i;
  }

  static boolean startsWith(byte[] path, int off, byte[] prefix) {
    if (path.length - off < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (path[off + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  static boolean equalsTail(byte[] path, int off, byte[] tail) {
    return path.length - off == tail.length && startsWith(path, off, tail);
  }

  static byte[] slice(byte[] a, int from, int to) {
    return from == to ? EMPTY : Arrays.copyOfRange(a, from, to);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static byte[] prepend(int nibble, byte[] a) {
    byte[] r = new byte[a.length + 1];
    r[0] = (byte) nibble;
    System.arraycopy(a, 0, r, 1, a.length);
    return r;
  }
}

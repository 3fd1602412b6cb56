package io.strata.trie;

/**
 * Keys of the key-value store a {@link StateStore} writes (see {@code trie/FORMAT.md}): a node
 * under its 32-byte hash; metadata under keys of other lengths, so the two can never collide.
 *
 * <p>Thread-safety: static methods.
 */
final class StoreKeys {
  /** Format version, a 1-byte key. */
  static final byte[] FORMAT = {0x00};
  /** Highest block number recorded, a 1-byte key. */
  static final byte[] LATEST_BLOCK = {0x02};
  /** Prefix of a 9-byte block key: 0x01 then the block number, 8 bytes big-endian. */
  static final byte BLOCK = 0x01;
  /** The format version this code writes and reads. */
  static final byte VERSION = 1;

  private StoreKeys() {}

  static byte[] block(long number) {
    byte[] k = new byte[9];
    k[0] = BLOCK;
    putLong(k, 1, number);
    return k;
  }

  static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    putLong(b, 0, v);
    return b;
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[off + i] & 0xff);
    }
    return v;
  }
}

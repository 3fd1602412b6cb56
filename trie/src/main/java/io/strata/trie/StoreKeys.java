package io.strata.trie;

import java.util.Arrays;

/**
 * Keys of the key-value store a {@link StateStore} writes (format version 2, see {@code
 * trie/FORMAT.md}). Every key starts with the two bytes {@code 0x00 0x74} (the trie's namespace),
 * then one byte naming the family:
 *
 * <ul>
 *   <li>{@code n}: a node, then its position (nibbles packed two per byte, high first, an odd
 *       last nibble padded with 0), the position's length in nibbles (2 bytes), its hash (32);
 *   <li>{@code c}: a count of the pruning forest, then the epoch (4 bytes) and a node key
 *       without the namespace;
 *   <li>{@code v}: a version, then height (8) and sequence number (8);
 *   <li>{@code k}: a linked trie's record of the pruning forest, then the epoch (4) and its
 *       root (32);
 *   <li>{@code b}: the canonical root of a height, then the height (8);
 *   <li>{@code f}, {@code l}, {@code s}, {@code h}, {@code m}: format version, latest block, next
 *       sequence number, horizon, retention mode.
 * </ul>
 *
 * <p>Thread-safety: static methods.
 */
final class StoreKeys {
  /** The namespace every trie key starts with. */
  static final byte[] PREFIX = {0x00, 0x74};
  /** The format version this code writes and reads. */
  static final byte VERSION = 3;
  /** The version before journal records ({@link #JOURNAL}); read, and raised to 3 by the first. */
  static final byte VERSION_WITHOUT_JOURNAL = 2;
  /** The one-byte format key of version 1 stores (refused with a clear message). */
  static final byte[] V1_FORMAT = {0x00};

  static final byte NODE = 'n';
  static final byte COUNT = 'c';
  static final byte VERSION_RECORD = 'v';
  static final byte CANONICAL = 'b';
  static final byte LINKED = 'k';
  static final byte UNFINISHED = 'u';
  static final byte JOURNAL = 'j';

  static final byte[] FORMAT = meta('f');
  static final byte[] LATEST_BLOCK = meta('l');
  static final byte[] NEXT_SEQUENCE = meta('s');
  static final byte[] HORIZON = meta('h');
  static final byte[] MODE = meta('m');

  private StoreKeys() {}

  private static byte[] meta(char c) {
    return new byte[] {PREFIX[0], PREFIX[1], (byte) c};
  }

  /** The key of the node with hash {@code hash} at nibble path {@code position}. */
  static byte[] node(byte[] position, byte[] hash) {
    int packed = (position.length + 1) / 2;
    byte[] k = new byte[3 + packed + 2 + 32];
    k[0] = PREFIX[0];
    k[1] = PREFIX[1];
    k[2] = NODE;
    for (int i = 0; i < position.length; i++) {
      k[3 + i / 2] |= (byte) ((i & 1) == 0 ? position[i] << 4 : position[i]);
    }
    k[3 + packed] = (byte) (position.length >>> 8);
    k[4 + packed] = (byte) position.length;
    System.arraycopy(hash, 0, k, 5 + packed, 32);
    return k;
  }

  /** The position (nibbles) of a node key made by {@link #node}. */
  static byte[] nodePosition(byte[] nodeKey) {
    int n = nodeKey.length;
    int len = (nodeKey[n - 34] & 0xff) << 8 | (nodeKey[n - 33] & 0xff);
    byte[] position = new byte[len];
    for (int i = 0; i < len; i++) {
      int packed = nodeKey[3 + i / 2] & 0xff;
      position[i] = (byte) ((i & 1) == 0 ? packed >>> 4 : packed & 0x0f);
    }
    return position;
  }

  /** The node hash (32 bytes) of a node key made by {@link #node}. */
  static byte[] nodeHash(byte[] nodeKey) {
    return java.util.Arrays.copyOfRange(nodeKey, nodeKey.length - 32, nodeKey.length);
  }

  /** The count key of a node key in {@code epoch}. */
  static byte[] count(int epoch, byte[] nodeKey) {
    byte[] k = new byte[3 + 4 + nodeKey.length - 2];
    k[0] = PREFIX[0];
    k[1] = PREFIX[1];
    k[2] = COUNT;
    putInt(k, 3, epoch);
    System.arraycopy(nodeKey, 2, k, 7, nodeKey.length - 2);
    return k;
  }

  /** The link record of a linked trie in {@code epoch}: links, anchor. */
  static byte[] linked(int epoch, Hash root) {
    byte[] k = new byte[3 + 4 + 32];
    k[0] = PREFIX[0];
    k[1] = PREFIX[1];
    k[2] = LINKED;
    putInt(k, 3, epoch);
    System.arraycopy(root.bytes(), 0, k, 7, 32);
    return k;
  }

  /**
   * The record of batch {@code batch} of a split commit in a windowed store that was not the
   * commit's last batch: it lists the node keys that batch writes, so that a reopen after a crash
   * before the last batch can delete the ones no member holds ({@code PRUNING.md}, section 5).
   */
  static byte[] unfinished(long seq, int batch) {
    byte[] k = new byte[3 + 8 + 4];
    k[0] = PREFIX[0];
    k[1] = PREFIX[1];
    k[2] = UNFINISHED;
    putLong(k, 3, seq);
    putInt(k, 11, batch);
    return k;
  }

  /**
   * The journal record of the commit of version {@code seq} in a store that defers node writes
   * ({@link StateOptions#flushLag()}): the block's changes against its anchor, replayed on open
   * ({@link BlockJournal}); deleted once the version's nodes are on disk or it left the forest.
   */
  static byte[] journal(long seq) {
    byte[] k = new byte[3 + 8];
    k[0] = PREFIX[0];
    k[1] = PREFIX[1];
    k[2] = JOURNAL;
    putLong(k, 3, seq);
    return k;
  }

  static byte[] version(long height, long seq) {
    byte[] k = new byte[3 + 16];
    k[0] = PREFIX[0];
    k[1] = PREFIX[1];
    k[2] = VERSION_RECORD;
    putLong(k, 3, height);
    putLong(k, 11, seq);
    return k;
  }

  /** First key of the versions at {@code height} (inclusive lower bound). */
  static byte[] versionsAt(long height) {
    return Arrays.copyOf(version(height, 0), 11);
  }

  static byte[] canonical(long height) {
    byte[] k = new byte[3 + 8];
    k[0] = PREFIX[0];
    k[1] = PREFIX[1];
    k[2] = CANONICAL;
    putLong(k, 3, height);
    return k;
  }

  /** The first key after every key that starts with {@code prefix} (prefix not all 0xff). */
  static byte[] after(byte[] prefix) {
    byte[] k = prefix.clone();
    for (int i = k.length - 1; i >= 0; i--) {
      if (k[i] != (byte) 0xff) {
        k[i]++;
        return Arrays.copyOf(k, i + 1);
      }
    }
    throw new IllegalArgumentException("no key follows an all-0xff prefix");
  }

  static byte[] family(byte f) {
    return new byte[] {PREFIX[0], PREFIX[1], f};
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

  static void putInt(byte[] b, int off, int v) {
    for (int i = 0; i < 4; i++) {
      b[off + i] = (byte) (v >>> (24 - 8 * i));
    }
  }

  static int getInt(byte[] b, int off) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = v << 8 | (b[off + i] & 0xff);
    }
    return v;
  }
}

package io.strata.trie;

import io.strata.CorruptionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A journal record ({@link StoreKeys#journal}): what one commit of a store with a flush lag
 * changed against its anchor, instead of its nodes (about 110 KB for 1,000 account updates,
 * against 1.25 MB of nodes). On open the record is replayed: the anchor's trie plus the changes,
 * hashed, must give the recorded root, and the nodes that differ from the anchor's go back into
 * the dirty layer. Layout ({@code FORMAT.md}): format byte 1 ‖ anchor root (32) ‖ anchor's
 * version sequence number (8) ‖ root (32) ‖
 * height (8) ‖ number of changes (4) ‖ per change: 1 (put) or 0 (delete) ‖ key length (2) ‖ key ‖
 * for a put, value length (4) ‖ value. Keys are the trie's own keys (hashed in a secure store).
 *
 * <p>Thread-safety: immutable.
 */
record BlockJournal(Hash anchor, long anchorSeq, Hash root, long height, List<byte[]> keys,
    List<byte[]> values) {
  static final byte FORMAT = 1;
  static final int HEADER = 1 + 32 + 8 + 32 + 8 + 4;

  /** The encoded record; a null value is a delete. */
  byte[] encode() {
    int size = HEADER;
    for (int i = 0; i < keys.size(); i++) {
      size += 1 + 2 + keys.get(i).length + (values.get(i) == null ? 0 : 4 + values.get(i).length);
    }
    byte[] out = new byte[size];
    out[0] = FORMAT;
    System.arraycopy(anchor.bytes(), 0, out, 1, 32);
    StoreKeys.putLong(out, 33, anchorSeq);
    System.arraycopy(root.bytes(), 0, out, 41, 32);
    StoreKeys.putLong(out, 73, height);
    StoreKeys.putInt(out, 81, keys.size());
    int p = HEADER;
    for (int i = 0; i < keys.size(); i++) {
      byte[] k = keys.get(i);
      byte[] v = values.get(i);
      out[p++] = (byte) (v == null ? 0 : 1);
      out[p++] = (byte) (k.length >>> 8);
      out[p++] = (byte) k.length;
      System.arraycopy(k, 0, out, p, k.length);
      p += k.length;
      if (v != null) {
        StoreKeys.putInt(out, p, v.length);
        p += 4;
        System.arraycopy(v, 0, out, p, v.length);
        p += v.length;
      }
    }
    return out;
  }

  /** Decodes a record, naming it and the byte where it is damaged. */
  static BlockJournal decode(Path dir, byte[] key, byte[] v) {
    String what = "journal record " + Hash.hex(key);
    if (v.length < HEADER || v[0] != FORMAT) {
      throw new CorruptionException(dir, -1, what + " of " + v.length + " bytes: "
          + (v.length < HEADER ? "shorter than its " + HEADER + "-byte header"
          : "unknown format " + v[0]));
    }
    Hash anchor = Hash.wrap(java.util.Arrays.copyOfRange(v, 1, 33));
    long anchorSeq = StoreKeys.getLong(v, 33);
    Hash root = Hash.wrap(java.util.Arrays.copyOfRange(v, 41, 73));
    long height = StoreKeys.getLong(v, 73);
    int n = StoreKeys.getInt(v, 81);
    if (n < 0 || n > (v.length - HEADER) / 3) {
      throw new CorruptionException(dir, -1, what + " claims " + n + " changes in "
          + v.length + " bytes");
    }
    List<byte[]> keys = new ArrayList<>(n);
    List<byte[]> values = new ArrayList<>(n);
    int p = HEADER;
    for (int i = 0; i < n; i++) {
      if (p + 3 > v.length || (v[p] != 0 && v[p] != 1)) {
        throw new CorruptionException(dir, -1, what + " is damaged at byte " + p + " of "
            + v.length + " (change " + i + " of " + n + ")");
      }
      boolean put = v[p] == 1;
      int kl = (v[p + 1] & 0xff) << 8 | (v[p + 2] & 0xff);
      p += 3;
      if (kl > Trie.MAX_KEY_BYTES || p + kl + (put ? 4 : 0) > v.length) {
        throw new CorruptionException(dir, -1, what + " is damaged at byte " + (p - 2) + " of "
            + v.length + " (key length " + kl + ", change " + i + " of " + n + ")");
      }
      keys.add(java.util.Arrays.copyOfRange(v, p, p + kl));
      p += kl;
      if (put) {
        int vl = StoreKeys.getInt(v, p);
        p += 4;
        if (vl <= 0 || vl > Trie.MAX_VALUE_BYTES || p + vl > v.length) {
          throw new CorruptionException(dir, -1, what + " is damaged at byte " + (p - 4)
              + " of " + v.length + " (value length " + vl + ", change " + i + " of " + n + ")");
        }
        values.add(java.util.Arrays.copyOfRange(v, p, p + vl));
        p += vl;
      } else {
        values.add(null);
      }
    }
    if (p != v.length) {
      throw new CorruptionException(dir, -1, what + " has " + (v.length - p)
          + " bytes after its last change");
    }
    return new BlockJournal(anchor, anchorSeq, root, height, keys, values);
  }

  /** The anchor's trie ({@code anchorRoot}, null for empty) with these changes applied. */
  Node apply(Node anchorRoot, NodeResolver resolver) {
    TrieMutator m = new TrieMutator(null, resolver);
    Node r = anchorRoot;
    for (int i = 0; i < keys.size(); i++) {
      byte[] path = Nibbles.of(keys.get(i));
      r = values.get(i) == null ? m.delete(r, path, 0) : m.insert(r, path, 0, values.get(i));
    }
    return r;
  }
}

package io.strata.trie;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One state sync into a {@link StateStore}: the trie under one root, filled range by range from
 * {@link RangeProof}s ({@link StateStore#importRange}) and finished by {@link
 * StateStore#finishImport}.
 *
 * <p>Scheme: each range is verified against the root first ({@link RangeVerifier}); a range
 * that fails changes nothing. The verification rebuilds every node on and between the range's
 * edges, and after it each rebuilt node is known to be the trie's own node at its position: those
 * nodes are written at once, through the store's one node-writing path, except the root node,
 * which is kept (its encoding) and written by {@code finish}, so that {@link StateStore#trie}
 * does not open the root before the sync is whole. Every node of the trie holds at least one key,
 * and the range covering that key rebuilt it; so once the verified ranges cover the whole key
 * space, every node is stored. The session remembers only which part of the key space the
 * verified ranges cover: a sorted set of disjoint intervals.
 *
 * <p>Memory: the intervals (at most one per range that does not touch another, usually a
 * handful) and the root's encoding; a range itself is held only while it is verified and
 * written. The session lives in memory: after a restart the sync starts over (nodes already
 * written stay and are written again, harmlessly).
 *
 * <p>Key space: a range verified with origin {@code o} and last key {@code k} covers {@code [o,
 * k]} when more keys follow, and everything from {@code o} on otherwise. Plain stores: keys are
 * any byte strings, so the key after {@code k} is {@code k ‖ 0x00}. Secure stores: keys are
 * 32-byte hashes, so only 32-byte keys count (the key after {@code k} is {@code k + 1}) and a
 * range holding a key of another length is refused.
 *
 * <p>Thread-safety: all methods synchronize on the session; verification runs outside the lock.
 */
final class RangeImporter {
  private static final int SECURE_KEY = 32;

  private final StateStore store;
  private final Hash root;
  private final boolean secure;
  /** Covered intervals: start to end (exclusive), null end for "to the end of the key space". */
  private final TreeMap<byte[], byte[]> covered = new TreeMap<>(Arrays::compareUnsigned);
  private byte[] rootEncoding;
  private long ranges;

  RangeImporter(StateStore store, Hash root, boolean secure) {
    this.store = store;
    this.root = root;
    this.secure = secure;
  }

  /** Verifies and stores one range; returns whether keys follow it. */
  boolean importRange(byte[] origin, RangeProof range) {
    if (secure) {
      List<byte[]> keys = range.keysShared();
      for (int i = 0; i < keys.size(); i++) {
        if (keys.get(i).length != SECURE_KEY) {
          throw new InvalidProofException("key " + i + " of the range is " + keys.get(i).length
              + " bytes: a secure store's keys are 32-byte hashes");
        }
      }
    }
    RangeVerifier.Result r = RangeVerifier.verify(root, origin, range);
    byte[] start = ceil(origin == null ? new byte[0] : origin);
    byte[] end = null;
    if (r.hasMore()) {
      byte[] last = range.keysShared().get(range.size() - 1);
      end = after(last);
    }
    List<Node> tops = new ArrayList<>();
    List<byte[]> positions = new ArrayList<>();
    Node n = r.root();
    if (n instanceof BranchNode br) {
      for (int i = 0; i < 16; i++) {
        tops.add(br.children[i]);
        positions.add(new byte[] {(byte) i});
      }
    } else if (n instanceof ExtensionNode ext) {
      tops.add(ext.child);
      positions.add(ext.path);
    }
    byte[] enc = null;
    if (n != null) {
      Hasher.ref(n);
      int len = n.encodedLength();
      enc = Arrays.copyOf(Hasher.encodeToBuffer(n, len), len);
    }
    synchronized (this) {
      store.writeImportedNodes(tops, positions);
      if (enc != null) {
        rootEncoding = enc;
      }
      if (start != null) {
        cover(start, end);
      }
      ranges++;
    }
    return r.hasMore();
  }

  private void cover(byte[] start, byte[] end) {
    // merge with every interval that overlaps or touches [start, end)
    Map.Entry<byte[], byte[]> before = covered.floorEntry(start);
    if (before != null && (before.getValue() == null
        || Arrays.compareUnsigned(before.getValue(), start) >= 0)) {
      start = before.getKey();
      end = max(end, before.getValue());
    }
    while (true) {
      Map.Entry<byte[], byte[]> e = covered.ceilingEntry(start);
      if (e == null || (end != null && Arrays.compareUnsigned(e.getKey(), end) > 0)) {
        break;
      }
      end = max(end, e.getValue());
      covered.remove(e.getKey());
    }
    covered.put(start, end);
  }

  private static byte[] max(byte[] a, byte[] b) {
    if (a == null || b == null) {
      return null;
    }
    return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
  }

  /**
   * Writes the root node once the ranges cover every key; returns the trie.
   *
   * @throws IllegalStateException naming the first gap while the key space is not covered
   */
  synchronized Trie finish() {
    byte[] first = secure ? new byte[SECURE_KEY] : new byte[0];
    Map.Entry<byte[], byte[]> e = covered.firstEntry();
    if (e == null) {
      throw new IllegalStateException("the import of root " + root
          + " has no verified range yet");
    }
    if (Arrays.compareUnsigned(e.getKey(), first) > 0) {
      throw gap(first, e.getKey());
    }
    if (e.getValue() != null) {
      Map.Entry<byte[], byte[]> next = covered.higherEntry(e.getKey());
      throw gap(e.getValue(), next == null ? null : next.getKey());
    }
    if (root.equals(Hash.EMPTY_TRIE)) {
      return store.emptyTrie();
    }
    store.writeImportedRoot(rootEncoding, root);
    return store.trie(root);
  }

  private IllegalStateException gap(byte[] from, byte[] to) {
    return new IllegalStateException("the import of root " + root + " is not whole: after "
        + ranges + " ranges no verified range covers the keys from 0x" + Hash.hex(from)
        + (to == null ? " to the end of the key space" : " up to (not including) 0x"
            + Hash.hex(to)));
  }

  /** The smallest key of the key space at or after {@code k}; null when there is none. */
  private byte[] ceil(byte[] k) {
    if (!secure || k.length == SECURE_KEY) {
      return k;
    }
    if (k.length < SECURE_KEY) {
      return Arrays.copyOf(k, SECURE_KEY);
    }
    return increment(Arrays.copyOf(k, SECURE_KEY));
  }

  /** The smallest key of the key space after {@code k}; null when there is none. */
  private byte[] after(byte[] k) {
    if (!secure) {
      return Arrays.copyOf(k, k.length + 1);
    }
    return k.length == SECURE_KEY ? increment(k.clone()) : ceil(k);
  }

  /** {@code k + 1} as a big-endian number of the same length; null when it overflows. */
  private static byte[] increment(byte[] k) {
    for (int i = k.length - 1; i >= 0; i--) {
      if (++k[i] != 0) {
        return k;
      }
    }
    return null;
  }
}

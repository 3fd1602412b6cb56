package io.strata.trie;

import io.strata.lsm.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trie nodes committed but not yet written to the key-value store (a store with a flush lag,
 * {@code trie/COMMIT.md}, step D): store key to encoding. A commit puts its node set here instead
 * of into a batch (its block's changes go to the journal, which makes it durable); readers look
 * here before the key-value store; the pruner drops nodes that die here (they never reach a table
 * file) and writes the survivors when the oldest roots leave.
 *
 * <p>Layout, so that a window of nodes (hundreds of thousands) costs the garbage collector almost
 * nothing: the keys and encodings of one {@link #putAll} go into one byte array (a <em>chunk</em>,
 * about 1.25 MB for a block of 1,000 account updates: allocated outside the young generation and
 * never copied), each entry as key length (2) ‖ key ‖ encoding length (4) ‖ encoding; an
 * open-addressing table of primitive slots (chunk number and offset) finds them by key, with
 * linear probing and backward-shift deletion. A chunk is released when its last entry is removed.
 *
 * <p>Thread-safety: every method is synchronized (readers on any thread; changes with the store's
 * commit lock held).
 */
final class DirtyNodes {
  private static final int MIN_SLOTS = 1 << 10;

  /** Slot: 0 = empty, else (chunk + 1) << 32 | offset. */
  private long[] slots = new long[MIN_SLOTS];
  private int[] hashes = new int[MIN_SLOTS];
  private int size;
  private byte[][] chunks = new byte[16][];
  private int[] live = new int[16];
  private final IntArray freeChunks = new IntArray();
  private int chunkCount;
  private long bytes;

  /** The chunk of slot {@code i}'s entry. */
  private byte[] chunkOfSlot(int i) {
    return chunks[(int) (slots[i] >>> 32) - 1];
  }

  /**
   * Where the encoding of slot {@code i}'s entry starts in its chunk (an entry: key length (2
   * bytes), key, encoding length (4), encoding).
   */
  private int encodingAt(byte[] c, int i) {
    int off = (int) slots[i];
    int kl = (c[off] & 0xff) << 8 | (c[off + 1] & 0xff);
    return off + 2 + kl + 4;
  }

  /** The encoding under this key (a copy), or null when it is not dirty. */
  synchronized byte[] get(NodeKey k) {
    int i = find(k);
    if (i < 0) {
      return null;
    }
    byte[] c = chunkOfSlot(i);
    int p = encodingAt(c, i);
    return Arrays.copyOfRange(c, p, p + StoreKeys.getInt(c, p - 4));
  }

  /**
   * The node held for {@code k}, decoded straight from its chunk (the decoder copies what the node
   * keeps) with its encoded size and reference set, or null when none is held.
   *
   * @throws RlpException when the held bytes are not a node (a bug: the store encoded them)
   */
  synchronized Node decode(NodeKey k, byte[] position, Hash hash) {
    int i = find(k);
    if (i < 0) {
      return null;
    }
    byte[] c = chunkOfSlot(i);
    int p = encodingAt(c, i);
    int el = StoreKeys.getInt(c, p - 4);
    Node n = NodeDecoder.decode(c, p, el, position);
    n.encodedSize = el;
    n.ref = el < 32 ? Arrays.copyOfRange(c, p, p + el) : hash.bytes();
    return n;
  }

  /**
   * Puts the node held for {@code k} into {@code batch} (its encoding copied straight from the
   * chunk, not through an array of its own); returns the encoding's length, or -1 when none is
   * held.
   */
  synchronized int putInto(NodeKey k, WriteBatch batch) {
    int i = find(k);
    if (i < 0) {
      return -1;
    }
    byte[] c = chunkOfSlot(i);
    int p = encodingAt(c, i);
    int el = StoreKeys.getInt(c, p - 4);
    batch.put(k.bytes, c, p, el);
    return el;
  }

  /** Adds the nodes of a set in one chunk; keys already dirty keep their equal encodings. */
  synchronized void putAll(List<byte[]> keys, List<byte[]> encodings) {
    int need = 0;
    for (int i = 0; i < keys.size(); i++) {
      if (find(new NodeKey(keys.get(i))) < 0) {
        need += 2 + keys.get(i).length + 4 + encodings.get(i).length;
      }
    }
    if (need == 0) {
      return;
    }
    byte[] c = new byte[need];
    int id = newChunk(c);
    int p = 0;
    int n = 0;
    for (int i = 0; i < keys.size(); i++) {
      byte[] k = keys.get(i);
      NodeKey nk = new NodeKey(k);
      if (find(nk) >= 0) {
        continue; // dirty already (or twice in this list)
      }
      byte[] e = encodings.get(i);
      int off = p;
      c[p++] = (byte) (k.length >>> 8);
      c[p++] = (byte) k.length;
      System.arraycopy(k, 0, c, p, k.length);
      p += k.length;
      StoreKeys.putInt(c, p, e.length);
      p += 4;
      System.arraycopy(e, 0, c, p, e.length);
      p += e.length;
      insert(nk.hashCode(), (long) (id + 1) << 32 | off);
      bytes += k.length + e.length;
      n++;
    }
    live[id] = n;
  }

  /** Removes a node (written, or dead); returns whether it was dirty. */
  synchronized boolean remove(NodeKey k) {
    int i = find(k);
    if (i < 0) {
      return false;
    }
    int chunk = (int) (slots[i] >>> 32) - 1;
    byte[] c = chunks[chunk];
    int off = (int) slots[i];
    int kl = (c[off] & 0xff) << 8 | (c[off + 1] & 0xff);
    bytes -= kl + StoreKeys.getInt(c, off + 2 + kl);
    if (--live[chunk] == 0) {
      chunks[chunk] = null; // the whole chunk goes at once
      freeChunks.add(chunk);
    }
    deleteSlot(i);
    return true;
  }

  synchronized int size() {
    return size;
  }

  /** Key plus encoding bytes of the dirty nodes. */
  synchronized long bytes() {
    return bytes;
  }

  /** Every dirty key (copies). */
  synchronized List<NodeKey> keys() {
    List<NodeKey> out = new ArrayList<>(size);
    for (long s : slots) {
      if (s != 0) {
        byte[] c = chunks[(int) (s >>> 32) - 1];
        int off = (int) s;
        int kl = (c[off] & 0xff) << 8 | (c[off + 1] & 0xff);
        out.add(new NodeKey(Arrays.copyOfRange(c, off + 2, off + 2 + kl)));
      }
    }
    return out;
  }

  private int newChunk(byte[] c) {
    int id;
    if (freeChunks.size() > 0) {
      id = freeChunks.get(freeChunks.size() - 1);
      freeChunks.removeLast();
    } else {
      if (chunkCount == chunks.length) {
        chunks = Arrays.copyOf(chunks, chunkCount * 2);
        live = Arrays.copyOf(live, chunkCount * 2);
      }
      id = chunkCount++;
    }
    chunks[id] = c;
    return id;
  }

  private int find(NodeKey k) {
    int mask = slots.length - 1;
    int h = k.hashCode();
    for (int i = NodeKey.mix(h) & mask; ; i = (i + 1) & mask) {
      long s = slots[i];
      if (s == 0) {
        return -1;
      }
      if (hashes[i] == h && keyAt(s, k.bytes)) {
        return i;
      }
    }
  }

  private boolean keyAt(long s, byte[] key) {
    byte[] c = chunks[(int) (s >>> 32) - 1];
    int off = (int) s;
    int kl = (c[off] & 0xff) << 8 | (c[off + 1] & 0xff);
    return kl == key.length && Arrays.equals(c, off + 2, off + 2 + kl, key, 0, kl);
  }

  private void insert(int h, long slot) {
    if ((size + 1) * 2 > slots.length) {
      resize(slots.length * 2);
    }
    int mask = slots.length - 1;
    int i = NodeKey.mix(h) & mask;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = slot;
    hashes[i] = h;
    size++;
  }

  private void resize(int n) {
    long[] os = slots;
    int[] oh = hashes;
    slots = new long[n];
    hashes = new int[n];
    size = 0;
    for (int i = 0; i < os.length; i++) {
      if (os[i] != 0) {
        insert(oh[i], os[i]);
      }
    }
  }

  /** Backward-shift deletion: later entries of the probe run move up so no lookup stops early. */
  private void deleteSlot(int i) {
    int mask = slots.length - 1;
    int hole = i;
    for (int j = (i + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
      int home = NodeKey.mix(hashes[j]) & mask;
      // move j into the hole if its home is not in (hole, j] (cyclically)
      boolean between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        slots[hole] = slots[j];
        hashes[hole] = hashes[j];
        hole = j;
      }
    }
    slots[hole] = 0;
    hashes[hole] = 0;
    size--;
    if (slots.length > MIN_SLOTS && size * 8 < slots.length) {
      resize(slots.length / 2);
    }
  }
}

package io.strata.lsm;

import io.strata.bloom.BloomFilter;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.TableCache;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The batched read behind {@link Db#multiGet(List, ReadOptions)}: a batch of keys answered from
 * one {@link ReadView} at one sequence number, sharing the work a loop of {@code get} repeats.
 *
 * <p>The keys are sorted once (their positions, not copies) and duplicates collapsed, so each
 * distinct key is looked up once, with its seek key and Bloom hash computed once. The memtables
 * are asked first; the keys they do not answer go to the tables ({@code Version.multiGet}): per
 * level-0 table the run of keys in its range, per deeper level one walk of the sorted keys across
 * the level's sorted tables, each table acquired once; per table one Bloom probe per key, one index
 * search and one block fetch (cache lookup, or read, checksum and decompression) per data block
 * reached, whatever the number of keys it answers ({@code TableReader.multiGet}). Per distinct key
 * it allocates its seek key and its answer; the rest is per batch.
 *
 * <p>Stateless; each call uses only its own arrays, so any number of threads may call at once.
 */
final class MultiGet {
  private MultiGet() {}

  /**
   * The answers for {@code keys} (checked by the caller) in their order, null where absent or
   * deleted; each non-null answer is a fresh array, duplicates included.
   */
  static List<byte[]> get(ReadView v, byte[][] keys, long sequence, TableCache tables,
      boolean fillCache) {
    int n = keys.length;
    int[] order = sortedPositions(keys);
    // distinct keys in sorted order; slot[p] is the distinct key of input position p
    int[] slot = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || !Arrays.equals(keys[order[i]], keys[order[i - 1]])) {
        m++;
      }
      slot[order[i]] = m - 1;
    }
    byte[][] userKeys = new byte[m][];
    for (int i = 0; i < n; i++) {
      userKeys[slot[order[i]]] = keys[order[i]];
    }
    byte[][] seekKeys = new byte[m][];
    byte[][] found = new byte[m][];
    int missing = 0;
    for (int i = 0; i < m; i++) {
      seekKeys[i] = InternalKeys.seekKey(userKeys[i], sequence); // shared by every probe below
      byte[] value = v.mem.get(userKeys[i], seekKeys[i]);
      if (value == null && v.imm != null) {
        value = v.imm.get(userKeys[i], seekKeys[i]);
      }
      found[i] = value;
      if (value == null) {
        missing++;
      }
    }
    if (missing > 0) {
      long[] hashes = new long[m];
      for (int i = 0; i < m; i++) {
        if (found[i] == null) {
          hashes[i] = BloomFilter.hash(userKeys[i]);
        }
      }
      v.version.multiGet(userKeys, seekKeys, hashes, found, tables, fillCache);
    }
    byte[][] values = new byte[n][];
    boolean[] handedOut = new boolean[m];
    for (int p = 0; p < n; p++) {
      byte[] value = found[slot[p]];
      if (value == null || value == Memtable.DELETED) {
        continue;
      }
      if (handedOut[slot[p]]) {
        value = value.clone(); // a duplicate key gets its own copy
      }
      handedOut[slot[p]] = true;
      values[p] = value;
    }
    return Collections.unmodifiableList(Arrays.asList(values));
  }

  /** The positions of {@code keys} in ascending unsigned key order (stable merge sort). */
  static int[] sortedPositions(byte[][] keys) {
    int n = keys.length;
    int[] a = new int[n];
    boolean sorted = true;
    for (int i = 0; i < n; i++) {
      a[i] = i;
      if (i > 0 && Arrays.compareUnsigned(keys[i - 1], keys[i]) > 0) {
        sorted = false;
      }
    }
    if (sorted) {
      return a;
    }
    int[] b = new int[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          b[k++] = Arrays.compareUnsigned(keys[a[j]], keys[a[i]]) < 0 ? a[j++] : a[i++];
        }
        while (i < mid) {
          b[k++] = a[i++];
        }
        while (j < hi) {
          b[k++] = a[j++];
        }
      }
      int[] t = a;
      a = b;
      b = t;
    }
    return a;
  }
}

package io.strata.lsm;

import io.strata.bloom.BloomFilter;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.TableCache;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The batched read behind {@link Db#multiGet(List, ReadOptions)}: a batch of keys answered from
 * one {@link ReadView} at one sequence number, sharing the work a loop of {@code get} repeats.
 *
 * <p>The keys are sorted once (their positions, not copies; compared by the 8 bytes after the
 * batch's common prefix, held in one array of longs, and by their bytes only on a tie) and
 * duplicates collapsed, so each distinct key is looked up once, with its seek key and Bloom hash
 * computed once. The memtables are asked first; the keys they do not answer go to the tables
 * ({@code Version.multiGet}), step by step: each level-0 table (newest first) with the run of keys
 * in its range, then each deeper level with one walk of the sorted keys across its sorted tables,
 * each table acquired once. In a table, one Bloom probe per key, one index search and one cache
 * lookup per data block reached, whatever the number of keys it answers ({@code
 * TableReader.multiGet}); cached blocks answer at once, and the step's misses are read after the
 * walk ({@code PendingBlockReads}): misses back to back in one table with one read (each block
 * still checked alone), and from {@link #MIN_SHARED_READS} reads on, shared with the engine's
 * helper thread, the caller claiming reads too (so a batch never waits for the helper to start).
 * Every read of a batch is of the one version its view pins, so the answers are of one state
 * whichever thread read them. Per distinct key it allocates its seek key and its answer; the rest
 * is per batch.
 *
 * <p>Stateless; each call uses only its own arrays (the helper writes only the answers of the
 * reads it claimed, and the call returns after they are done), so any number of threads may call
 * at once.
 */
final class MultiGet {
  /**
   * From how many reads in one step (a level, or a level-0 table; a read fetches the cache misses
   * that lie back to back in one table) the step's reads are shared with the engine's helper
   * thread. A block read from the page cache costs about 3 µs (read, checksum, parse, cache
   * insert) on the 2-core machine of the README's figures; handing a task to the helper costs the
   * caller a few µs and the helper tens of µs before it starts, so fewer reads than this are done
   * faster alone. A random batch of 100 keys of a large store needs about 90 reads; a clustered
   * one (keys from 400 consecutive ones) reaches about 13 blocks in one or two reads.
   */
  static final int MIN_SHARED_READS = 24;

  private MultiGet() {}

  /**
   * The answers for {@code keys} (checked by the caller) in their order, null where absent or
   * deleted; each non-null answer is a fresh array, duplicates included.
   */
  static List<byte[]> get(ReadView v, byte[][] keys, long sequence, TableCache tables,
      boolean fillCache, Executor helper, int minSharedReads, Consumer<String> hook) {
    int n = keys.length;
    int prefix = commonPrefix(keys);
    long[] words = new long[n];
    for (int i = 0; i < n; i++) {
      words[i] = word(keys[i], prefix);
    }
    int[] order = sortedPositions(keys, words, prefix);
    // distinct keys in sorted order; slot[p] is the distinct key of input position p
    int[] slot = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || words[order[i]] != words[order[i - 1]]
          || !Arrays.equals(keys[order[i]], keys[order[i - 1]])) {
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
    long[] hashes = new long[m];
    int missing = 0;
    for (int i = 0; i < m; i++) {
      seekKeys[i] = InternalKeys.seekKey(userKeys[i], sequence); // shared by every probe below
      hashes[i] = BloomFilter.hash(userKeys[i]); // and so is the hash, memtables' filters first
      byte[] value = v.mem.get(userKeys[i], seekKeys[i], hashes[i]);
      if (value == null && v.imm != null) {
        value = v.imm.get(userKeys[i], seekKeys[i], hashes[i]);
      }
      found[i] = value;
      if (value == null) {
        missing++;
      }
    }
    if (missing > 0) {
      v.version.multiGet(userKeys, seekKeys, hashes, found, tables, fillCache, helper,
          minSharedReads, hook);
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

  /** The length of the longest prefix all of {@code keys} share. */
  static int commonPrefix(byte[][] keys) {
    if (keys.length == 0) {
      return 0;
    }
    byte[] first = keys[0];
    int p = first.length;
    for (int i = 1; i < keys.length && p > 0; i++) {
      byte[] k = keys[i];
      int mm = Arrays.mismatch(first, 0, p, k, 0, Math.min(p, k.length));
      if (mm >= 0) {
        p = mm;
      }
    }
    return p;
  }

  /**
   * Bytes {@code [from, from + 8)} of {@code key} as a big-endian long, zeros past its end: for
   * keys sharing their first {@code from} bytes, a smaller word (unsigned) means a smaller key, and
   * equal words leave the order to the bytes after (or to the lengths).
   */
  static long word(byte[] key, int from) {
    long w = 0;
    int end = Math.min(key.length, from + 8);
    int i = from;
    for (; i < end; i++) {
      w = (w << 8) | (key[i] & 0xFF);
    }
    return w << (8 * (from + 8 - i));
  }

  /**
   * Whether {@code a} sorts after {@code b}, by their words (see {@link #word}) and, on a tie, by
   * their bytes after the first {@code prefix + 8} (the bytes before are equal).
   */
  private static boolean after(byte[][] keys, long[] words, int prefix, int a, int b) {
    int c = Long.compareUnsigned(words[a], words[b]);
    if (c != 0) {
      return c > 0;
    }
    byte[] x = keys[a];
    byte[] y = keys[b];
    int from = Math.min(prefix + 8, Math.min(x.length, y.length));
    return Arrays.compareUnsigned(x, from, x.length, y, from, y.length) > 0;
  }

  /**
   * The positions of {@code keys} in ascending unsigned key order (stable merge sort), comparing
   * the 8-byte words after the keys' common {@code prefix} first (one array, no key read) and the
   * keys' bytes only on a tie.
   */
  static int[] sortedPositions(byte[][] keys, long[] words, int prefix) {
    int n = keys.length;
    int[] a = new int[n];
    boolean sorted = true;
    for (int i = 0; i < n; i++) {
      a[i] = i;
      if (sorted && i > 0 && after(keys, words, prefix, i - 1, i)) {
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
          b[k++] = after(keys, words, prefix, a[i], a[j]) ? a[j++] : a[i++];
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

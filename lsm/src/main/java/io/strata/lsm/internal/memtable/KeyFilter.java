package io.strata.lsm.internal.memtable;

import io.strata.bloom.BloomFilter;

/**
 * A Bloom filter over the user keys of one memtable, so a get of a key the memtable does not hold
 * (most gets once the data outgrows it) costs one cache line instead of a skip-list search of
 * about 20 key compares, each a cache miss. Blocked: the probes of a key all fall in one 64-byte
 * block chosen by the upper 32 bits of its hash ({@link io.strata.bloom.BloomFilter#hash}, the
 * hash the read path already computes for the tables' filters).
 *
 * <p>Thread-safety: one writer (the memtable's) adds; any number of readers test concurrently.
 * Words are ints, so a read never sees half a write. A reader is only promised the keys whose
 * writes happened before its snapshot: the writer adds a key before the memtable insert, which
 * happens before the sequence number is published, which the reader read when it took its
 * snapshot. A key added concurrently may or may not be seen, exactly as its skip-list node.
 */
final class KeyFilter {
  private static final int BLOCK_INTS = 16; // 64 bytes, one cache line
  private static final int PROBES = 6;

  private final int[] words;
  private final int blocks;

  /** A filter of about {@code bytes} bytes (at least one block). */
  KeyFilter(long bytes) {
    long b = Math.max(1, Math.min(bytes, 64L << 20) / (BLOCK_INTS * 4));
    this.blocks = (int) b;
    this.words = new int[blocks * BLOCK_INTS];
  }

  /** Bytes of filter for a memtable frozen at {@code writeBufferSize} bytes: 1/64 of it. */
  static long bytesFor(long writeBufferSize) {
    return writeBufferSize / 64;
  }

  /** Adds a key by its hash. Writer only. */
  void add(long hash) {
    int base = block(hash);
    long bits = BloomFilter.mix(hash);
    for (int i = 0; i < PROBES; i++, bits >>>= 9) {
      int bit = (int) bits & 511;
      words[base + (bit >>> 5)] |= 1 << bit;
    }
  }

  /** False only when no key with this hash was added (before the caller's snapshot). */
  boolean mightContain(long hash) {
    int base = block(hash);
    long bits = BloomFilter.mix(hash);
    for (int i = 0; i < PROBES; i++, bits >>>= 9) {
      int bit = (int) bits & 511;
      if ((words[base + (bit >>> 5)] & (1 << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  int bytes() {
    return words.length * 4;
  }

  private int block(long hash) {
    return BloomFilter.blockIndex(hash, blocks) * BLOCK_INTS;
  }
}

package io.strata.bloom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import net.openhft.hashing.LongHashFunction;

/**
 * A cache-line-blocked Bloom filter: the filter is an array of 512-bit (64-byte) blocks, and every
 * probe of one key lands in the same block, so a lookup touches one cache line.
 *
 * <p>Keys are hashed once with XXH3 (64 bits, seed 0, see {@link #hash(byte[])}). The upper 32 bits
 * of the hash choose the block; the probe positions inside the block are successive 9-bit fields of
 * the hash passed through a 64-bit mixing function (remixed after every seven probes). A caller
 * that already holds the hash (a table that hashes each key once) uses {@link #mightContain(long)}.
 *
 * <p>A filter is immutable once built and safe to share between threads. A filter made by {@link
 * #view(ByteBuffer)} reads the caller's buffer in place; the caller must not change those bytes
 * while the filter is in use.
 *
 * <p>The serialized form is described byte by byte in {@code bloom/FORMAT.md}.
 */
public final class BloomFilter {

  /** Format byte of the serialized form written by this version. */
  public static final byte FORMAT_VERSION = 1;

  /** Bytes before the first block: format, probes, two reserved zero bytes, block count. */
  static final int HEADER_BYTES = 8;

  static final int BLOCK_BYTES = 64;
  static final int BLOCK_BITS = BLOCK_BYTES * 8;

  /** Bits per key accepted by {@link #builder(int)}. */
  public static final int MAX_BITS_PER_KEY = 64;

  static final int MAX_PROBES = 30;

  /** Probe positions are 9-bit fields of a remixed hash: seven fit in one 64-bit word. */
  private static final int PROBES_PER_WORD = 7;

  /** Added before remixing when a key needs more than seven probes (2^64 / golden ratio). */
  private static final long PROBE_INCREMENT = 0x9E3779B97F4A7C15L;

  private static final LongHashFunction XXH3 = LongHashFunction.xx3();

  /** Header and blocks, little-endian, positioned at the header: absolute reads only. */
  private final ByteBuffer data;

  private final int probes;
  private final int blocks;

  private BloomFilter(ByteBuffer data, int probes, int blocks) {
    this.data = data;
    this.probes = probes;
    this.blocks = blocks;
  }

  /** The 64-bit XXH3 hash this filter uses for {@code key}. */
  public static long hash(byte[] key) {
    Objects.requireNonNull(key, "key");
    return XXH3.hashBytes(key);
  }

  /** {@link #hash(byte[])} of {@code key[offset, offset + length)}, without a copy. */
  public static long hash(byte[] key, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, key.length);
    return XXH3.hashBytes(key, offset, length);
  }

  /**
   * Starts a filter with {@code bitsPerKey} bits of filter per added key (10 gives about 1% false
   * positives).
   *
   * @throws IllegalArgumentException when bitsPerKey is outside 1..{@value #MAX_BITS_PER_KEY}
   */
  public static Builder builder(int bitsPerKey) {
    if (bitsPerKey < 1 || bitsPerKey > MAX_BITS_PER_KEY) {
      throw new IllegalArgumentException(
          "bitsPerKey must be in 1.." + MAX_BITS_PER_KEY + ", was " + bitsPerKey);
    }
    return new Builder(bitsPerKey);
  }

  /** Returns true when {@code key} may have been added, false when it certainly was not. */
  public boolean mightContain(byte[] key) {
    return mightContain(hash(key));
  }

  /** Returns true when a key with this {@link #hash(byte[]) hash} may have been added. */
  public boolean mightContain(long hash) {
    int base = HEADER_BYTES + blockIndex(hash, blocks) * BLOCK_BYTES;
    long bits = mix(hash);
    for (int i = 0, used = 0; i < probes; i++, used++) {
      if (used == PROBES_PER_WORD) {
        bits = mix(bits + PROBE_INCREMENT);
        used = 0;
      }
      int bit = (int) bits & (BLOCK_BITS - 1);
      bits >>>= 9;
      long word = data.getLong(base + ((bit >>> 6) << 3));
      if ((word & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Number of probes per key. */
  public int probes() {
    return probes;
  }

  /** Size of the serialized form in bytes. */
  public int serializedSize() {
    return HEADER_BYTES + blocks * BLOCK_BYTES;
  }

  /** The serialized form: a fresh array the caller owns. */
  public byte[] toByteArray() {
    byte[] out = new byte[serializedSize()];
    data.duplicate().get(0, out);
    return out;
  }

  /**
   * Reads a serialized filter, copying it.
   *
   * @throws IllegalArgumentException when the bytes are not a complete filter of a known format
   */
  public static BloomFilter fromByteArray(byte[] serialized) {
    Objects.requireNonNull(serialized, "serialized");
    return view(ByteBuffer.wrap(serialized.clone()));
  }

  /**
   * A read-only filter over the bytes between the buffer's position and limit, without copying.
   * The buffer's position, limit and byte order are not changed.
   *
   * @throws IllegalArgumentException when the bytes are not a complete filter of a known format
   */
  public static BloomFilter view(ByteBuffer serialized) {
    Objects.requireNonNull(serialized, "serialized");
    ByteBuffer b = serialized.slice().order(ByteOrder.LITTLE_ENDIAN);
    int length = b.remaining();
    if (length < HEADER_BYTES) {
      throw new IllegalArgumentException(
          "bloom filter truncated: " + length + " bytes, the header alone is " + HEADER_BYTES);
    }
    int format = b.get(0);
    if (format != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "unknown bloom filter format " + (format & 0xFF) + ", expected " + FORMAT_VERSION);
    }
    int probes = b.get(1);
    if (probes < 1 || probes > MAX_PROBES) {
      throw new IllegalArgumentException(
          "bloom filter probe count " + (probes & 0xFF) + " outside 1.." + MAX_PROBES);
    }
    if (b.get(2) != 0 || b.get(3) != 0) {
      throw new IllegalArgumentException("bloom filter reserved header bytes 2..3 are not zero");
    }
    int blocks = b.getInt(4);
    if (blocks < 1 || blocks > (Integer.MAX_VALUE - HEADER_BYTES) / BLOCK_BYTES) {
      throw new IllegalArgumentException(
          "bloom filter block count " + Integer.toUnsignedString(blocks) + " is invalid");
    }
    long expected = HEADER_BYTES + (long) blocks * BLOCK_BYTES;
    if (length != expected) {
      throw new IllegalArgumentException(
          "bloom filter of "
              + blocks
              + " blocks needs "
              + expected
              + " bytes, found "
              + length
              + (length < expected ? " (truncated)" : " (trailing bytes)"));
    }
    return new BloomFilter(b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN), probes, blocks);
  }

  /**
   * MurmurHash3's 64-bit finalizer: a bijection whose output bits each depend on every input bit,
   * so the probe positions are independent of the upper hash bits that chose the block. Public
   * for other blocked filters over the same {@link #hash} (the memtable's key filter).
   */
  public static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }

  /** Maps the upper 32 bits of the hash uniformly onto 0..blocks-1 without a division. */
  public static int blockIndex(long hash, int blocks) {
    return (int) (((hash >>> 32) * blocks) >>> 32);
  }

  /**
   * Probe count for a blocked filter at this density: the one with the lowest false-positive rate
   * in the model of {@link FalsePositiveModel}. Blocked filters want fewer probes than the classic
   * {@code bitsPerKey * ln 2} because busy blocks already fill up.
   */
  static int probesFor(int bitsPerKey) {
    return FalsePositiveModel.bestProbes(bitsPerKey, MAX_PROBES);
  }

  /**
   * Collects key hashes and builds a filter sized for them. Not thread-safe: one thread adds, then
   * builds.
   */
  public static final class Builder {
    private final int bitsPerKey;
    private long[] hashes = new long[64];
    private int count;

    private Builder(int bitsPerKey) {
      this.bitsPerKey = bitsPerKey;
    }

    /** Adds a key. */
    public Builder add(byte[] key) {
      return addHash(hash(key));
    }

    /** Adds a key by its {@link BloomFilter#hash(byte[]) hash}. */
    public Builder addHash(long hash) {
      if (count == hashes.length) {
        if (count == Integer.MAX_VALUE - 8) {
          throw new IllegalStateException("bloom filter builder holds too many keys: " + count);
        }
        hashes = java.util.Arrays.copyOf(hashes, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * count));
      }
      hashes[count++] = hash;
      return this;
    }

    /** Number of keys added so far. */
    public int size() {
      return count;
    }

    /** Builds the filter; the builder may go on collecting keys for a larger filter afterwards. */
    public BloomFilter build() {
      long totalBits = Math.max(1L, (long) count * bitsPerKey);
      long blockCount = (totalBits + BLOCK_BITS - 1) / BLOCK_BITS;
      if (blockCount > (Integer.MAX_VALUE - HEADER_BYTES) / BLOCK_BYTES) {
        throw new IllegalStateException(
            "bloom filter for " + count + " keys at " + bitsPerKey + " bits/key exceeds 2 GiB");
      }
      int blocks = (int) blockCount;
      int probes = probesFor(bitsPerKey);
      long[] words = new long[blocks * (BLOCK_BYTES / Long.BYTES)];
      for (int i = 0; i < count; i++) {
        long hash = hashes[i];
        int base = blockIndex(hash, blocks) * (BLOCK_BYTES / Long.BYTES);
        long bits = mix(hash);
        for (int p = 0, used = 0; p < probes; p++, used++) {
          if (used == PROBES_PER_WORD) {
            bits = mix(bits + PROBE_INCREMENT);
            used = 0;
          }
          int bit = (int) bits & (BLOCK_BITS - 1);
          bits >>>= 9;
          words[base + (bit >>> 6)] |= 1L << bit;
        }
      }
      ByteBuffer b =
          ByteBuffer.allocate(HEADER_BYTES + blocks * BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      b.put(0, FORMAT_VERSION);
      b.put(1, (byte) probes);
      b.putInt(4, blocks);
      b.position(HEADER_BYTES);
      b.asLongBuffer().put(words);
      b.position(0);
      return new BloomFilter(b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN), probes, blocks);
    }
  }
}

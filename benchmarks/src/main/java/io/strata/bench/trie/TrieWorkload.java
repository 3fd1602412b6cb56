package io.strata.bench.trie;

import java.util.Random;

/**
 * The trie workloads: accounts with 32-byte random keys and 70-byte values; blocks of
 * random updates (new values for random existing accounts). Deterministic from a seed, so every
 * engine sees the same keys, values and order.
 */
public final class TrieWorkload {
  public static final int VALUE_BYTES = 70;
  public static final int UPDATES_PER_BLOCK = 1_000;

  public final byte[][] keys;
  private final Random random;

  public TrieWorkload(int accounts, long seed) {
    random = new Random(seed);
    keys = new byte[accounts][];
    for (int i = 0; i < accounts; i++) {
      keys[i] = new byte[32];
      random.nextBytes(keys[i]);
    }
  }

  /** Initial value of account {@code i}. */
  public static byte[] value(long i, long version) {
    byte[] v = new byte[VALUE_BYTES];
    long x = i * 0x9E3779B97F4A7C15L ^ version * 0xC2B2AE3D27D4EB4FL;
    for (int j = 0; j < v.length; j++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      v[j] = (byte) x;
    }
    return v;
  }

  /** The accounts one block updates: {@link #UPDATES_PER_BLOCK} random indices. */
  public int[] block() {
    int[] idx = new int[UPDATES_PER_BLOCK];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = random.nextInt(keys.length);
    }
    return idx;
  }

  /** A random account index. */
  public int nextIndex() {
    return random.nextInt(keys.length);
  }
}

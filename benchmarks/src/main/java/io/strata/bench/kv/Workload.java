package io.strata.bench.kv;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * db_bench conventions: 16-byte keys (the entry number, zero-padded decimal), 100-byte values
 * that compress to about half (50 random bytes, repeated), keys in sequential or shuffled order.
 * Stateless helpers plus immutable precomputed data.
 */
public final class Workload {
  private Workload() {}

  public static final int VALUE_SIZE = 100;
  private static final int DISTINCT_VALUES = 4096;
  private static final byte[][] VALUES = new byte[DISTINCT_VALUES][];

  static {
    Random r = new Random(301);
    for (int i = 0; i < DISTINCT_VALUES; i++) {
      byte[] v = new byte[VALUE_SIZE];
      for (int j = 0; j < VALUE_SIZE / 2; j++) {
        v[j] = (byte) (' ' + r.nextInt(95));
      }
      System.arraycopy(v, 0, v, VALUE_SIZE / 2, VALUE_SIZE / 2);
      VALUES[i] = v;
    }
  }

  public static byte[] key(long i) {
    byte[] k = new byte[16];
    long v = i;
    for (int p = 15; p >= 0; p--) {
      k[p] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return k;
  }

  /** A key between {@code key(i)} and {@code key(i + 1)}: never present. */
  public static byte[] missingKey(long i) {
    byte[] k = java.util.Arrays.copyOf(key(i), 17);
    k[16] = '.';
    return k;
  }

  public static byte[] value(long i) {
    return VALUES[(int) (i % DISTINCT_VALUES)];
  }

  /** 0..n-1 shuffled, reproducibly. */
  public static int[] shuffled(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random r = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  public static String describe() {
    return "16-byte keys, " + VALUE_SIZE + "-byte values compressible to ~50%";
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}

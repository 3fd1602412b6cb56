package io.strata.bench.run;

/**
 * Latencies in nanoseconds, counted in log-linear buckets: exact below 32 ns, above that 32
 * buckets per power of two (at most about 3% wide), so a percentile read back is within about 3%
 * of the true one. Fixed size, no allocation per record. Not thread-safe: one recording thread.
 */
final class LatencyHistogram {
  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;
  private final long[] counts = new long[(64 - SUB_BITS + 1) * SUB];
  private long total;

  void record(long nanos) {
    counts[index(Math.max(0, nanos))]++;
    total++;
  }

  long count() {
    return total;
  }

  static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int b = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
    int mantissa = (int) (v >>> (b - SUB_BITS)) & (SUB - 1);
    return (b - SUB_BITS + 1) * SUB + mantissa;
  }

  /** The smallest value that falls into bucket {@code i}. */
  static long lowest(int i) {
    if (i < SUB) {
      return i;
    }
    int b = i / SUB + SUB_BITS - 1;
    long mantissa = i % SUB;
    return (SUB + mantissa) << (b - SUB_BITS);
  }

  /**
   * The latency at quantile {@code q} (0 < q <= 1) in nanoseconds: the middle of the bucket that
   * holds the ceil(q * count)-th smallest value; NaN when nothing was recorded.
   */
  double quantile(double q) {
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        long lo = lowest(i);
        long hi = i + 1 < counts.length ? lowest(i + 1) : lo;
        return i < SUB ? lo : (lo + hi) / 2.0;
      }
    }
    throw new AssertionError();
  }
}

package io.strata.bloom;

/**
 * The expected false-positive rate of a cache-line-blocked Bloom filter. Keys fall into 512-bit
 * blocks as a Poisson process with mean {@code 512 / bitsPerKey}; a block holding {@code j} keys
 * answers a miss with "maybe" with the classic probability {@code (1 - (1 - 1/512)^(k j))^k}. The
 * rate is the average of that over the block load.
 *
 * <p>Stateless and thread-safe.
 */
final class FalsePositiveModel {

  private FalsePositiveModel() {}

  /** Expected false-positive rate at {@code bitsPerKey} with {@code probes} probes per key. */
  static double rate(double bitsPerKey, int probes) {
    double mean = BloomFilter.BLOCK_BITS / bitsPerKey;
    int maxLoad = (int) Math.ceil(mean + 12 * Math.sqrt(mean) + 30);
    double missPerProbe = 1.0 - 1.0 / BloomFilter.BLOCK_BITS;
    double poisson = Math.exp(-mean); // P(load = 0)
    double total = 0;
    for (int j = 0; j <= maxLoad; j++) {
      if (j > 0) {
        poisson *= mean / j;
      }
      double bitSet = 1.0 - Math.pow(missPerProbe, (double) probes * j);
      total += poisson * Math.pow(bitSet, probes);
    }
    return total;
  }

  /** The probe count in 1..maxProbes with the lowest expected rate. */
  static int bestProbes(int bitsPerKey, int maxProbes) {
    int best = 1;
    double bestRate = rate(bitsPerKey, 1);
    for (int k = 2; k <= maxProbes; k++) {
      double r = rate(bitsPerKey, k);
      if (r < bestRate) {
        best = k;
        bestRate = r;
      }
    }
    return best;
  }
}

package io.strata.bench;

import io.strata.bloom.BloomFilter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bloom filter lookups (ns per lookup, hits and misses, with and without hashing the key) and
 * construction (keys per second). Keys are 16-byte zero-padded decimals, as in db_bench; the
 * filter holds {@code keys} keys at 10 bits per key, so at 1M keys it is 1.2 MiB and lookups miss
 * the L2 cache as they would in a table reader.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BloomBenchmark {

  static final int BUILD_KEYS = 100_000;

  @Param({"1000000"})
  public int keys;

  private byte[][] present;
  private byte[][] absent;
  private long[] absentHashes;
  private long[] buildHashes;
  private BloomFilter filter;
  private int next;

  static byte[] key(long i) {
    return String.format("%016d", i).getBytes(StandardCharsets.US_ASCII);
  }

  @Setup(Level.Trial)
  public void setUp() {
    present = new byte[keys][];
    absent = new byte[keys][];
    absentHashes = new long[keys];
    BloomFilter.Builder b = BloomFilter.builder(10);
    for (int i = 0; i < keys; i++) {
      present[i] = key(2L * i);
      absent[i] = key(2L * i + 1);
      absentHashes[i] = BloomFilter.hash(absent[i]);
      b.add(present[i]);
    }
    filter = b.build();
    buildHashes = new long[BUILD_KEYS];
    for (int i = 0; i < BUILD_KEYS; i++) {
      buildHashes[i] = BloomFilter.hash(key(i));
    }
    // keys are read in order (their arrays sit in memory in that order), while their hashes
    // scatter the probes over the whole filter: each lookup pays the filter's cache miss, not
    // one for fetching the key
  }

  private int nextIndex() {
    int i = next + 1;
    if (i == keys) {
      i = 0;
    }
    next = i;
    return i;
  }

  /** A lookup of a key that is present (always true), hashing the key. */
  @Benchmark
  public boolean lookupHit() {
    return filter.mightContain(present[nextIndex()]);
  }

  /** A lookup of an absent key (about 1% false positives), hashing the key. */
  @Benchmark
  public boolean lookupMiss() {
    return filter.mightContain(absent[nextIndex()]);
  }

  /** A lookup of an absent key by a hash computed earlier, as a table that hashed once does. */
  @Benchmark
  public boolean lookupMissPrehashed() {
    return filter.mightContain(absentHashes[nextIndex()]);
  }

  /** Building a filter of 100,000 pre-hashed keys; the score is per key. */
  @Benchmark
  @OperationsPerInvocation(BUILD_KEYS)
  public BloomFilter buildPerKey() {
    BloomFilter.Builder b = BloomFilter.builder(10);
    for (long h : buildHashes) {
      b.addHash(h);
    }
    return b.build();
  }
}

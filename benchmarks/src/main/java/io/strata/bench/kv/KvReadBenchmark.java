package io.strata.bench.kv;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reads from a store filled with {@code entries} random puts, then flushed and (where the engine
 * compacts) fully compacted, so reads hit table files, not the memtable: readrandom (present keys),
 * readmissing (absent keys between present ones), seekrandom (seek plus 10 nexts), in ops/s; and
 * readseq (one full scan; ops/s = entries / score). Every read's result is checked: a present key
 * must come back with its 100-byte value, an absent one as null.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class KvReadBenchmark extends KvState {
  private final SplittableRandom random = new SplittableRandom(7);

  @Setup(Level.Trial)
  public void fill() {
    openFilled(Workload.shuffled(entries, 1));
    db.flushAndCompact();
  }

  @TearDown(Level.Trial)
  public void close() {
    closeAndDelete();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public byte[] readrandom() {
    int k = random.nextInt(entries);
    byte[] v = db.get(Workload.key(k));
    if (v == null || v.length != Workload.VALUE_SIZE) {
      throw new IllegalStateException(engine + " lost key " + k);
    }
    return v;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public byte[] readmissing() {
    int k = random.nextInt(entries);
    byte[] v = db.get(Workload.missingKey(k));
    if (v != null) {
      throw new IllegalStateException(engine + " found an absent key near " + k);
    }
    return v;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long seekrandom() {
    return db.seek(Workload.key(random.nextInt(entries)), 11);
  }

  /** One full scan per invocation; single shots need more warm-up before the JIT settles. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 6)
  @Measurement(iterations = 5)
  public long readseq() {
    long n = db.scanAll();
    if (n != entries) {
      throw new IllegalStateException(engine + " scanned " + n + " entries of " + entries);
    }
    return n;
  }
}

package io.strata.bench.kv;

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
 * fillseq and fillrandom: {@code entries} puts into an empty store, not synced. The score is the
 * time for all of them; ops/s = entries / score. Each invocation starts from a fresh directory.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class KvFillBenchmark extends KvState {
  private int[] order;

  @Setup(Level.Trial)
  public void order() {
    order = Workload.shuffled(entries, 1);
  }

  @Setup(Level.Iteration)
  public void open() {
    openEmpty();
  }

  @TearDown(Level.Iteration)
  public void close() {
    closeAndDelete();
  }

  @Benchmark
  public void fillseq() {
    for (int i = 0; i < entries; i++) {
      db.put(Workload.key(i), Workload.value(i));
    }
  }

  @Benchmark
  public void fillrandom() {
    for (int i = 0; i < entries; i++) {
      int k = order[i];
      db.put(Workload.key(k), Workload.value(k));
    }
  }
}

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
 * overwrite and deleterandom: a store filled with {@code entries} random puts (not measured), then
 * {@code entries} overwrites, or deletes, in another random order (measured). ops/s = entries /
 * score.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class KvUpdateBenchmark extends KvState {
  private int[] fillOrder;
  private int[] updateOrder;

  @Setup(Level.Trial)
  public void order() {
    fillOrder = Workload.shuffled(entries, 1);
    updateOrder = Workload.shuffled(entries, 2);
  }

  @Setup(Level.Iteration)
  public void fill() {
    openFilled(fillOrder);
  }

  @TearDown(Level.Iteration)
  public void close() {
    closeAndDelete();
  }

  @Benchmark
  public void overwrite() {
    for (int k : updateOrder) {
      db.put(Workload.key(k), Workload.value(k + 1));
    }
  }

  @Benchmark
  public void deleterandom() {
    for (int k : updateOrder) {
      db.delete(Workload.key(k));
    }
  }
}

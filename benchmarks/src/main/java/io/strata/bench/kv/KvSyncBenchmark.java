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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * fillsync: random puts, each synced to disk before it returns, from 1 and from 8 threads, in
 * ops/s. Synced writers share fsyncs where the engine groups commits.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class KvSyncBenchmark extends KvState {

  /** Each thread's own random keys. */
  @State(Scope.Thread)
  public static class Keys {
    final SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());
  }

  @Setup(Level.Trial)
  public void open() {
    openEmpty();
  }

  @TearDown(Level.Trial)
  public void close() {
    closeAndDelete();
  }

  @Benchmark
  @Threads(1)
  public void fillsync1Thread(Keys keys) {
    int k = keys.random.nextInt(entries);
    db.putSync(Workload.key(k), Workload.value(k));
  }

  @Benchmark
  @Threads(8)
  public void fillsync8Threads(Keys keys) {
    int k = keys.random.nextInt(entries);
    db.putSync(Workload.key(k), Workload.value(k));
  }
}

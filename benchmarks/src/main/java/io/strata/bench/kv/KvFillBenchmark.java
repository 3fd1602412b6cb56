package io.strata.bench.kv;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * fillseq and fillrandom: {@code entries} puts into an empty store, not synced. The score is the
 * time for all of them; ops/s = entries / score. Each invocation starts from a fresh directory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class KvFillBenchmark {
  @Param({"strata", "rocksdb", "leveldb"})
  public String engine;

  @Param({"1000000"})
  public int entries;

  private Path dir;
  private KvEngine db;
  private int[] order;

  @Setup(Level.Trial)
  public void order() {
    order = Workload.shuffled(entries, 1);
  }

  @Setup(Level.Iteration)
  public void open() {
    dir = KvEngine.freshDirectory(engine);
    db = KvEngine.open(engine, dir);
  }

  @TearDown(Level.Iteration)
  public void close() {
    db.close();
    KvEngine.deleteRecursively(dir);
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

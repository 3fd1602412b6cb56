package io.strata.bench.lsm;

import io.strata.lsm.Db;
import io.strata.lsm.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link Db#multiGet(List)} against a loop of {@link Db#get(byte[])} over the same batch of
 * {@code batch} existing keys, on a store of {@code keys} 16-byte keys and 100-byte values
 * compacted into the last level (so reads go to tables, through a block cache smaller than the
 * data). {@code shape} {@code random}: keys drawn from the whole store, so they rarely share a
 * block; {@code clustered}: keys drawn from a window of {@code 4 * batch} consecutive keys at a
 * random place (about 13 blocks of 4 KiB for 100 keys), where a sorted probe answers several keys
 * from one block. The keys of a batch are in random order either way. The score is the time for
 * one whole batch; 1,024 different batches are cycled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MultiGetBenchmark {
  @Param("500000")
  public int keys;

  @Param("100")
  public int batch;

  @Param({"random", "clustered"})
  public String shape;

  private Path dir;
  private Db db;
  private final List<List<byte[]>> batches = new ArrayList<>();
  private int next;

  static byte[] key(int i) {
    return String.format("%016d", i).getBytes();
  }

  @Setup(Level.Trial)
  public void load() throws IOException {
    dir = Files.createTempDirectory("strata-multiget");
    db = Db.open(dir, Options.builder().blockCacheBytes(8L << 20).build());
    byte[] value = new byte[100];
    Random r = new Random(1);
    for (int i = 0; i < keys; i++) {
      r.nextBytes(value);
      db.put(key(i), value);
    }
    db.compactRange(null, null);
    for (int b = 0; b < 1024; b++) {
      List<byte[]> k = new ArrayList<>();
      int window = shape.equals("random") ? keys : Math.min(keys, 4 * batch);
      int base = r.nextInt(keys - window + 1);
      for (int i = 0; i < batch; i++) {
        k.add(key(base + r.nextInt(window)));
      }
      batches.add(k);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    db.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private List<byte[]> nextBatch() {
    next = (next + 1) & 1023;
    return batches.get(next);
  }

  @Benchmark
  public void multiGet(Blackhole bh) {
    bh.consume(db.multiGet(nextBatch()));
  }

  @Benchmark
  public void loopOfGet(Blackhole bh) {
    for (byte[] k : nextBatch()) {
      bh.consume(db.get(k));
    }
  }
}

package io.strata.bench;

import io.strata.wal.Durability;
import io.strata.wal.RecordPosition;
import io.strata.wal.Wal;
import io.strata.wal.WalOptions;
import io.strata.fs.FileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Write-ahead log appends of 100-byte records on the real file system: records/s handed to the
 * operating system ({@link Durability#NONE}), and records/s synced to disk ({@link
 * Durability#SYNC}) from 1, 4 and 16 threads, where group commit lets threads share fsyncs.
 *
 * <p>The log lives under {@code -Dstrata.bench.dir} (default: the system temporary directory) and
 * is deleted after each trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WalBenchmark {

  /** Bytes per record in every benchmark of this class. */
  public static final int RECORD_BYTES = 100;

  private Path dir;
  private Wal wal;
  private byte[] record;

  @Setup(Level.Trial)
  public void open() throws IOException {
    Path base = Path.of(System.getProperty("strata.bench.dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(base);
    dir = Files.createTempDirectory(base, "strata-wal-bench");
    wal = Wal.open(FileSystem.real(), dir, WalOptions.defaults(), (p, r) -> {});
    record = new byte[RECORD_BYTES];
    new Random(1).nextBytes(record);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    wal.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  @TearDown(Level.Iteration)
  public void dropOldSegments() throws IOException {
    wal.deleteSegmentsBefore(wal.currentSegment());
  }

  @Benchmark
  public RecordPosition appendNone() throws IOException {
    return wal.append(record, Durability.NONE);
  }

  @Benchmark
  @Threads(1)
  public RecordPosition appendSync1Thread() throws IOException {
    return wal.append(record, Durability.SYNC);
  }

  @Benchmark
  @Threads(4)
  public RecordPosition appendSync4Threads() throws IOException {
    return wal.append(record, Durability.SYNC);
  }

  @Benchmark
  @Threads(16)
  public RecordPosition appendSync16Threads() throws IOException {
    return wal.append(record, Durability.SYNC);
  }
}

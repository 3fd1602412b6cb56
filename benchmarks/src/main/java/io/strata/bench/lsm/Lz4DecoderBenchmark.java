package io.strata.bench.lsm;

import io.strata.lsm.internal.table.Lz4Decoder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decompressing one 4 KiB table block of db_bench-like entries (keys, half-compressible values):
 * Strata's {@link Lz4Decoder} against lz4-java's pure-Java safe decompressor, which the table
 * reader used before. The decoder is a public class of the non-exported package
 * {@code io.strata.lsm.internal.table}, which this class path jar reaches (see the README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Lz4DecoderBenchmark {
  private static final LZ4SafeDecompressor LZ4_JAVA = LZ4Factory.safeInstance().safeDecompressor();

  private byte[] compressed;
  private final byte[] out = new byte[4096];

  @Setup
  public void setUp() {
    byte[] block = new byte[4096];
    Random r = new Random(1);
    for (int i = 0; i < 4096; i += 124) {
      for (int j = 0; j < 24 && i + j < 4096; j++) {
        block[i + j] = (byte) ('0' + r.nextInt(10));
      }
      for (int j = 24; j < 74 && i + j < 4096; j++) {
        block[i + j] = (byte) (' ' + r.nextInt(95));
      }
      for (int j = 74; j < 124 && i + j < 4096; j++) {
        block[i + j] = block[i + j - 50];
      }
    }
    compressed = LZ4Factory.safeInstance().fastCompressor().compress(block);
  }

  @Benchmark
  public byte[] strata() {
    Lz4Decoder.decompress(compressed, 0, compressed.length, out, 0, out.length);
    return out;
  }

  @Benchmark
  public byte[] lz4JavaSafe() {
    LZ4_JAVA.decompress(compressed, 0, compressed.length, out, 0, out.length);
    return out;
  }
}

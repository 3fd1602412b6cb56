package io.strata.bench.lsm;

import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Filling a memtable with {@code entries} random 16-byte keys and 100-byte values, then reading
 * every key back: Strata's arena skip list ({@link Memtable}) against the JDK's {@link
 * ConcurrentSkipListMap} of internal-key and value arrays, which the memtable was before. The
 * score is the time for all inserts (or all gets); a 2 GiB heap, so the collector's share shows.
 * The memtable is a public class of the non-exported package {@code
 * io.strata.lsm.internal.memtable}, which this class path jar reaches (see the README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3)
@Measurement(iterations = 7)
public class MemtableBenchmark {
  @Param("500000")
  public int entries;

  private byte[][] keys;
  private final byte[] value = new byte[100];
  private Memtable arena;
  private ConcurrentSkipListMap<byte[], byte[]> skipList;

  @Setup(Level.Trial)
  public void keys() {
    Random r = new Random(1);
    keys = new byte[entries][];
    for (int i = 0; i < entries; i++) {
      keys[i] = String.format("%016d", r.nextInt(Integer.MAX_VALUE)).getBytes();
    }
    r.nextBytes(value);
  }

  /** Full tables for the read benchmarks, fresh ones for the insert benchmarks. */
  @Setup(Level.Iteration)
  public void tables() {
    arena = Memtable.forWriteBuffer(1, 64L << 20);
    skipList = new ConcurrentSkipListMap<>(InternalKeys.COMPARATOR);
    for (int i = 0; i < entries; i++) {
      arena.add(i + 1, InternalKeys.KIND_PUT, keys[i], value);
      skipList.put(InternalKeys.encode(keys[i], i + 1, InternalKeys.KIND_PUT), value.clone());
    }
  }

  @Benchmark
  public Memtable insertArena() {
    Memtable m = Memtable.forWriteBuffer(1, 64L << 20);
    for (int i = 0; i < entries; i++) {
      m.add(i + 1, InternalKeys.KIND_PUT, keys[i], value);
    }
    return m;
  }

  @Benchmark
  public ConcurrentSkipListMap<byte[], byte[]> insertSkipListMap() {
    ConcurrentSkipListMap<byte[], byte[]> m = new ConcurrentSkipListMap<>(InternalKeys.COMPARATOR);
    for (int i = 0; i < entries; i++) {
      // what the old memtable did per insert: an internal key and a copy of the value
      m.put(InternalKeys.encode(keys[i], i + 1, InternalKeys.KIND_PUT), value.clone());
    }
    return m;
  }

  @Benchmark
  public long getArena() {
    long found = 0;
    for (int i = 0; i < entries; i++) {
      byte[] v = arena.get(keys[i], Long.MAX_VALUE >>> 8);
      found += v == null ? 0 : v.length;
    }
    return found;
  }

  @Benchmark
  public long getSkipListMap() {
    long found = 0;
    for (int i = 0; i < entries; i++) {
      var e = skipList.ceilingEntry(InternalKeys.seekKey(keys[i], Long.MAX_VALUE >>> 8));
      found += e == null ? 0 : e.getValue().clone().length;
    }
    return found;
  }
}

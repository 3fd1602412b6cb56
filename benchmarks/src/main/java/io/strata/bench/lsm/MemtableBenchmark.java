package io.strata.bench.lsm;

import io.strata.lsm.internal.ByteSource;
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
 * {@code insertBatchesArena} inserts the same number of 33-byte random keys (a trie store's node
 * keys) as encoded batches of {@value #BATCH} operations, the way a commit's batch reaches the
 * memtable (sorted, then inserted in key order); {@code getMissingArena} gets as many keys the
 * full memtable does not hold (what its key filter answers).
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

  static final int BATCH = 10_000;

  private byte[][] keys;
  private byte[][] missing;
  private byte[][] batches;
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
    missing = new byte[entries][];
    for (int i = 0; i < entries; i++) {
      missing[i] = String.format("%016dx", r.nextInt(Integer.MAX_VALUE)).getBytes();
    }
    batches = new byte[(entries + BATCH - 1) / BATCH][];
    for (int b = 0; b < batches.length; b++) {
      int n = Math.min(BATCH, entries - b * BATCH);
      byte[] buf = new byte[n * (3 + 33 + 100)];
      int at = 0;
      for (int i = 0; i < n; i++) {
        buf[at++] = InternalKeys.KIND_PUT;
        buf[at++] = 33; // one-byte varints: lengths under 128
        byte[] k = new byte[33];
        r.nextBytes(k);
        k[0] = 'n';
        System.arraycopy(k, 0, buf, at, 33);
        at += 33;
        buf[at++] = 100;
        System.arraycopy(value, 0, buf, at, 100);
        at += 100;
      }
      batches[b] = buf;
    }
  }

  @Benchmark
  public Memtable insertBatchesArena() {
    Memtable m = Memtable.forWriteBuffer(1, 64L << 20);
    long first = 1;
    for (byte[] b : batches) {
      int n = b.length / (3 + 33 + 100);
      m.insertBatch(new ByteSource(b, 0, b.length, null, 0, "batch"), n, first);
      first += n;
    }
    return m;
  }

  @Benchmark
  public long getMissingArena() {
    long found = 0;
    for (int i = 0; i < entries; i++) {
      byte[] v = arena.get(missing[i], Long.MAX_VALUE >>> 8);
      found += v == null ? 0 : v.length;
    }
    return found;
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

package io.strata.bench.lsm;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.MergingIterator;
import io.strata.lsm.internal.memtable.Memtable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A forward scan of {@value #ENTRIES} entries merged from {@code children} memtables: spread
 * {@code random}ly over them (a compaction of level-0 tables of random keys, a trie store's node
 * hashes), or {@code dominant}, 95% in one child (a scan of a compacted store under a small
 * memtable). Keys are inserted in ascending order, so each memtable's nodes lie in memory in key
 * order and a scan of them is cheap next to the merge. The score is the time of one whole scan. The merge is a public class of the
 * non-exported package {@code io.strata.lsm.internal}, which this class path jar reaches (see
 * the README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
public class MergingIteratorBenchmark {
  static final int ENTRIES = 200_000;

  @Param({"1", "4", "8"})
  public int children;

  @Param({"random", "dominant"})
  public String spread;

  private final List<Memtable> tables = new ArrayList<>();

  @Setup
  public void fill() {
    Random r = new Random(1);
    for (int i = 0; i < children; i++) {
      tables.add(new Memtable(0));
    }
    byte[] value = new byte[100];
    for (int i = 0; i < ENTRIES; i++) {
      // ascending, so each memtable's nodes lie in key order and the scan measures the merge
      byte[] key = String.format("%016d", i * 7L).getBytes();
      int child = spread.equals("random") || r.nextInt(20) == 0 ? r.nextInt(children) : 0;
      tables.get(child).add(i + 1, InternalKeys.KIND_PUT, key, value);
    }
  }

  @Benchmark
  public long scan() {
    List<InternalIterator> its = new ArrayList<>();
    for (Memtable m : tables) {
      its.add(m.iterator());
    }
    long sum = 0;
    try (MergingIterator it = new MergingIterator(its)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        sum += it.keyLength() + it.valueLength();
      }
    }
    return sum;
  }
}

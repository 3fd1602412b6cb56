package io.strata.bench.trie;

import io.strata.trie.StateOptions;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.io.IOException;
import java.nio.file.Files;
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
 * Workload (1) of the trie issue: load {@code accounts} accounts (32-byte random keys, 70-byte
 * values) into an empty trie and commit it to a fresh store ({@code strata-store}, one synced
 * commit), or hash its root in memory ({@code strata-memory}, {@code tuweni}). Single shots.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class TrieLoadBenchmark {
  @Param({"1000000"})
  public int accounts;

  @Param({"strata-store", "strata-memory", "tuweni"})
  public String engine;

  private TrieWorkload workload;
  private byte[][] values;
  private Path dir;
  private StateStore store;

  @Setup(Level.Trial)
  public void setUp() {
    workload = new TrieWorkload(accounts, 1);
    values = new byte[accounts][];
    for (int i = 0; i < accounts; i++) {
      values[i] = TrieWorkload.value(i, 0);
    }
  }

  @Setup(Level.Iteration)
  public void open() throws IOException {
    if (engine.equals("strata-store")) {
      dir = Files.createTempDirectory("trie-load");
      store = StateStore.open(dir, StateOptions.defaults());
    }
  }

  @TearDown(Level.Iteration)
  public void close() throws IOException {
    if (store != null) {
      store.close();
      store = null;
      TrieBlockBenchmark.deleteTree(dir);
    }
  }

  @Benchmark
  public Object load() {
    if (engine.equals("tuweni")) {
      TuweniTrie t = new TuweniTrie();
      for (int i = 0; i < accounts; i++) {
        t.put(workload.keys[i], values[i]);
      }
      return t.rootHash();
    }
    Trie empty = store != null ? store.emptyTrie() : Trie.empty();
    Trie t = empty.update(u -> {
      for (int i = 0; i < accounts; i++) {
        u.put(workload.keys[i], values[i]);
      }
    });
    return store != null ? store.commit(0, t) : t.rootHash();
  }
}

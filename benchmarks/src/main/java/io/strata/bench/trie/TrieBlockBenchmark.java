package io.strata.bench.trie;

import io.strata.lsm.DbStats;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStats;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
 * Workloads (1) and (2) of the trie issue: load {@code accounts} accounts (32-byte keys, 70-byte
 * values) and hash or commit them (printed once per trial), then blocks of 1,000 random account
 * updates, each followed by a commit (engine {@code strata-store}, synced commits) or by the root
 * hash (in memory: {@code strata-memory}, {@code tuweni}). One operation is one block; updates/s
 * is 1,000 / the time per operation. The store variant prints bytes written per block and the
 * LSM's write amplification at the end of the trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class TrieBlockBenchmark {
  @Param({"1000000"})
  public int accounts;

  @Param({"strata-store", "strata-memory", "tuweni"})
  public String engine;

  /** Pending updates from which Strata hashes the root's subtrees in parallel. */
  @Param({"2000"})
  public int parallelThreshold;

  /** Whether the store's commits fsync (the default) or only reach the operating system. */
  @Param({"true"})
  public boolean sync;

  private TrieWorkload workload;
  private Path dir;
  private StateStore store;
  private Trie trie;
  private TuweniTrie tuweni;
  private long version = 1;
  private long block;
  private StateStats startStats;
  private DbStats startDb;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    workload = new TrieWorkload(accounts, 1);
    long t0 = System.nanoTime();
    switch (engine) {
      case "strata-store" -> {
        dir = Files.createTempDirectory("trie-bench");
        store = StateStore.open(dir, StateOptions.builder()
            .parallelHashThreshold(parallelThreshold).syncCommits(sync).build());
        trie = load(store.emptyTrie());
        store.commit(block++, trie);
      }
      case "strata-memory" -> {
        trie = load(Trie.empty(
            StateOptions.builder().parallelHashThreshold(parallelThreshold).build()));
        trie.rootHash();
      }
      case "tuweni" -> {
        tuweni = new TuweniTrie();
        for (int i = 0; i < accounts; i++) {
          tuweni.put(workload.keys[i], TrieWorkload.value(i, 0));
        }
        tuweni.rootHash();
      }
      default -> throw new IllegalArgumentException(engine);
    }
    System.out.printf("%n%s: loaded %,d accounts%s in %.2f s%n", engine, accounts,
        engine.equals("strata-store") ? " and committed them" : " and hashed the root",
        (System.nanoTime() - t0) / 1e9);
    if (store != null) {
      startStats = store.stats();
      startDb = store.db().stats();
    }
  }

  private Trie load(Trie empty) {
    return empty.update(u -> {
      for (int i = 0; i < accounts; i++) {
        u.put(workload.keys[i], TrieWorkload.value(i, 0));
      }
    });
  }

  @Benchmark
  public Object block() {
    int[] idx = workload.block();
    long v = version++;
    if (tuweni != null) {
      for (int i : idx) {
        tuweni.put(workload.keys[i], TrieWorkload.value(i, v));
      }
      return tuweni.rootHash();
    }
    trie = trie.update(u -> {
      for (int i : idx) {
        u.put(workload.keys[i], TrieWorkload.value(i, v));
      }
    });
    if (store != null) {
      return store.commit(block++, trie);
    }
    return trie.rootHash();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (store != null) {
      StateStats s = store.stats();
      DbStats d = store.db().stats();
      long blocks = s.commits() - startStats.commits();
      long bytes = s.bytesWritten() - startStats.bytesWritten();
      long user = d.userBytesWritten() - startDb.userBytesWritten();
      long disk = (d.walBytesWritten() - startDb.walBytesWritten())
          + (d.flushBytesWritten() - startDb.flushBytesWritten())
          + (d.compactionBytesWritten() - startDb.compactionBytesWritten());
      System.out.printf("%nstrata-store: %,d blocks, %,d nodes and %,d bytes written per block;"
          + " LSM write amplification (WAL + flush + compaction) / user bytes = %.2f%n",
          blocks, (s.nodesWritten() - startStats.nodesWritten()) / Math.max(1, blocks),
          bytes / Math.max(1, blocks), (double) disk / Math.max(1, user));
      store.close();
      deleteTree(dir);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
  }

  static byte[] copy(byte[] b) {
    return Arrays.copyOf(b, b.length);
  }
}

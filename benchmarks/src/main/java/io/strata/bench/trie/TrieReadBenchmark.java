package io.strata.bench.trie;

import io.strata.trie.Hash;
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
 * Workload (3) of the trie issue: random reads of existing accounts. {@code latest} and {@code
 * old} read through a store (nodes loaded by hash through the node cache and the LSM) at the
 * latest root and at the root 100 blocks older, after loading {@code accounts} accounts and
 * committing 100 blocks of 1,000 updates; {@code memory} reads the latest in-memory trie and
 * {@code tuweni} Tuweni's trie with the same contents.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class TrieReadBenchmark {
  @Param({"1000000"})
  public int accounts;

  @Param({"latest", "old", "memory", "tuweni"})
  public String root;

  private TrieWorkload workload;
  private Path dir;
  private StateStore store;
  private Trie trie;
  private TuweniTrie tuweni;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    workload = new TrieWorkload(accounts, 1);
    int[][] blocks = new int[100][];
    for (int b = 0; b < blocks.length; b++) {
      blocks[b] = workload.block();
    }
    if (root.equals("tuweni")) {
      tuweni = new TuweniTrie();
      for (int i = 0; i < accounts; i++) {
        tuweni.put(workload.keys[i], TrieWorkload.value(i, 0));
      }
      for (int b = 0; b < blocks.length; b++) {
        for (int i : blocks[b]) {
          tuweni.put(workload.keys[i], TrieWorkload.value(i, b + 1));
        }
        tuweni.rootHash();
      }
      return;
    }
    boolean onDisk = !root.equals("memory");
    if (onDisk) {
      dir = Files.createTempDirectory("trie-read");
      store = StateStore.open(dir, StateOptions.builder().syncCommits(false).build());
    }
    Trie t = (onDisk ? store.emptyTrie() : Trie.empty()).update(u -> {
      for (int i = 0; i < accounts; i++) {
        u.put(workload.keys[i], TrieWorkload.value(i, 0));
      }
    });
    if (onDisk) {
      store.commit(0, t);
    }
    for (int b = 0; b < blocks.length; b++) {
      int version = b + 1;
      int[] idx = blocks[b];
      t = t.update(u -> {
        for (int i : idx) {
          u.put(workload.keys[i], TrieWorkload.value(i, version));
        }
      });
      if (onDisk) {
        store.commit(version, t);
      } else {
        t.rootHash();
      }
    }
    if (onDisk) {
      // read from a reopened store: every node comes from the cache or the LSM
      store.close();
      store = StateStore.open(dir, StateOptions.defaults());
      Hash at = store.rootAt(root.equals("latest") ? 100 : 0).orElseThrow();
      trie = store.trie(at);
    } else {
      trie = t;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (store != null) {
      System.out.printf("%n%s: %s%n", root, store.stats());
      store.close();
      TrieBlockBenchmark.deleteTree(dir);
    }
  }

  @Benchmark
  public byte[] read() {
    byte[] key = workload.keys[workload.nextIndex()];
    return tuweni != null ? tuweni.get(key) : trie.get(key);
  }
}

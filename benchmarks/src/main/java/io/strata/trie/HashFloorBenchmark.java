package io.strata.trie;

import io.strata.bench.trie.TrieWorkload;
import java.util.ArrayList;
import java.util.List;
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
 * Workload (4) of the trie issue: the hashing floor. For blocks of 1,000 random account updates
 * over {@code accounts} accounts, records the exact byte strings the trie fed to Keccak-256 when
 * hashing the block (every new node of 32 bytes or more, and the root), then measures Keccak-256
 * over just those bytes: one operation = one block's hashing. Compare with {@code
 * TrieBlockBenchmark} engine {@code strata-memory} (updates + root hash per block). Lives in the
 * trie's package to see which nodes are new (their cached reference is not yet computed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class HashFloorBenchmark {
  @Param({"1000000"})
  public int accounts;

  private static final int BLOCKS = 20;
  private final List<byte[][]> hashed = new ArrayList<>();
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    TrieWorkload w = new TrieWorkload(accounts, 1);
    Trie t = Trie.empty().update(u -> {
      for (int i = 0; i < accounts; i++) {
        u.put(w.keys[i], TrieWorkload.value(i, 0));
      }
    });
    t.rootHash();
    long bytes = 0;
    for (int b = 0; b < BLOCKS; b++) {
      int[] idx = w.block();
      int version = b + 1;
      t = t.update(u -> {
        for (int i : idx) {
          u.put(w.keys[i], TrieWorkload.value(i, version));
        }
      });
      List<Node> dirty = new ArrayList<>();
      collectDirty(t.root, dirty);
      t.rootHash();
      List<byte[]> inputs = new ArrayList<>();
      for (Node n : dirty) {
        int len = n.encodedLength();
        if (len >= 32 || n == t.root) {
          inputs.add(java.util.Arrays.copyOf(Hasher.encodeToBuffer(n, len), len));
          bytes += len;
        }
      }
      hashed.add(inputs.toArray(new byte[0][]));
    }
    System.out.printf("%nhash floor: %,d bytes in %,d Keccak inputs per block on average%n",
        bytes / BLOCKS, hashed.stream().mapToInt(a -> a.length).sum() / BLOCKS);
  }

  private static void collectDirty(Node n, List<Node> out) {
    if (n == null || n.ref != null) {
      return;
    }
    if (n instanceof BranchNode b) {
      for (Node c : b.children) {
        collectDirty(c, out);
      }
    } else if (n instanceof ExtensionNode e) {
      collectDirty(e.child, out);
    }
    out.add(n);
  }

  @Benchmark
  public int keccakOfOneBlock() {
    byte[][] block = hashed.get(next);
    next = (next + 1) % BLOCKS;
    int x = 0;
    for (byte[] b : block) {
      x += Keccak.hash(b)[0];
    }
    return x;
  }
}

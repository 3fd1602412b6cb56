package io.strata.bench.trie;

import io.strata.trie.Trie;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.KeccakDigest;
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
 * over {@code accounts} accounts, records the exact byte strings the trie feeds to Keccak-256 when
 * hashing the block, then measures Keccak-256 (BouncyCastle's, which the trie uses) over just those
 * bytes: one operation = one block's hashing. Compare with {@code TrieBlockBenchmark} engine
 * {@code strata-memory} (updates + root hash per block).
 *
 * <p>Uses only the trie's public API: the nodes a block's root hash hashes are the new nodes of 32
 * bytes or more (smaller ones are embedded in their parent) and the root, and those are exactly the
 * distinct nodes on the proofs of the updated keys in the new trie (a node changes if and only if
 * an updated key lies below it).
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
  private final KeccakDigest digest = new KeccakDigest(256);
  private final byte[] out = new byte[32];
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
      List<byte[]> inputs = hashInputs(t, idx, w.keys);
      for (byte[] input : inputs) {
        bytes += input.length;
      }
      hashed.add(inputs.toArray(new byte[0][]));
    }
    System.out.printf("%nhash floor: %,d bytes in %,d Keccak inputs per block on average%n",
        bytes / BLOCKS, hashed.stream().mapToInt(a -> a.length).sum() / BLOCKS);
  }

  /**
   * The byte strings hashing {@code t}'s root after an update of the keys {@code idx} hashed: the
   * root and every distinct node of 32 bytes or more on the updated keys' proofs.
   */
  public static List<byte[]> hashInputs(Trie t, int[] idx, byte[][] keys) {
    t.rootHash();
    Set<ByteBuffer> nodes = new LinkedHashSet<>();
    for (int i : idx) {
      List<byte[]> path = t.prove(keys[i]).nodes();
      for (int d = 0; d < path.size(); d++) {
        byte[] n = path.get(d);
        if (n.length >= 32 || d == 0) {
          nodes.add(ByteBuffer.wrap(n));
        }
      }
    }
    List<byte[]> inputs = new ArrayList<>(nodes.size());
    for (ByteBuffer n : nodes) {
      inputs.add(n.array());
    }
    return inputs;
  }

  @Benchmark
  public int keccakOfOneBlock() {
    byte[][] block = hashed.get(next);
    next = (next + 1) % BLOCKS;
    int x = 0;
    for (byte[] b : block) {
      digest.update(b, 0, b.length);
      digest.doFinal(out, 0);
      x += out[0];
    }
    return x;
  }
}

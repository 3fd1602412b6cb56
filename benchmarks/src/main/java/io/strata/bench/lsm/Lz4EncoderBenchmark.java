package io.strata.bench.lsm;

import io.strata.bench.kv.Workload;
import io.strata.lsm.internal.table.Lz4Encoder;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
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
 * Compressing 4 KiB table data blocks as {@code TableBuilder} does: lz4-java's fast compressor
 * (the pure-Java one, which the table builder used before) against Strata's {@link Lz4Encoder},
 * with the table builder's limit (the block is worth storing compressed only if that saves 1/8;
 * the encoder gives up as soon as it cannot) and without a limit.
 *
 * <p>Blocks, 64 of each kind, laid out as {@code BlockBuilder} lays them out (shared-prefix keys
 * with an 8-byte internal trailer, restarts every 16 entries): {@code kv}, the runner's 16-byte
 * keys in random order, sorted, with its half-compressible 100-byte values; {@code trie}, random
 * 32-byte node hashes with RLP nodes of random hashes (branch nodes of 2 to 16 children and
 * 110-byte leaves, as a state trie holds). Setup prints the compressed sizes of both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Lz4EncoderBenchmark {
  private static final LZ4Compressor LZ4_JAVA = LZ4Factory.fastestJavaInstance().fastCompressor();
  private static final int BLOCK = 4096;

  @Param({"kv", "trie"})
  public String blocks;

  private byte[][] inputs;
  private int next;
  private final Lz4Encoder encoder = new Lz4Encoder();
  private final byte[] out = new byte[LZ4_JAVA.maxCompressedLength(2 * BLOCK)];

  @Setup
  public void setUp() {
    Random r = new Random(7);
    inputs = new byte[64][];
    for (int b = 0; b < inputs.length; b++) {
      inputs[b] = blocks.equals("kv") ? kvBlock(r) : trieBlock(r);
    }
    long raw = 0;
    long lz4Java = 0;
    long strata = 0;
    int strataStored = 0;
    for (byte[] in : inputs) {
      raw += in.length;
      lz4Java += LZ4_JAVA.compress(in, 0, in.length, out, 0, out.length);
      strata += encoder.compress(in, 0, in.length, out, 0, out.length);
      strataStored += encoder.compress(in, 0, in.length, out, 0, limit(in.length)) >= 0 ? 1 : 0;
    }
    System.err.printf("%n%s blocks: %d bytes raw, lz4-java %.4f of it, Lz4Encoder %.4f"
            + " (Lz4Encoder / lz4-java %.4f); %d of %d blocks saved 1/8%n", blocks, raw,
        (double) lz4Java / raw, (double) strata / raw, (double) strata / lz4Java, strataStored,
        inputs.length);
  }

  private static int limit(int length) {
    return length - length / 8 - 2; // TableBuilder: two bytes of varint length for a 4 KiB block
  }

  private byte[] nextInput() {
    byte[] in = inputs[next];
    next = (next + 1) & (inputs.length - 1);
    return in;
  }

  /** The table builder before: lz4-java into room for its longest output, then the 1/8 test. */
  @Benchmark
  public int lz4Java() {
    byte[] in = nextInput();
    return LZ4_JAVA.compress(in, 0, in.length, out, 0, out.length);
  }

  /** The table builder now. */
  @Benchmark
  public int strataWithLimit() {
    byte[] in = nextInput();
    return encoder.compress(in, 0, in.length, out, 0, limit(in.length));
  }

  @Benchmark
  public int strataNoLimit() {
    byte[] in = nextInput();
    return encoder.compress(in, 0, in.length, out, 0, out.length);
  }

  private static byte[] kvBlock(Random r) {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      keys.add(Workload.key(r.nextInt(1_000_000)));
    }
    keys.sort(Arrays::compare);
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      values.add(Workload.value(r.nextInt(1_000_000)));
    }
    return block(keys, values);
  }

  private static byte[] trieBlock(Random r) {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] k = new byte[32];
      r.nextBytes(k);
      keys.add(k);
    }
    keys.sort(Arrays::compareUnsigned);
    for (int i = 0; i < keys.size(); i++) {
      values.add(r.nextInt(3) == 0 ? leaf(r) : branch(r));
    }
    return block(keys, values);
  }

  /** An RLP branch node: 16 children, each a 32-byte hash (0xa0 prefix) or empty (0x80). */
  private static byte[] branch(Random r) {
    int children = 2 + r.nextInt(15);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < 16; i++) {
      if (r.nextInt(16) < children) {
        byte[] h = new byte[32];
        r.nextBytes(h);
        body.write(0xa0);
        body.writeBytes(h);
      } else {
        body.write(0x80);
      }
    }
    body.write(0x80);
    byte[] b = body.toByteArray();
    ByteArrayOutputStream node = new ByteArrayOutputStream();
    node.write(0xf9);
    node.write(b.length >>> 8);
    node.write(b.length);
    node.writeBytes(b);
    return node.toByteArray();
  }

  /** An RLP leaf of an account: a hex-prefix path and [nonce, balance, storageRoot, codeHash]. */
  private static byte[] leaf(Random r) {
    byte[] b = new byte[110];
    r.nextBytes(b);
    b[0] = (byte) 0xf8;
    b[1] = 108;
    return b;
  }

  /** Entries laid out as {@code BlockBuilder} does, up to 4 KiB, with restarts every 16. */
  private static byte[] block(List<byte[]> userKeys, List<byte[]> values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Integer> restarts = new ArrayList<>();
    byte[] last = new byte[0];
    long sequence = 1_000_000;
    for (int i = 0; i < userKeys.size() && out.size() < BLOCK - 200; i++) {
      byte[] key = Arrays.copyOf(userKeys.get(i), userKeys.get(i).length + 8);
      long trailer = (sequence++ << 8) | 1;
      for (int j = 0; j < 8; j++) {
        key[key.length - 8 + j] = (byte) (trailer >>> (56 - 8 * j));
      }
      int shared = 0;
      if (i % 16 == 0) {
        restarts.add(out.size());
      } else {
        int m = Arrays.mismatch(last, key);
        shared = m < 0 ? key.length : Math.min(m, Math.min(last.length, key.length));
      }
      varint(out, shared);
      varint(out, key.length - shared);
      varint(out, values.get(i).length);
      out.write(key, shared, key.length - shared);
      out.writeBytes(values.get(i));
      last = key;
    }
    for (int restart : restarts) {
      for (int j = 0; j < 4; j++) {
        out.write(restart >>> (8 * j));
      }
    }
    for (int j = 0; j < 4; j++) {
      out.write(restarts.size() >>> (8 * j));
    }
    return out.toByteArray();
  }

  private static void varint(ByteArrayOutputStream out, int v) {
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }
}

package io.strata.lsm;

import io.strata.lsm.internal.table.Lz4Decoder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Strata's LZ4 decoder against lz4-java's compressors, and against damaged input. */
class Lz4DecoderProperties {
  private static final LZ4Compressor FAST = LZ4Factory.safeInstance().fastCompressor();
  private static final LZ4Compressor HIGH = LZ4Factory.safeInstance().highCompressor();

  /** Random runs of fresh bytes and of repeats at random distances: every kind of match. */
  static byte[] data(long seed, int length) {
    Random r = new Random(seed);
    byte[] b = new byte[length];
    int i = 0;
    while (i < length) {
      int run = 1 + r.nextInt(r.nextBoolean() ? 20 : 300);
      if (i > 0 && r.nextInt(3) > 0) {
        int distance = 1 + r.nextInt(Math.min(i, r.nextBoolean() ? 16 : 70_000));
        for (int j = 0; j < run && i < length; j++, i++) {
          b[i] = b[i - distance];
        }
      } else {
        int alphabet = 1 + r.nextInt(256);
        for (int j = 0; j < run && i < length; j++, i++) {
          b[i] = (byte) r.nextInt(alphabet);
        }
      }
    }
    return b;
  }

  @Property
  void decodesWhatLz4JavaEncodes(@ForAll long seed, @ForAll @IntRange(max = 140_000) int length,
      @ForAll boolean high) {
    byte[] input = data(seed, length);
    byte[] compressed = (high ? HIGH : FAST).compress(input);
    byte[] out = new byte[length + 16];
    Arrays.fill(out, (byte) 0x5A);
    Lz4Decoder.decompress(compressed, 0, compressed.length, out, 3, length);
    assertArrayEquals(input, Arrays.copyOfRange(out, 3, 3 + length));
    for (int i = 3 + length; i < out.length; i++) {
      assertTrue(out[i] == 0x5A, "wrote past the output at " + i);
    }
    for (int i = 0; i < 3; i++) {
      assertTrue(out[i] == 0x5A, "wrote before the output at " + i);
    }
  }

  @Property
  void damagedInputGivesIllegalArgumentOrTheRightLength(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 9000) int length, @ForAll @IntRange(max = 20) int flips) {
    Random r = new Random(seed);
    byte[] input = data(seed, length);
    byte[] compressed = FAST.compress(input);
    for (int i = 0; i < flips; i++) {
      compressed[r.nextInt(compressed.length)] ^= (byte) (1 << r.nextInt(8));
    }
    int cut = r.nextInt(4) == 0 ? r.nextInt(compressed.length + 1) : compressed.length;
    byte[] out = new byte[length];
    try {
      Lz4Decoder.decompress(compressed, 0, cut, out, 0, length);
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().startsWith("malformed LZ4 data"), expected.getMessage());
    }
  }
}

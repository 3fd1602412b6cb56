package io.strata.lsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.internal.table.Lz4Decoder;
import io.strata.lsm.internal.table.Lz4Encoder;
import java.util.Arrays;
import java.util.Random;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Strata's LZ4 encoder: what it writes decodes with Strata's decoder and with lz4-java's, keeps
 * LZ4's end-of-block rules, gives up exactly when the block would not fit its limit, and does not
 * depend on the blocks an instance compressed before.
 */
class Lz4EncoderProperties {
  private static final LZ4SafeDecompressor LZ4_JAVA =
      LZ4Factory.safeInstance().safeDecompressor();

  /** Inputs of four kinds: {@link Lz4DecoderProperties#data}, runs, half random, random. */
  static byte[] input(long seed, int length, int kind) {
    Random r = new Random(seed);
    byte[] b = new byte[length];
    switch (kind) {
      case 0 -> b = Lz4DecoderProperties.data(seed, length);
      case 1 -> { // repetitive: a short pattern, long runs of one byte
        int period = 1 + r.nextInt(40);
        for (int i = 0; i < length; i++) {
          b[i] = i % 1000 < 500 ? (byte) (i % period) : (byte) 7;
        }
      }
      case 2 -> { // half-compressible, like the runner's values: random halves repeated once
        for (int i = 0; i < length; i++) {
          b[i] = i % 100 < 50 || i < 50 ? (byte) r.nextInt(256) : b[i - 50];
        }
      }
      default -> r.nextBytes(b);
    }
    return b;
  }

  /** Decodes with both decoders and checks LZ4's end-of-block rules; returns the input. */
  static byte[] decodeBoth(byte[] block, int offset, int length, int rawLength) {
    byte[] ours = new byte[rawLength];
    Lz4Decoder.decompress(block, offset, length, ours, 0, rawLength);
    byte[] theirs = new byte[rawLength];
    assertEquals(rawLength, LZ4_JAVA.decompress(block, offset, length, theirs, 0, rawLength));
    assertArrayEquals(ours, theirs);
    checkEndRules(block, offset, length, rawLength);
    return ours;
  }

  /** Walks the sequences: the last 5 bytes are literals, no match starts in the last 12. */
  static void checkEndRules(byte[] block, int offset, int length, int rawLength) {
    int sp = offset;
    int end = offset + length;
    long out = 0;
    while (true) {
      int token = block[sp++] & 0xFF;
      int literals = token >>> 4;
      if (literals == 15) {
        int b;
        do {
          b = block[sp++] & 0xFF;
          literals += b;
        } while (b == 255);
      }
      sp += literals;
      out += literals;
      if (sp == end) {
        assertTrue(rawLength == 0 || literals >= Math.min(rawLength, 5),
            "the last sequence has " + literals + " literals");
        return;
      }
      sp += 2;
      int match = token & 15;
      if (match == 15) {
        int b;
        do {
          b = block[sp++] & 0xFF;
          match += b;
        } while (b == 255);
      }
      assertTrue(out <= rawLength - 12, "a match starts at " + out + " of " + rawLength);
      out += match + 4;
      assertTrue(out <= rawLength - 5, "a match ends at " + out + " of " + rawLength);
    }
  }

  @Property(tries = 400)
  void roundTripsThroughBothDecoders(@ForAll long seed, @ForAll @IntRange(max = 71_680) int length,
      @ForAll @IntRange(max = 3) int kind, @ForAll @IntRange(max = 5) int dstOffset) {
    byte[] in = input(seed, length, kind);
    byte[] dst = new byte[dstOffset + Lz4Encoder.maxCompressedLength(length)];
    int n = new Lz4Encoder().compress(in, 0, length, dst, dstOffset, dst.length);
    assertTrue(n > 0, "gave up with room for the longest block");
    assertArrayEquals(in, decodeBoth(dst, dstOffset, n, length));
    if (kind == 1 && length > 1000) {
      assertTrue(n < length / 10, n + " bytes for " + length + " repetitive ones");
    }
  }

  @Property(tries = 400)
  void compressesASliceOfTheInput(@ForAll long seed, @ForAll @IntRange(max = 9000) int length,
      @ForAll @IntRange(max = 3) int kind, @ForAll @IntRange(max = 300) int before) {
    // bytes before the slice are never matched (they equal what follows the slice start)
    byte[] slice = input(seed, length, kind);
    byte[] in = new byte[before + length + 7];
    for (int i = 0; i < before; i++) {
      in[i] = length == 0 ? 0 : slice[i % length];
    }
    System.arraycopy(slice, 0, in, before, length);
    byte[] dst = new byte[Lz4Encoder.maxCompressedLength(length)];
    int n = new Lz4Encoder().compress(in, before, length, dst, 0, dst.length);
    assertArrayEquals(slice, decodeBoth(dst, 0, n, length));
  }

  /** Returns -1 exactly when the block is longer than the limit; otherwise it fits and decodes. */
  @Property(tries = 600)
  void givesUpExactlyWhenTheBlockWouldNotFit(@ForAll long seed,
      @ForAll @IntRange(max = 20_000) int length, @ForAll @IntRange(max = 3) int kind,
      @ForAll @IntRange(max = 1000) int permille) {
    byte[] in = input(seed, length, kind);
    byte[] full = new byte[Lz4Encoder.maxCompressedLength(length)];
    Lz4Encoder encoder = new Lz4Encoder();
    int size = encoder.compress(in, 0, length, full, 0, full.length);
    int limit = (int) ((long) size * 2 * permille / 1000); // 0 .. twice the block
    if (permille % 7 == 0) {
      limit = size - 1 + permille % 3; // just below, at, just above
    }
    byte[] dst = new byte[limit + 10];
    Arrays.fill(dst, (byte) 0x5A);
    int n = encoder.compress(in, 0, length, dst, 3, limit);
    if (size > limit) {
      assertEquals(-1, n, "a " + size + "-byte block under a limit of " + limit);
    } else {
      assertEquals(size, n);
      assertArrayEquals(Arrays.copyOf(full, size), Arrays.copyOfRange(dst, 3, 3 + n));
      assertArrayEquals(in, decodeBoth(dst, 3, n, length));
    }
    for (int i = 3 + limit; i < dst.length; i++) {
      assertEquals(0x5A, dst[i], "wrote past the limit at " + i);
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(0x5A, dst[i], "wrote before the output at " + i);
    }
  }

  /**
   * Incompressible bytes and then their second half again: the search, stepping over several bytes
   * at a time in both copies, finds the repeat late and extends the match backwards (often by the
   * whole {@code MAX_CATCH_UP}); the limit stays exact there, where a give-up counting every
   * pending literal as certain would be wrong.
   */
  @Property(tries = 300)
  void givesUpExactlyWhereAMatchExtendsBackwards(@ForAll long seed,
      @ForAll @IntRange(min = 100, max = 20_000) int prefix,
      @ForAll @IntRange(max = 100) int tail) {
    Random r = new Random(seed);
    int from = prefix / 4 + r.nextInt(prefix / 2);
    byte[] in = new byte[2 * prefix - from + tail];
    r.nextBytes(in);
    System.arraycopy(in, from, in, prefix, prefix - from);
    Lz4Encoder encoder = new Lz4Encoder();
    byte[] full = new byte[Lz4Encoder.maxCompressedLength(in.length)];
    int size = encoder.compress(in, 0, in.length, full, 0, full.length);
    assertArrayEquals(in, decodeBoth(full, 0, size, in.length));
    byte[] dst = new byte[size + 1];
    assertEquals(-1, encoder.compress(in, 0, in.length, dst, 0, size - 1));
    assertEquals(size, encoder.compress(in, 0, in.length, dst, 0, size));
    assertEquals(size, encoder.compress(in, 0, in.length, dst, 0, size + 1));
  }

  /** One instance over many blocks writes what a fresh instance writes for each. */
  @Property(tries = 100)
  void reuseGivesTheSameBlocksAsAFreshInstance(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 40) int blocks) {
    Random r = new Random(seed);
    Lz4Encoder reused = new Lz4Encoder();
    byte[] previous = new byte[0];
    for (int i = 0; i < blocks; i++) {
      int length = r.nextInt(4) == 0 ? r.nextInt(70_000) : r.nextInt(5000);
      // often the previous block again, shifted: old table entries would match if taken
      byte[] in = r.nextBoolean() && previous.length > 0
          ? Arrays.copyOfRange(previous, r.nextInt(previous.length), previous.length + length / 2)
          : input(r.nextLong(), length, r.nextInt(4));
      length = in.length;
      byte[] a = new byte[Lz4Encoder.maxCompressedLength(length)];
      byte[] b = new byte[a.length];
      int limit = r.nextInt(3) == 0 ? r.nextInt(a.length) : a.length;
      int na = reused.compress(in, 0, length, a, 0, limit);
      int nb = new Lz4Encoder().compress(in, 0, length, b, 0, limit);
      assertEquals(nb, na, "block " + i);
      if (na >= 0) {
        assertArrayEquals(Arrays.copyOf(b, nb), Arrays.copyOf(a, na), "block " + i);
        assertArrayEquals(in, decodeBoth(a, 0, na, length));
      }
      previous = in;
    }
  }

  @Test
  void emptyAndTinyInputsAreLiterals() {
    Lz4Encoder e = new Lz4Encoder();
    byte[] dst = new byte[32];
    assertEquals(1, e.compress(new byte[0], 0, 0, dst, 0, 32));
    assertEquals(0, dst[0]);
    assertEquals(-1, e.compress(new byte[0], 0, 0, dst, 0, 0));
    byte[] twelve = new byte[12];
    assertEquals(13, e.compress(twelve, 0, 12, dst, 0, 32));
    assertArrayEquals(twelve, decodeBoth(dst, 0, 13, 12));
    byte[] thirteen = new byte[13];
    int n = e.compress(thirteen, 0, 13, dst, 0, 32);
    assertArrayEquals(thirteen, decodeBoth(dst, 0, n, 13));
  }

  @Test
  void refusesBadArguments() {
    Lz4Encoder e = new Lz4Encoder();
    byte[] b = new byte[10];
    assertThrows(IndexOutOfBoundsException.class, () -> e.compress(b, 5, 6, b, 0, 10));
    assertThrows(IndexOutOfBoundsException.class, () -> e.compress(b, 0, 5, b, 11, 10));
    assertThrows(IllegalArgumentException.class, () -> e.compress(b, 0, 5, new byte[9], 0, -1));
    assertThrows(IllegalArgumentException.class, () -> Lz4Encoder.maxCompressedLength(-1));
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.junit.jupiter.api.Test;

/**
 * Strata's Keccak-256 against BouncyCastle's {@code KeccakDigest} (the reference, in test scope
 * only) and published vectors: every length across the first blocks (the padding at each offset
 * of the 136-byte rate, its two bytes in one at 135), long inputs, slices of larger arrays.
 */
class KeccakTest {
  static byte[] reference(byte[] data, int off, int len) {
    KeccakDigest d = new KeccakDigest(256);
    d.update(data, off, len);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void knownVectors() {
    assertEquals("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        hex(Keccak.hash(new byte[0])));
    assertEquals("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
        hex(Keccak.hash("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
  }

  @Test
  void everyLengthOverFourBlocksMatchesTheReference() {
    Random r = new Random(5);
    for (int len = 0; len <= 4 * 136 + 1; len++) {
      byte[] data = new byte[len + 7];
      r.nextBytes(data);
      int off = len % 8; // unaligned starts too
      assertArrayEquals(reference(data, off, len), Keccak.hash(data, off, len), "length " + len);
    }
  }

  @Property
  void anySliceMatchesTheReference(@ForAll @IntRange(min = 0, max = 5000) int len,
      @ForAll @IntRange(min = 0, max = 64) int off, @ForAll long seed) {
    byte[] data = new byte[off + len + 13];
    new Random(seed).nextBytes(data);
    assertArrayEquals(reference(data, off, len), Keccak.hash(data, off, len));
  }

  @Test
  void aSliceOutsideTheArrayIsRefused() {
    assertThrows(IndexOutOfBoundsException.class, () -> Keccak.hash(new byte[10], 5, 6));
    assertThrows(IndexOutOfBoundsException.class, () -> Keccak.hash(new byte[10], -1, 2));
  }
}

package io.strata.bloom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BloomFilterTest {

  private static byte[] key(String prefix, int i) {
    return (prefix + i).getBytes(StandardCharsets.UTF_8);
  }

  private static BloomFilter filterOf(int keys, int bitsPerKey) {
    BloomFilter.Builder b = BloomFilter.builder(bitsPerKey);
    for (int i = 0; i < keys; i++) {
      b.add(key("present-", i));
    }
    return b.build();
  }

  @Test
  void falsePositiveRateAtTenBitsPerKeyIsAtMostOnePercent() {
    int n = 1_000_000;
    BloomFilter f = filterOf(n, 10);
    for (int i = 0; i < n; i++) {
      assertTrue(f.mightContain(key("present-", i)), "false negative");
    }
    int falsePositives = 0;
    for (int i = 0; i < n; i++) {
      if (f.mightContain(key("absent-", i))) {
        falsePositives++;
      }
    }
    double rate = falsePositives / (double) n;
    assertTrue(rate <= 0.010, "false-positive rate " + rate * 100 + "% exceeds 1.0%");
    // and close to what the blocked-filter model predicts: a broken hash would sit far above it
    double model = FalsePositiveModel.rate(10, f.probes());
    assertEquals(model, rate, model * 0.06, "measured rate far from the model");
  }

  @Test
  void filterIsSizedAtBitsPerKeyRoundedUpToWholeBlocks() {
    assertEquals(8 + 64, BloomFilter.builder(10).build().serializedSize(), "empty filter: one block");
    assertEquals(8 + 64, filterOf(51, 10).serializedSize());
    assertEquals(8 + 128, filterOf(52, 10).serializedSize());
    assertEquals(8 + 125 * 64, filterOf(6400, 10).serializedSize());
  }

  @Test
  void emptyFilterContainsNothing() {
    BloomFilter f = BloomFilter.builder(10).build();
    for (int i = 0; i < 1000; i++) {
      assertFalse(f.mightContain(key("k", i)));
    }
  }

  @Test
  void probeCountFollowsBitsPerKey() {
    assertEquals(1, BloomFilter.probesFor(1));
    assertTrue(BloomFilter.probesFor(10) >= 6 && BloomFilter.probesFor(10) <= 7);
    assertTrue(BloomFilter.probesFor(20) > BloomFilter.probesFor(10));
    assertTrue(FalsePositiveModel.rate(10, BloomFilter.probesFor(10)) < 0.0097);
  }

  @Test
  void hashEntryPointAgreesWithKeyEntryPoint() {
    BloomFilter.Builder b = BloomFilter.builder(10);
    for (int i = 0; i < 1000; i++) {
      b.addHash(BloomFilter.hash(key("x", i)));
    }
    BloomFilter f = b.build();
    for (int i = 0; i < 1000; i++) {
      assertTrue(f.mightContain(key("x", i)));
      assertTrue(f.mightContain(BloomFilter.hash(key("x", i))));
    }
  }

  @Test
  void serializedFormRoundTripsByCopyAndByView() {
    BloomFilter f = filterOf(5000, 10);
    byte[] bytes = f.toByteArray();
    assertEquals(BloomFilter.FORMAT_VERSION, bytes[0]);
    BloomFilter copy = BloomFilter.fromByteArray(bytes);
    assertArrayEquals(bytes, copy.toByteArray());

    // a view over a slice in the middle of a larger buffer, not at offset 0
    ByteBuffer big = ByteBuffer.allocateDirect(bytes.length + 100).order(ByteOrder.BIG_ENDIAN);
    big.position(37);
    big.put(bytes);
    big.position(37).limit(37 + bytes.length);
    BloomFilter view = BloomFilter.view(big);
    assertEquals(37, big.position(), "view must not move the caller's buffer");
    assertEquals(ByteOrder.BIG_ENDIAN, big.order(), "view must not change the caller's byte order");
    for (int i = 0; i < 20_000; i++) {
      byte[] k = key(i % 2 == 0 ? "present-" : "other-", i / 2);
      assertEquals(f.mightContain(k), copy.mightContain(k));
      assertEquals(f.mightContain(k), view.mightContain(k));
    }
    // fromByteArray copies: changing the caller's array later does not change the filter
    java.util.Arrays.fill(bytes, 8, bytes.length, (byte) 0xFF);
    assertFalse(copy.mightContain(key("absent-", 1)) && copy.mightContain(key("absent-", 2))
        && copy.mightContain(key("absent-", 3)) && copy.mightContain(key("absent-", 4)));
  }

  @Test
  void everyTruncationIsRejectedWithAMessage() {
    byte[] bytes = filterOf(100, 10).toByteArray();
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(bytes, len);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> BloomFilter.fromByteArray(cut));
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
  }

  @Test
  void malformedHeadersAreRejectedWithAMessage() {
    byte[] good = filterOf(100, 10).toByteArray();
    assertRejected(good, 0, (byte) 2, "format");
    assertRejected(good, 0, (byte) 0, "format");
    assertRejected(good, 1, (byte) 0, "probe count");
    assertRejected(good, 1, (byte) 31, "probe count");
    assertRejected(good, 1, (byte) -1, "probe count");
    assertRejected(good, 2, (byte) 1, "reserved");
    assertRejected(good, 3, (byte) 1, "reserved");
    assertRejected(good, 4, (byte) 0x55, "bytes"); // block count no longer matches the length
    byte[] zeroBlocks = good.clone();
    ByteBuffer.wrap(zeroBlocks).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0);
    assertMessage(zeroBlocks, "block count");
    byte[] negativeBlocks = good.clone();
    ByteBuffer.wrap(negativeBlocks).order(ByteOrder.LITTLE_ENDIAN).putInt(4, -1);
    assertMessage(negativeBlocks, "block count");
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
    assertMessage(trailing, "trailing");
    assertThrows(NullPointerException.class, () -> BloomFilter.fromByteArray(null));
  }

  @Test
  void bitsPerKeyOutsideRangeIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> BloomFilter.builder(0));
    assertThrows(IllegalArgumentException.class, () -> BloomFilter.builder(65));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BloomFilter.builder(-3));
    assertTrue(e.getMessage().contains("bitsPerKey"), e.getMessage());
  }

  private static void assertRejected(byte[] good, int index, byte value, String expected) {
    byte[] bad = good.clone();
    bad[index] = value;
    assertMessage(bad, expected);
  }

  private static void assertMessage(byte[] bad, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BloomFilter.fromByteArray(bad));
    assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks " + expected);
  }
}

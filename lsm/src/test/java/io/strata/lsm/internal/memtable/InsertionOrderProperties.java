package io.strata.lsm.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A batch's insertion order (the primitive sort of {@link Memtable#insertionOrder}) against the
 * comparator sort it replaced: user key ascending, the later operation first among equal keys.
 */
class InsertionOrderProperties {
  /** A batch of keys in one buffer (with gaps), as a batch encoding lays them out. */
  record Batch(byte[] buf, int[] offsets, int[] lengths) {}

  /**
   * Keys that share a random prefix, then tails from a small alphabet (0, 1, 0x7F, 0x80, 0xFF)
   * so that ties in the packed bits, equal keys, keys that are prefixes of others and short keys
   * are all common.
   */
  static Batch batch(long seed, int count) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] shared = new byte[r.nextInt(12)];
    r.nextBytes(shared);
    byte[] alphabet = {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF};
    byte[][] distinct = new byte[1 + r.nextInt(Math.max(1, count))][];
    for (int i = 0; i < distinct.length; i++) {
      int tail = r.nextInt(10);
      byte[] k = Arrays.copyOf(shared, r.nextInt(8) == 0 ? r.nextInt(shared.length + 1)
          : shared.length + tail);
      for (int j = shared.length; j < k.length; j++) {
        k[j] = r.nextBoolean() ? alphabet[r.nextInt(alphabet.length)] : (byte) r.nextInt();
      }
      distinct[i] = k;
    }
    byte[] buf = new byte[count * 40 + 16];
    int[] offsets = new int[count];
    int[] lengths = new int[count];
    int at = 3;
    for (int i = 0; i < count; i++) {
      byte[] k = distinct[r.nextInt(distinct.length)];
      System.arraycopy(k, 0, buf, at, k.length);
      offsets[i] = at;
      lengths[i] = k.length;
      at += k.length + r.nextInt(3);
    }
    return new Batch(buf, offsets, lengths);
  }

  static int[] reference(Batch b) {
    Integer[] order = new Integer[b.offsets.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> {
      int c = Arrays.compareUnsigned(b.buf, b.offsets[x], b.offsets[x] + b.lengths[x], b.buf,
          b.offsets[y], b.offsets[y] + b.lengths[y]);
      return c != 0 ? c : Integer.compare(y, x);
    });
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  @Property(tries = 300)
  void ordersLikeTheComparatorSort(@ForAll long seed, @ForAll @IntRange(min = 0, max = 600)
      int count) {
    Batch b = batch(seed, count);
    assertArrayEquals(reference(b), Memtable.insertionOrder(b.buf, b.offsets, b.lengths, count));
  }

  @Test
  void aLargeBatchOfRandomKeys() {
    for (long seed = 0; seed < 3; seed++) {
      Batch b = batch(seed, 50_000);
      assertArrayEquals(reference(b), Memtable.insertionOrder(b.buf, b.offsets, b.lengths,
          b.offsets.length));
    }
  }
}

package io.strata.lsm.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.bloom.BloomFilter;
import io.strata.lsm.internal.InternalKeys;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The memtable's key filter: never a false negative, few false positives at its default size. */
class KeyFilterTest {
  private static byte[] key(SplittableRandom r, int length) {
    byte[] k = new byte[length];
    for (int i = 0; i < length; i++) {
      k[i] = (byte) r.nextInt();
    }
    return k;
  }

  @Test
  void everyAddedKeyIsFoundAndFewOthersAreAtTheDefaultDensity() {
    // a 64 MiB write buffer of ~150-byte entries: ~450,000 keys in a 1 MiB filter
    KeyFilter f = new KeyFilter(KeyFilter.bytesFor(64L << 20));
    assertEquals(1 << 20, f.bytes());
    SplittableRandom r = new SplittableRandom(7);
    int n = 450_000;
    long[] added = new long[n];
    for (int i = 0; i < n; i++) {
      added[i] = BloomFilter.hash(key(r, 33));
      f.add(added[i]);
    }
    for (long h : added) {
      assertTrue(f.mightContain(h));
    }
    int falsePositives = 0;
    int probes = 1_000_000;
    for (int i = 0; i < probes; i++) {
      if (f.mightContain(BloomFilter.hash(key(r, 33)))) {
        falsePositives++;
      }
    }
    // ~19 bits a key, 6 probes in 512-bit blocks: about 0.1%
    assertTrue(falsePositives < probes / 200, falsePositives + " false positives in " + probes);
  }

  @Test
  void aSaturatedFilterStillFindsEverything() {
    KeyFilter f = new KeyFilter(1); // one block
    SplittableRandom r = new SplittableRandom(3);
    long[] added = new long[5_000];
    for (int i = 0; i < added.length; i++) {
      added[i] = BloomFilter.hash(key(r, 1 + r.nextInt(40)));
      f.add(added[i]);
    }
    for (long h : added) {
      assertTrue(f.mightContain(h));
    }
  }

  @Test
  void aMemtableFindsKeysAddedFromSlicesOfABufferAndNotOthers() {
    Memtable m = Memtable.forWriteBuffer(1, 1 << 20);
    SplittableRandom r = new SplittableRandom(11);
    byte[][] keys = new byte[20_000][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = key(r, 8 + r.nextInt(41)); // long enough never to collide
      byte[] buf = new byte[keys[i].length + 9];
      System.arraycopy(keys[i], 0, buf, 5, keys[i].length); // hashed from a slice, not a copy
      m.add(i + 1, InternalKeys.KIND_PUT, buf, 5, keys[i].length, buf, 0, 3);
    }
    for (int i = 0; i < keys.length; i++) {
      byte[] v = m.get(keys[i], InternalKeys.MAX_SEQUENCE);
      assertTrue(v != null && v.length == 3, "key " + i);
      byte[] other = Arrays.copyOf(keys[i], keys[i].length + 1);
      assertNull(m.get(other, InternalKeys.MAX_SEQUENCE));
    }
  }
}

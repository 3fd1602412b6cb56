package io.strata.lsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The memtable's shortcuts for ascending inserts (appends at the end of the list with no key
 * compared; inserts after the previous one starting from it): runs of ascending keys, some at the
 * end of the list and some into gaps between earlier keys, mixed with inserts before the previous
 * one, read back like a sorted map, through gets (which use every level of the list) and
 * iteration.
 */
class MemtableAscendingTest {
  private static byte[] key(int i) {
    return String.format("%08d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void ascendingRunsAtTheEndAndInGapsReadLikeASortedMap() {
    for (int seed = 0; seed < 30; seed++) {
      Random r = new Random(seed);
      Memtable m = new Memtable(1, 4096);
      TreeMap<Integer, byte[]> model = new TreeMap<>();
      long sequence = 0;
      int next = 0;
      for (int run = 0; run < 60; run++) {
        // an ascending run, at the end (new keys) or from a random earlier point (gaps: odd keys
        // between the even ones written at the end)
        boolean atEnd = r.nextInt(3) != 0;
        int k = atEnd ? next : 2 * r.nextInt(Math.max(1, next / 2)) + 1;
        int length = 1 + r.nextInt(40);
        for (int i = 0; i < length; i++) {
          byte[] v = ("v" + seed + "-" + sequence).getBytes(StandardCharsets.UTF_8);
          m.add(++sequence, InternalKeys.KIND_PUT, key(k), v);
          model.put(k, v);
          k += 2;
        }
        if (atEnd) {
          next = k;
        }
      }
      for (int i = -1; i <= next + 1; i++) {
        byte[] want = model.get(i);
        byte[] got = m.get(key(i), InternalKeys.MAX_SEQUENCE);
        if (want == null) {
          assertNull(got, "seed " + seed + " key " + i);
        } else {
          assertArrayEquals(want, got, "seed " + seed + " key " + i);
        }
      }
      try (InternalIterator it = m.iterator()) {
        it.seekToFirst();
        int count = 0;
        byte[] previous = null;
        while (it.isValid()) {
          byte[] ik = it.key();
          if (previous != null) {
            assertEquals(-1, Integer.signum(InternalKeys.compare(previous, ik)),
                "seed " + seed + ": out of order at entry " + count);
          }
          previous = ik;
          count++;
          it.next();
        }
        assertEquals((int) sequence, count, "seed " + seed);
      }
      for (Map.Entry<Integer, byte[]> e : model.entrySet()) {
        try (InternalIterator it = m.iterator()) {
          it.seek(InternalKeys.seekKey(key(e.getKey()), InternalKeys.MAX_SEQUENCE));
          assertFalse(!it.isValid(), "seed " + seed + " seek " + e.getKey());
          assertArrayEquals(e.getValue(), it.value(), "seed " + seed + " seek " + e.getKey());
        }
      }
    }
  }
}

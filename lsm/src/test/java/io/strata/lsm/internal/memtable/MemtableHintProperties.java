package io.strata.lsm.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The memtable's search hints (the 8-byte key window kept beside each link, see {@link Memtable}):
 * after any mix of single inserts and sorted batches, every hint is true of the link it sits
 * beside ({@link Memtable#checkStructure}) and the memtable reads like a sorted map; and readers
 * racing the writer see, for every key inserted before their snapshot, a get that finds it, a seek
 * that lands on it, a seek between keys that never lands before its target, and a scan that is
 * sorted and holds all of them.
 */
class MemtableHintProperties {
  /**
   * Keys over a small alphabet (0, 1, 0x7F, 0x80, 0xFF): long shared prefixes, keys that are
   * prefixes of others, trailing zero bytes (which a window pads with), lengths around the 7-byte
   * window; one in 16 shares a 260-byte prefix (past the 255 bytes a hint's offset can say).
   */
  static byte[] key(SplittableRandom r) {
    byte[] alphabet = {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF};
    int shared = r.nextInt(16) == 0 ? 260 : 0;
    byte[] k = new byte[shared + r.nextInt(18)];
    Arrays.fill(k, 0, shared, (byte) 'p');
    for (int i = shared; i < k.length; i++) {
      k[i] = alphabet[r.nextInt(i < shared + 4 ? 2 : alphabet.length)];
    }
    return k;
  }

  static byte[] value(long sequence, int length) {
    byte[] v = new byte[length];
    new SplittableRandom(sequence).nextBytes(v);
    return v;
  }

  /** A batch body as {@code BatchFormat} reads it: kind, varint key length, key, [varint, value]. */
  static byte[] encode(List<byte[]> keys, List<byte[]> values) {
    ByteSink s = new ByteSink(64);
    for (int i = 0; i < keys.size(); i++) {
      byte[] v = values.get(i);
      s.put(v == null ? InternalKeys.KIND_DELETE : InternalKeys.KIND_PUT);
      s.putVarint(keys.get(i).length).put(keys.get(i));
      if (v != null) {
        s.putVarint(v.length).put(v);
      }
    }
    return s.toByteArray();
  }

  @Property(tries = 300)
  void hintsHoldAfterSingleInsertsAndSortedBatches(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 400) int operations,
      @ForAll @IntRange(min = 0, max = 2) int chunkChoice) {
    SplittableRandom r = new SplittableRandom(seed);
    Memtable m = new Memtable(1, new int[] {512, 4096, 1 << 20}[chunkChoice]);
    TreeMap<byte[], byte[]> model = new TreeMap<>(InternalKeys.COMPARATOR);
    byte[][] distinct = new byte[1 + r.nextInt(operations)][];
    for (int i = 0; i < distinct.length; i++) {
      distinct[i] = key(r);
    }
    long sequence = 1;
    int done = 0;
    while (done < operations) {
      int n = Math.min(operations - done, r.nextInt(3) == 0 ? 16 + r.nextInt(40) : 1);
      List<byte[]> keys = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        keys.add(distinct[r.nextInt(distinct.length)]);
        values.add(r.nextInt(5) == 0 ? null : value(sequence + i, r.nextInt(12)));
      }
      if (n == 1) {
        byte[] v = values.get(0);
        m.add(sequence, v == null ? InternalKeys.KIND_DELETE : InternalKeys.KIND_PUT, keys.get(0),
            v);
      } else {
        byte[] body = encode(keys, values);
        m.insertBatch(new ByteSource(body, 0, body.length, null, 0, "batch"), n, sequence);
      }
      for (int i = 0; i < n; i++) {
        byte[] v = values.get(i);
        model.put(InternalKeys.encode(keys.get(i), sequence + i,
            v == null ? InternalKeys.KIND_DELETE : InternalKeys.KIND_PUT),
            v == null ? Memtable.DELETED : v);
      }
      sequence += n;
      done += n;
      assertNull(m.checkStructure(), "after " + done + " operations");
    }
    try (InternalIterator it = m.iterator()) {
      it.seekToFirst();
      for (var e : model.entrySet()) {
        assertTrue(it.isValid(), "the memtable ends early");
        assertArrayEquals(e.getKey(), it.key());
        assertArrayEquals(e.getValue(), it.value());
        it.next();
      }
      assertTrue(!it.isValid(), "the memtable has extra entries");
      // seeks at every key and between: the model's ceiling
      for (byte[] k : distinct) {
        for (byte[] target : List.of(InternalKeys.seekKey(k, InternalKeys.MAX_SEQUENCE),
            InternalKeys.seekKey(Arrays.copyOf(k, k.length + 1), InternalKeys.MAX_SEQUENCE),
            InternalKeys.encode(k, 0, InternalKeys.KIND_DELETE))) {
          it.seek(target);
          byte[] ceiling = model.ceilingKey(target);
          if (ceiling == null) {
            assertTrue(!it.isValid(), "seek past the end");
          } else {
            assertTrue(it.isValid(), "seek ends early");
            assertArrayEquals(ceiling, it.key(), "seek");
          }
        }
      }
    }
  }

  private static byte[] racingKey(int k) {
    // a shared prefix, then digits: hints at every level hold offsets past the prefix
    return String.format("user/account/%012d", k).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One writer inserts keys in a shuffled order with ascending runs (both of the insert's paths)
   * and publishes how many it has inserted; readers check a snapshot of that count against
   * gets, seeks and a scan.
   */
  @Test
  void readersSeeEverythingInsertedBeforeTheirSnapshot() throws Exception {
    int total = 100_000;
    int[] order = new int[total];
    for (int i = 0; i < total; i++) {
      order[i] = 2 * i; // even keys inserted; odd ones are seek targets between them
    }
    SplittableRandom shuffle = new SplittableRandom(5);
    for (int i = total - 1; i > 0; i--) {
      if (i % 64 < 48) { // leave some runs ascending
        int j = shuffle.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    Memtable m = new Memtable(1, 8192);
    AtomicInteger published = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    AtomicIntegerArray checks = new AtomicIntegerArray(2);
    for (int t = 0; t < 2; t++) {
      int id = t;
      Thread reader = new Thread(() -> {
        SplittableRandom r = new SplittableRandom(id);
        try {
          while (failure.get() == null) {
            int snapshot = published.get();
            boolean last = snapshot == total;
            try (InternalIterator it = m.iterator()) {
              for (int probe = 0; probe < 200 && snapshot > 0; probe++) {
                int k = order[r.nextInt(snapshot)];
                byte[] want = value(k, 8 + k % 5);
                byte[] got = m.get(racingKey(k), InternalKeys.MAX_SEQUENCE);
                if (got == null || !Arrays.equals(want, got)) {
                  throw new AssertionError("get of key " + k + " inserted before the snapshot");
                }
                it.seek(InternalKeys.seekKey(racingKey(k), InternalKeys.MAX_SEQUENCE));
                if (!it.isValid() || !Arrays.equals(InternalKeys.userKey(it.key()), racingKey(k))) {
                  throw new AssertionError("seek to key " + k + " did not land on it");
                }
                byte[] between = InternalKeys.seekKey(racingKey(k + 1), InternalKeys.MAX_SEQUENCE);
                it.seek(between);
                if (it.isValid() && InternalKeys.compare(it.key(), between) < 0) {
                  throw new AssertionError("seek to " + (k + 1) + " landed before its target");
                }
              }
              // the scan: sorted, and every entry up to the snapshot's sequence present
              int seen = 0;
              byte[] previous = null;
              for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (previous != null && InternalKeys.compare(previous, key) >= 0) {
                  throw new AssertionError("scan out of order");
                }
                if (InternalKeys.sequence(key) <= snapshot) {
                  seen++;
                }
                previous = key;
              }
              if (seen != snapshot) {
                throw new AssertionError("scan saw " + seen + " of the " + snapshot
                    + " entries inserted before its snapshot");
              }
            }
            checks.incrementAndGet(id);
            if (last) {
              return;
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      reader.start();
      readers.add(reader);
    }
    for (int i = 0; i < total && failure.get() == null; i++) {
      int k = order[i];
      m.add(i + 1, InternalKeys.KIND_PUT, racingKey(k), value(k, 8 + k % 5));
      published.set(i + 1);
      if ((i + 1) % 10_000 == 0) {
        // let each reader finish a check started during the last stretch, however slow it is
        int a = checks.get(0);
        int b = checks.get(1);
        while (failure.get() == null && (checks.get(0) < a + 2 || checks.get(1) < b + 2)) {
          Thread.onSpinWait();
        }
      }
    }
    for (Thread t : readers) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertNull(m.checkStructure());
    assertTrue(checks.get(0) >= 20 && checks.get(1) >= 20, "each reader checked while inserts ran");
    assertEquals(total, published.get());
  }
}

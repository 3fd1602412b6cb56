package io.strata.lsm;

import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The arena skip list against a {@link TreeMap} of internal keys: iteration both ways, seeks and
 * versioned gets, with tiny chunks so entries straddle chunk ends and large values get chunks of
 * their own; and one writer racing readers that must always see a sorted list of complete entries.
 */
class MemtableProperties {
  static final List<String> KEYS = List.of("", "a", "ab", "abc", "b", "ba", "c", "zz");

  record Add(String key, boolean delete, int valueLength) {}

  @Provide
  Arbitrary<List<Add>> adds() {
    return Combinators.combine(Arbitraries.of(KEYS), Arbitraries.of(false, false, true),
        Arbitraries.frequency(net.jqwik.api.Tuple.of(8, 0), net.jqwik.api.Tuple.of(8, 10),
            net.jqwik.api.Tuple.of(2, 300), net.jqwik.api.Tuple.of(1, 5000)))
        .as(Add::new).list().ofMaxSize(200);
  }

  static byte[] value(int sequence, int length) {
    byte[] v = new byte[length];
    new Random(sequence).nextBytes(v);
    return v;
  }

  @Property
  void readsLikeASortedMapOfInternalKeys(@ForAll("adds") List<Add> adds,
      @ForAll @IntRange(min = 0, max = 2) int chunkChoice) {
    int chunk = new int[] {256, 4096, 1 << 20}[chunkChoice];
    Memtable m = new Memtable(1, chunk);
    TreeMap<byte[], byte[]> model = new TreeMap<>(InternalKeys.COMPARATOR);
    int sequence = 0;
    for (Add a : adds) {
      sequence++;
      byte[] k = a.key().getBytes(UTF_8);
      byte[] v = a.delete() ? Memtable.DELETED : value(sequence, a.valueLength());
      m.add(sequence, a.delete() ? InternalKeys.KIND_DELETE : InternalKeys.KIND_PUT, k, v);
      model.put(InternalKeys.encode(k, sequence,
          a.delete() ? InternalKeys.KIND_DELETE : InternalKeys.KIND_PUT), v);
    }
    assertEquals(model.isEmpty(), m.isEmpty());
    List<byte[]> expected = new ArrayList<>(model.keySet());
    // forward and backward
    InternalIterator it = m.iterator();
    List<byte[]> forward = new ArrayList<>();
    for (it.seekToFirst(); it.isValid(); it.next()) {
      forward.add(it.key());
      assertArrayEquals(model.get(it.key()), it.value());
    }
    assertKeys(expected, forward, "forward");
    List<byte[]> backward = new ArrayList<>();
    for (it.seekToLast(); it.isValid(); it.prev()) {
      backward.add(0, it.key());
    }
    assertKeys(expected, backward, "backward");
    // seeks and gets at every key and sequence
    for (String key : KEYS) {
      byte[] k = key.getBytes(UTF_8);
      for (int s = 0; s <= sequence + 1; s += 1 + sequence / 20) {
        byte[] target = InternalKeys.seekKey(k, s);
        it.seek(target);
        byte[] ceiling = model.ceilingKey(target);
        assertTrue(ceiling == null ? !it.isValid() : Arrays.equals(ceiling, it.key()), "seek");
        it.seekForPrev(target);
        byte[] floor = model.floorKey(target);
        assertTrue(floor == null ? !it.isValid() : Arrays.equals(floor, it.key()), "seekForPrev");
        byte[] got = m.get(k, s);
        if (ceiling == null || InternalKeys.compareUserKey(ceiling, k) != 0) {
          assertEquals(null, got, "get " + key + "@" + s);
        } else if (InternalKeys.kind(ceiling) == InternalKeys.KIND_DELETE) {
          assertTrue(got == Memtable.DELETED, "get " + key + "@" + s + " is a deletion");
        } else {
          assertArrayEquals(model.get(ceiling), got, "get " + key + "@" + s);
        }
      }
    }
  }

  /** Batches inserted in key order (the finger search) read like single inserts in any order. */
  @Property
  void batchesReadLikeTheSameOperationsOneByOne(@ForAll("adds") List<Add> adds) {
    Memtable batched = new Memtable(1, 512);
    Memtable single = new Memtable(1, 512);
    int first = 1;
    for (int start = 0; start < adds.size(); start += 40) {
      List<Add> part = adds.subList(start, Math.min(adds.size(), start + 40));
      WriteBatch b = new WriteBatch();
      for (int i = 0; i < part.size(); i++) {
        Add a = part.get(i);
        byte[] k = a.key().getBytes(UTF_8);
        if (a.delete()) {
          b.delete(k);
          single.add(first + i, InternalKeys.KIND_DELETE, k, null);
        } else {
          byte[] v = value(first + i, a.valueLength());
          b.put(k, v);
          single.add(first + i, InternalKeys.KIND_PUT, k, v);
        }
      }
      batched.insertBatch(new ByteSource(b.array(), WriteBatch.HEADER, b.bodySize(), null, 0,
          "batch"), b.count(), first);
      first += part.size();
    }
    InternalIterator x = batched.iterator();
    InternalIterator y = single.iterator();
    for (x.seekToFirst(), y.seekToFirst(); y.isValid(); x.next(), y.next()) {
      assertTrue(x.isValid(), "batched memtable ends early");
      assertArrayEquals(y.key(), x.key());
      assertArrayEquals(y.value(), x.value());
    }
    assertTrue(!x.isValid(), "batched memtable has extra entries");
  }

  private static void assertKeys(List<byte[]> expected, List<byte[]> got, String what) {
    assertEquals(expected.size(), got.size(), what + " count");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), got.get(i), what + " entry " + i);
    }
  }

  /** Readers iterating and getting while one writer inserts never see disorder or a torn entry. */
  @Test
  void readersRacingTheWriterSeeSortedCompleteEntries() throws Exception {
    Memtable m = new Memtable(1, 4096);
    int total = 200_000;
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Thread t = new Thread(() -> {
        try {
          while (!done.get()) {
            InternalIterator it = m.iterator();
            byte[] previous = null;
            int n = 0;
            for (it.seekToFirst(); it.isValid() && n < 5_000; it.next(), n++) {
              byte[] k = it.key();
              if (previous != null && InternalKeys.compare(previous, k) >= 0) {
                throw new AssertionError("out of order");
              }
              checkValue(k, it.value());
              previous = k;
            }
            byte[] got = m.get(key(n * 7919 % total), Long.MAX_VALUE >>> 8);
            if (got != null && got != Memtable.DELETED) {
              checkValue(InternalKeys.encode(key(n * 7919 % total), 1, (byte) 1), got);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      t.start();
      readers.add(t);
    }
    for (int i = 0; i < total; i++) {
      int k = (int) ((i * 2654435761L) % total);
      byte[] v = (Integer.toString(k) + ":").repeat(1 + k % 7).getBytes(UTF_8);
      m.add(i + 1, InternalKeys.KIND_PUT, key(k), v);
    }
    done.set(true);
    for (Thread t : readers) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    int n = 0;
    InternalIterator it = m.iterator();
    for (it.seekToFirst(); it.isValid(); it.next()) {
      n++;
    }
    assertEquals(total, n);
  }

  private static byte[] key(int k) {
    return String.format("k%08d", k).getBytes(UTF_8);
  }

  /** A value is its key's number and a colon, repeated: a torn or misplaced one shows. */
  private static void checkValue(byte[] ikey, byte[] value) {
    int k = Integer.parseInt(new String(InternalKeys.userKey(ikey), UTF_8).substring(1));
    String unit = k + ":";
    String v = new String(value, UTF_8);
    if (v.isEmpty() || v.length() % unit.length() != 0 || !v.equals(unit.repeat(v.length()
        / unit.length()))) {
      throw new AssertionError("value " + v + " does not belong to key " + k);
    }
  }
}

package io.strata.lsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link Db#multiGet(List, ReadOptions)} answers exactly like a loop of {@link Db#get(byte[],
 * ReadOptions)}, on random stores spread over the memtable, level-0 tables and several tables in
 * deeper levels (small blocks and tables, so one batch crosses many blocks and tables), with
 * overwrites, deletions and open snapshots; batches are random lists of keys with duplicates,
 * absent keys and keys that are prefixes of others, read now and at every snapshot, with and
 * without filling the cache, with the block reads of a batch done by the caller alone or shared
 * with the helper thread. Answers must be equal, in input order, and each a distinct array.
 */
class MultiGetProperties {

  sealed interface Op {}

  /** Puts keys {@code first, first + step, ...} ({@code count} of them). */
  record Fill(int first, int step, int count, int valueLength, int seed) implements Op {}

  record Delete(int first, int step, int count) implements Op {}

  record Flush() implements Op {}

  record Compact() implements Op {}

  record TakeSnapshot() implements Op {}

  record Query(List<Integer> keys) implements Op {}

  static final int KEYS = 600;

  /** Keys with shared prefixes ({@code k1}, {@code k10}, {@code k100}) and an empty one. */
  static byte[] key(int i) {
    return i == 0 ? new byte[0] : ("k" + i).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(int key, int length, int seed) {
    byte[] v = new byte[length];
    new Random(key * 31L + seed).nextBytes(v);
    return v;
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Integer> k = Arbitraries.integers().between(0, KEYS + 20); // some never written
    Arbitrary<Op> fill = Combinators.combine(Arbitraries.integers().between(0, KEYS - 1),
        Arbitraries.integers().between(1, 7), Arbitraries.integers().between(1, 200),
        Arbitraries.integers().between(0, 400), Arbitraries.integers().between(0, 999))
        .as(Fill::new);
    Arbitrary<Op> delete = Combinators.combine(Arbitraries.integers().between(0, KEYS - 1),
        Arbitraries.integers().between(1, 9), Arbitraries.integers().between(1, 60))
        .as(Delete::new);
    Arbitrary<Op> query = Arbitraries.oneOf(k.list().ofMaxSize(120),
        // clustered, with duplicates
        Arbitraries.integers().between(0, KEYS).flatMap(base ->
            Arbitraries.integers().between(base, base + 40).list().ofMinSize(1).ofMaxSize(80)))
        .map(Query::new);
    return Arbitraries.frequencyOf(
        Tuple.of(10, fill),
        Tuple.of(4, delete),
        Tuple.of(3, Arbitraries.just(new Flush())),
        Tuple.of(2, Arbitraries.just(new Compact())),
        Tuple.of(2, Arbitraries.just(new TakeSnapshot())),
        Tuple.of(6, query)).list().ofMinSize(1).ofMaxSize(30);
  }

  @Property(tries = 80)
  void multiGetEqualsALoopOfGet(@ForAll("operations") List<Op> ops,
      @ForAll("bloomBits") int bloomBits, @ForAll("minSharedReads") int minSharedReads) {
    Options options = Options.builder().fileSystem(new MemFileSystem()).writeBufferSize(16 << 10)
        .targetFileSize(16 << 10).maxBytesForLevelBase(32 << 10).blockSize(256)
        .bloomBitsPerKey(bloomBits).level0CompactionTrigger(4).blockCacheBytes(32 << 10)
        .backgroundThreads(1).build();
    List<Snapshot> snapshots = new ArrayList<>();
    try (Db db = Db.open(Path.of("/db"), options,
        TestKnobs.NONE.multiGetMinSharedReads(minSharedReads))) {
      for (Op op : ops) {
        if (op instanceof Fill f) {
          WriteBatch batch = new WriteBatch();
          for (int i = 0; i < f.count(); i++) {
            int key = (f.first() + i * f.step()) % KEYS;
            batch.put(key(key), value(key, f.valueLength(), f.seed()));
          }
          db.write(batch, WriteOptions.defaults());
        } else if (op instanceof Delete d) {
          for (int i = 0; i < d.count(); i++) {
            db.delete(key((d.first() + i * d.step()) % KEYS));
          }
        } else if (op instanceof Flush) {
          db.flush();
        } else if (op instanceof Compact) {
          db.compactRange(null, null);
        } else if (op instanceof TakeSnapshot) {
          snapshots.add(db.snapshot());
        } else if (op instanceof Query q) {
          List<byte[]> keys = new ArrayList<>();
          for (int i : q.keys()) {
            keys.add(key(i));
          }
          check(db, keys, ReadOptions.defaults());
          check(db, keys, ReadOptions.builder().fillCache(false).build());
          for (Snapshot s : snapshots) {
            check(db, keys, ReadOptions.builder().snapshot(s).build());
          }
        }
      }
      // the last state, once more, over every key
      List<byte[]> all = new ArrayList<>();
      for (int i = KEYS + 5; i >= 0; i--) {
        all.add(key(i));
      }
      check(db, all, ReadOptions.defaults());
      for (Snapshot s : snapshots) {
        check(db, all, ReadOptions.builder().snapshot(s).build());
        s.close();
      }
    }
  }

  /**
   * The sort behind multiGet (8-byte words after the common prefix, bytes on a tie) orders keys
   * as a stable sort by unsigned bytes does: keys with a long shared prefix, keys that are prefixes
   * of others, zero bytes that tie with the words' padding, empty keys.
   */
  @Property(tries = 300)
  void sortedPositionsIsAStableUnsignedSort(@ForAll("keyLists") List<byte[]> list) {
    byte[][] keys = list.toArray(new byte[0][]);
    int prefix = MultiGet.commonPrefix(keys);
    long[] words = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      words[i] = MultiGet.word(keys[i], prefix);
    }
    int[] got = MultiGet.sortedPositions(keys, words, prefix);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      expected.add(i);
    }
    expected.sort((a, b) -> java.util.Arrays.compareUnsigned(keys[a], keys[b]));
    List<Integer> actual = new ArrayList<>();
    for (int i : got) {
      actual.add(i);
    }
    assertEquals(expected, actual);
  }

  @Provide
  Arbitrary<List<byte[]>> keyLists() {
    Arbitrary<byte[]> tail = Arbitraries.of((byte) 0, (byte) 1, (byte) 0x7f, (byte) 0x80,
        (byte) 0xff).list().ofMaxSize(12).map(l -> {
          byte[] b = new byte[l.size()];
          for (int i = 0; i < b.length; i++) {
            b[i] = l.get(i);
          }
          return b;
        });
    return Combinators.combine(Arbitraries.integers().between(0, 12), tail.list().ofMaxSize(40))
        .as((prefixLength, tails) -> {
          List<byte[]> keys = new ArrayList<>();
          for (byte[] t : tails) {
            byte[] k = new byte[prefixLength + t.length];
            java.util.Arrays.fill(k, 0, prefixLength, (byte) 'p');
            System.arraycopy(t, 0, k, prefixLength, t.length);
            keys.add(k);
          }
          return keys;
        });
  }

  /** From one cache miss on (every step's reads shared with the helper), a few, or never. */
  @Provide
  Arbitrary<Integer> minSharedReads() {
    return Arbitraries.of(1, 4, Integer.MAX_VALUE);
  }

  @Provide
  Arbitrary<Integer> bloomBits() {
    return Arbitraries.of(0, 10);
  }

  /** Read by a loop of get first, so that multiGet finds the same cache state or a warmer one. */
  private static void check(Db db, List<byte[]> keys, ReadOptions options) {
    List<byte[]> expected = new ArrayList<>();
    for (byte[] k : keys) {
      expected.add(db.get(k, options));
    }
    List<byte[]> actual = db.multiGet(keys, options);
    assertEquals(keys.size(), actual.size());
    IdentityHashMap<byte[], Boolean> seen = new IdentityHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "key " + new String(keys.get(i),
          StandardCharsets.UTF_8) + " at " + i);
      if (actual.get(i) != null) {
        assertTrue(seen.put(actual.get(i), true) == null, "answer " + i + " shares its array");
        assertNotSame(keys.get(i), actual.get(i));
      }
    }
  }
}

package io.strata.lsm.internal.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.fs.MemFileSystem;
import io.strata.fs.WritableFile;
import io.strata.lsm.Compression;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.MergingIterator;
import io.strata.lsm.internal.memtable.Memtable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The iterators' views ({@link InternalIterator#keyArray()} and the rest) against a model, for a
 * memtable, tables written from memtables through the views (as a flush writes them) and the
 * three merged, under random moves both ways; and {@link InternalIterator#key()} keeps its contract
 * (the array stays as it was after the iterator moves on) although the views reuse one buffer.
 * Keys share long prefixes, grow past the buffers' first size and shrink again, so a view that
 * keeps a stale tail, a table that loses a shared prefix, or a {@code key()} that hands out the
 * reused buffer all show.
 */
class IteratorViewProperties {
  /** Random entries: a shared prefix of 0-100 bytes, tails from a small alphabet, some long. */
  static TreeMap<byte[], byte[]> entries(SplittableRandom r) {
    byte[] prefix = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(100)];
    Arrays.fill(prefix, (byte) 'p');
    TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKeys.COMPARATOR);
    int n = 1 + r.nextInt(400);
    long sequence = 1;
    for (int i = 0; i < n; i++) {
      byte[] user = userKey(r, prefix);
      boolean delete = r.nextInt(6) == 0;
      byte[] v = new byte[delete ? 0 : r.nextInt(r.nextInt(10) == 0 ? 300 : 30)];
      r.nextBytes(v);
      m.put(InternalKeys.encode(user, sequence++,
          delete ? InternalKeys.KIND_DELETE : InternalKeys.KIND_PUT), v);
    }
    return m;
  }

  static byte[] userKey(SplittableRandom r, byte[] prefix) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + r.nextInt(r.nextInt(8) == 0 ? 150 : 6));
    for (int i = prefix.length; i < k.length; i++) {
      k[i] = (byte) "\0a\u00ff".charAt(r.nextInt(3));
    }
    return k;
  }

  static Memtable memtable(Map<byte[], byte[]> entries) {
    Memtable m = new Memtable(0, 4096); // small chunks: entries in many, large ones alone
    for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
      byte[] k = e.getKey();
      byte kind = InternalKeys.kind(k);
      m.add(InternalKeys.sequence(k), kind, InternalKeys.userKey(k), e.getValue());
    }
    return m;
  }

  /** Table {@code file}, written from {@code source}'s views as the flush writes one. */
  static TableReader table(MemFileSystem fs, Path file, InternalIterator source,
      SplittableRandom r) throws Exception {
    fs.createDirectories(file.getParent());
    try (WritableFile f = fs.create(file)) {
      TableBuilder b = new TableBuilder(f, new TableOptions(64 + r.nextInt(300),
          r.nextBoolean() ? Compression.LZ4 : Compression.NONE, 10,
          TableFormat.MIN_BLOCK_LIMIT));
      for (source.seekToFirst(); source.isValid(); source.next()) {
        b.add(source.keyArray(), source.keyOffset(), source.keyLength(), source.valueArray(),
            source.valueOffset(), source.valueLength());
      }
      b.finish();
    }
    return TableReader.open(fs, file, 1, new BlockCache(r.nextBoolean() ? 0 : 8192),
        TableFormat.MIN_BLOCK_LIMIT);
  }

  /**
   * A memtable and two tables: each walked alone, then the three merged (the tables read with
   * and without filling the cache: a scan that does not fill it reads blocks into an array of its
   * iterator's, which no other iterator may share).
   */
  @Property(tries = 150)
  void viewsOfAMemtableTablesAndTheirMergeFollowAModel(@ForAll long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    TreeMap<byte[], byte[]> all = entries(r);
    List<TreeMap<byte[], byte[]>> parts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      parts.add(new TreeMap<>(InternalKeys.COMPARATOR));
    }
    for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
      parts.get(r.nextInt(3)).put(e.getKey(), e.getValue());
    }
    MemFileSystem fs = new MemFileSystem();
    TableReader[] tables = new TableReader[2];
    for (int i = 0; i < 2; i++) {
      try (InternalIterator source = memtable(parts.get(i + 1)).iterator()) {
        tables[i] = table(fs, Path.of("/t/00000" + (i + 1) + ".sst"), source, r);
      }
    }
    try {
      Memtable m = memtable(parts.get(0));
      walk(r, m.iterator(), parts.get(0));
      for (int i = 0; i < 2; i++) {
        walk(r, tables[i].iterator(r.nextBoolean()), parts.get(i + 1));
      }
      walk(r, new MergingIterator(List.of(m.iterator(), tables[0].iterator(r.nextBoolean()),
          tables[1].iterator(r.nextBoolean()))), all);
    } finally {
      for (TableReader t : tables) {
        t.release();
      }
    }
  }

  /** Random moves over {@code it} and over the model side by side. */
  static void walk(SplittableRandom r, InternalIterator it, TreeMap<byte[], byte[]> model) {
    List<byte[]> keys = new ArrayList<>(model.keySet());
    List<byte[]> values = new ArrayList<>(model.values());
    byte[] prefix = keys.isEmpty() ? new byte[0]
        : Arrays.copyOf(keys.get(0), Math.max(0, keys.get(0).length - 8 - 3));
    int at = -1; // the model's position; invalid outside [0, size)
    byte[] kept = null; // a key() taken before earlier moves, and what it must still hold
    byte[] keptCopy = null;
    try (it) {
      for (int step = 0; step < 300; step++) {
        int op = r.nextInt(10);
        if (op == 0 || keys.isEmpty()) {
          it.seekToFirst();
          at = 0;
        } else if (op == 1) {
          it.seekToLast();
          at = keys.size() - 1;
        } else if (op == 2 || op == 3) {
          byte[] target = InternalKeys.encode(userKey(r, prefix), r.nextInt(500),
              r.nextBoolean() ? InternalKeys.KIND_SEEK : InternalKeys.KIND_PUT);
          if (op == 2) {
            it.seek(target);
            at = firstAtOrAfter(keys, target);
          } else {
            it.seekForPrev(target);
            at = firstAtOrAfter(keys, target);
            if (at == keys.size() || InternalKeys.compare(keys.get(at), target) > 0) {
              at--;
            }
          }
        } else if (at >= 0 && at < keys.size()) {
          if (op < 8) {
            it.next();
            at++;
          } else {
            it.prev();
            at--;
          }
        }
        boolean valid = at >= 0 && at < keys.size();
        assertEquals(valid, it.isValid(), "valid at step " + step);
        if (valid) {
          byte[] k = keys.get(at);
          assertArrayEquals(k, Arrays.copyOfRange(it.keyArray(), it.keyOffset(),
              it.keyOffset() + it.keyLength()), "key view at step " + step);
          assertArrayEquals(values.get(at), Arrays.copyOfRange(it.valueArray(), it.valueOffset(),
              it.valueOffset() + it.valueLength()), "value view at step " + step);
          assertArrayEquals(values.get(at), it.value(), "value at step " + step);
          if (kept != null) {
            assertArrayEquals(keptCopy, kept, "a key() taken earlier changed by step " + step);
          }
          kept = it.key();
          keptCopy = kept.clone();
          assertArrayEquals(k, kept, "key at step " + step);
        }
      }
    }
  }

  static int firstAtOrAfter(List<byte[]> keys, byte[] target) {
    int lo = 0;
    int hi = keys.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (InternalKeys.compare(keys.get(mid), target) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}

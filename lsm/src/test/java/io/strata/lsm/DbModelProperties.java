package io.strata.lsm;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random sequences of operations against a {@link Db} and a {@link TreeMap} model; after every
 * step the store must read exactly like the model, both ways, and every open snapshot exactly like
 * the model did when it was taken. Keys come from a small alphabet (with prefixes of each other) so
 * overwrites and deletes collide; a 16 KiB write buffer and 256-byte blocks make flushes and
 * multi-block tables common. A failure shrinks to a short operation list.
 */
class DbModelProperties {

  sealed interface Op {}

  record Put(String key, int valueLength, int seed) implements Op {}

  record Delete(String key) implements Op {}

  record Batch(List<Op> ops) implements Op {}

  record Get(String key) implements Op {}

  record Seek(String key) implements Op {}

  record OpenSnapshot() implements Op {}

  record ReadSnapshot(int index) implements Op {}

  record CloseSnapshot(int index) implements Op {}

  record Flush() implements Op {}

  record Reopen() implements Op {}

  record CompactRange(String from, String to) implements Op {}

  static final List<String> KEYS =
      List.of("", "a", "aa", "ab", "abc", "b", "b0", "ba", "c", "d", "da", "dab", "e", "f", "g",
          "zz");

  static String value(Put p) {
    StringBuilder s = new StringBuilder(p.key()).append('#').append(p.seed()).append(':');
    while (s.length() < p.valueLength()) {
      s.append((char) ('a' + (s.length() * 31 + p.seed()) % 26));
    }
    return s.toString();
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<String> keys = Arbitraries.of(KEYS);
    Arbitrary<Op> put = net.jqwik.api.Combinators.combine(keys,
        Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.integers().between(0, 40)),
            Tuple.of(2, Arbitraries.integers().between(200, 3000))),
        Arbitraries.integers().between(0, 9999)).as(Put::new);
    Arbitrary<Op> delete = keys.map(Delete::new);
    Arbitrary<Op> batch = Arbitraries.oneOf(put, delete).list().ofMinSize(1).ofMaxSize(8)
        .map(Batch::new);
    Arbitrary<Op> ops = Arbitraries.frequencyOf(
        Tuple.of(30, put),
        Tuple.of(10, delete),
        Tuple.of(6, batch),
        Tuple.of(8, keys.map(Get::new)),
        Tuple.of(6, keys.map(Seek::new)),
        Tuple.of(3, Arbitraries.just(new OpenSnapshot())),
        Tuple.of(4, Arbitraries.integers().between(0, 5).map(ReadSnapshot::new)),
        Tuple.of(2, Arbitraries.integers().between(0, 5).map(CloseSnapshot::new)),
        Tuple.of(4, Arbitraries.just(new Flush())),
        Tuple.of(3, net.jqwik.api.Combinators.combine(keys.injectNull(0.3), keys.injectNull(0.3))
            .as(CompactRange::new)),
        Tuple.of(2, Arbitraries.just(new Reopen())));
    return ops.list().ofMinSize(1).ofMaxSize(120);
  }

  private record Snap(Snapshot snapshot, TreeMap<String, String> state) {}

  @Property
  void storeReadsLikeTheModel(@ForAll("operations") List<Op> ops) {
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/db");
    Options options = Options.builder().writeBufferSize(16 * 1024).blockSize(256)
        .blockCacheBytes(64 * 1024).fileSystem(fs).build();
    TreeMap<String, String> model = new TreeMap<>();
    List<Snap> snaps = new ArrayList<>();
    Db db = Db.open(dir, options);
    try {
      for (int step = 0; step < ops.size(); step++) {
        Op op = ops.get(step);
        String where = "step " + step + " " + op;
        if (op instanceof Put p) {
          db.put(b(p.key()), b(value(p)));
          model.put(p.key(), value(p));
        } else if (op instanceof Delete d) {
          db.delete(b(d.key()));
          model.remove(d.key());
        } else if (op instanceof Batch batch) {
          WriteBatch wb = new WriteBatch();
          for (Op o : batch.ops()) {
            if (o instanceof Put p) {
              wb.put(b(p.key()), b(value(p)));
              model.put(p.key(), value(p));
            } else if (o instanceof Delete d) {
              wb.delete(b(d.key()));
              model.remove(d.key());
            }
          }
          db.write(wb, step % 3 == 0 ? WriteOptions.sync() : WriteOptions.defaults());
        } else if (op instanceof Get g) {
          assertEquals(model.get(g.key()), s(db.get(b(g.key()))), where);
        } else if (op instanceof Seek sk) {
          checkSeek(db, ReadOptions.defaults(), model, sk.key(), where);
        } else if (op instanceof OpenSnapshot) {
          snaps.add(new Snap(db.snapshot(), new TreeMap<>(model)));
        } else if (op instanceof ReadSnapshot r) {
          if (!snaps.isEmpty()) {
            Snap sn = snaps.get(r.index() % snaps.size());
            ReadOptions ro = ReadOptions.builder().snapshot(sn.snapshot()).build();
            checkSeek(db, ro, sn.state(), KEYS.get(r.index() * 3 % KEYS.size()), where);
          }
        } else if (op instanceof CloseSnapshot c) {
          if (!snaps.isEmpty()) {
            snaps.remove(c.index() % snaps.size()).snapshot().close();
          }
        } else if (op instanceof Flush) {
          db.flush();
          checkTables(db, where);
        } else if (op instanceof CompactRange c) {
          db.compactRange(c.from() == null ? null : b(c.from()), c.to() == null ? null : b(c.to()));
          checkTables(db, where);
        } else if (op instanceof Reopen) {
          snaps.forEach(sn -> sn.snapshot().close());
          snaps.clear();
          db.close();
          db = Db.open(dir, options);
        }
        checkAll(db, ReadOptions.defaults(), model, where);
        for (Snap sn : snaps) {
          checkAll(db, ReadOptions.builder().snapshot(sn.snapshot()).build(), sn.state(),
              where + " (snapshot still stable)");
        }
      }
    } finally {
      db.close();
    }
  }

  /**
   * The table version is sound: in levels 1 and below tables are sorted and do not overlap, and
   * every table's recorded key and sequence ranges match its contents.
   */
  static void checkTables(Db db, String where) {
    Version v = db.testAccess().acquireCurrentVersion(); // its tables stay while it is checked
    try {
      checkTables(db, v, where);
    } finally {
      v.release();
    }
  }

  static void checkTables(Db db, Version v, String where) {
    for (int level = 0; level < VersionEdit.LEVELS; level++) {
      java.util.List<FileMetadata> files = v.files(level);
      for (int i = 0; i < files.size(); i++) {
        FileMetadata f = files.get(i);
        if (level > 0 && i > 0) {
          org.junit.jupiter.api.Assertions.assertTrue(
              InternalKeys.compareUserKey(files.get(i - 1).largest(), f.smallestUserKey()) < 0,
              where + ": level " + level + " tables overlap: " + files.get(i - 1) + " " + f);
        }
        byte[] first = null;
        byte[] last = null;
        long min = Long.MAX_VALUE;
        long max = 0;
        long entries = 0;
        TestAccess inside = db.testAccess();
        TableReader t = TableReader.open(inside.options().fileSystem(),
            FileNames.table(inside.directory(), f.number()), f.number(), new BlockCache(0));
        try (InternalIterator it = t.iterator(false)) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            if (first == null) {
              first = it.key();
            }
            last = it.key();
            min = Math.min(min, InternalKeys.sequence(it.key()));
            max = Math.max(max, InternalKeys.sequence(it.key()));
            entries++;
          }
        } finally {
          t.release();
        }
        assertEquals(InternalKeys.describe(f.smallest()), InternalKeys.describe(first),
            where + ": smallest key of " + f);
        assertEquals(InternalKeys.describe(f.largest()), InternalKeys.describe(last),
            where + ": largest key of " + f);
        assertEquals(f.minSequence(), min, where + ": min sequence of " + f);
        assertEquals(f.maxSequence(), max, where + ": max sequence of " + f);
        assertEquals(f.entries(), entries, where + ": entries of " + f);
      }
    }
  }

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static String s(byte[] b) {
    return b == null ? null : new String(b, UTF_8);
  }

  /** Gets, a forward scan and a backward scan all agree with the model. */
  static void checkAll(Db db, ReadOptions ro, TreeMap<String, String> model, String where) {
    for (String k : KEYS) {
      assertEquals(model.get(k), s(db.get(b(k), ro)), where + ": get " + k);
    }
    List<String> expected = new ArrayList<>();
    for (Map.Entry<String, String> e : model.entrySet()) {
      expected.add(e.getKey() + "=" + e.getValue());
    }
    List<String> forward = new ArrayList<>();
    List<String> backward = new ArrayList<>();
    try (Cursor c = db.cursor(ro)) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        forward.add(entry(c, where));
      }
      for (c.seekToLast(); c.isValid(); c.prev()) {
        backward.add(0, entry(c, where));
      }
    }
    assertEquals(expected, forward, where + ": forward scan");
    assertEquals(expected, backward, where + ": backward scan");
  }

  /**
   * The cursor's entry as {@code key=value}, after checking that the copying accessors (into a
   * buffer, at an offset) give the same bytes and lengths as the array ones.
   */
  static String entry(Cursor c, String where) {
    byte[] k = c.key();
    byte[] v = c.value();
    assertEquals(k.length, c.keyLength(), where + ": keyLength");
    assertEquals(v.length, c.valueLength(), where + ": valueLength");
    byte[] buf = new byte[3 + Math.max(k.length, v.length)];
    assertEquals(k.length, c.keyInto(buf, 3), where + ": keyInto");
    assertEquals(s(k), s(Arrays.copyOfRange(buf, 3, 3 + k.length)), where + ": keyInto bytes");
    assertEquals(v.length, c.valueInto(buf, 3), where + ": valueInto");
    assertEquals(s(v), s(Arrays.copyOfRange(buf, 3, 3 + v.length)), where + ": valueInto bytes");
    return s(k) + "=" + s(v);
  }

  /** seek, seekForPrev, and stepping both ways from there, against the model; with bounds too. */
  static void checkSeek(Db db, ReadOptions ro, TreeMap<String, String> model, String key,
      String where) {
    try (Cursor c = db.cursor(ro)) {
      c.seek(b(key));
      assertEquals(model.ceilingKey(key), c.isValid() ? s(c.key()) : null, where + ": seek");
      if (c.isValid()) {
        c.prev();
        assertEquals(model.lowerKey(key), c.isValid() ? s(c.key()) : null, where + ": prev");
      }
      c.seekForPrev(b(key));
      assertEquals(model.floorKey(key), c.isValid() ? s(c.key()) : null, where + ": seekForPrev");
      if (c.isValid()) {
        c.next();
        assertEquals(model.higherKey(key), c.isValid() ? s(c.key()) : null, where + ": next");
      }
    }
    String upper = key + "b";
    NavigableMap<String, String> range = model.subMap(key, true, upper, false);
    ReadOptions bounded = ReadOptions.builder().snapshot(ro.snapshot()).lowerBound(b(key))
        .upperBound(b(upper)).build();
    List<String> got = new ArrayList<>();
    try (Cursor c = db.cursor(bounded)) {
      for (c.seekToLast(); c.isValid(); c.prev()) {
        got.add(0, s(c.key()));
      }
    }
    assertEquals(new ArrayList<>(range.keySet()), got, where + ": bounded backward scan");
  }
}

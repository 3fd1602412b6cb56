package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import io.strata.fs.MemFileSystem;
import io.strata.fs.ReadableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Db.openReadOnly, Db.checkpoint, Db.multiGet and Db.property. */
class ReadOnlyAndCheckpointTest {
  @TempDir Path dir;

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static Options small() {
    return Options.builder().writeBufferSize(32 * 1024).blockSize(512).targetFileSize(16 * 1024)
        .maxBytesForLevelBase(64 * 1024).build();
  }

  /** Every file name of {@code d} with its bytes. */
  static Map<String, byte[]> listing(FileSystem fs, Path d) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    for (String name : fs.list(d)) {
      try (ReadableFile f = fs.openForRead(d.resolve(name))) {
        byte[] bytes = new byte[(int) f.size()];
        f.readFully(0, ByteBuffer.wrap(bytes));
        out.put(name, bytes);
      }
    }
    return out;
  }

  static void assertSameListing(Map<String, byte[]> a, Map<String, byte[]> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name);
    }
  }

  @Test
  void readOnlySeesTablesAndLogAndChangesNothing() throws IOException {
    Path store = dir.resolve("s");
    try (Db db = Db.open(store, small())) {
      for (int i = 0; i < 3000; i++) {
        db.put(b("k" + i), b("v" + i));
      }
      db.flush();
      for (int i = 0; i < 100; i++) {
        db.put(b("k" + i), b("w" + i)); // only in the log
      }
      db.delete(b("k5"));
    }
    Map<String, byte[]> before = listing(FileSystem.real(), store);
    try (Db ro = Db.openReadOnly(store, small())) {
      assertTrue(ro.isReadOnly());
      assertEquals("w7", new String(ro.get(b("k7")), UTF_8));
      assertEquals("v2000", new String(ro.get(b("k2000")), UTF_8));
      assertNull(ro.get(b("k5")));
      int n = 0;
      try (Cursor c = ro.cursor()) {
        for (c.seekToFirst(); c.isValid(); c.next()) {
          n++;
        }
      }
      assertEquals(2999, n);
      assertTrue(ro.verifyChecksums().isEmpty());
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
          () -> ro.put(b("x"), b("y")));
      assertTrue(e.getMessage().contains("read-only"), e.getMessage());
      assertThrows(UnsupportedOperationException.class, () -> ro.delete(b("x")));
      assertThrows(UnsupportedOperationException.class,
          () -> ro.write(new WriteBatch().put(b("x"), b("y")), WriteOptions.defaults()));
      assertThrows(UnsupportedOperationException.class, ro::flush);
      assertThrows(UnsupportedOperationException.class, ro::syncWal);
      assertThrows(UnsupportedOperationException.class, () -> ro.compactRange(null, null));
      ro.waitForCompactions();
      ro.stats();
    }
    assertSameListing(before, listing(FileSystem.real(), store));
  }

  @Test
  void readOnlyWhileAWriterHoldsTheStore() throws IOException {
    Path store = dir.resolve("s");
    try (Db db = Db.open(store, small())) {
      for (int i = 0; i < 2000; i++) {
        db.put(b("k" + i), b("v" + i));
      }
      // the writer holds the lock; a read-only open takes none
      try (Db ro = Db.openReadOnly(store, small())) {
        assertEquals("v1999", new String(ro.get(b("k1999")), UTF_8));
        // the writer compacts everything: the tables the reader opened are deleted
        db.compactRange(null, null);
        db.put(b("later"), b("x"));
        for (int i = 0; i < 2000; i++) {
          assertEquals("v" + i, new String(ro.get(b("k" + i)), UTF_8));
        }
        assertNull(ro.get(b("later"))); // a view of the moment it opened
      }
    }
  }

  @Test
  void readOnlyRefusesAMissingStore() {
    Path none = dir.resolve("none");
    io.strata.StrataException e = assertThrows(io.strata.StrataException.class,
        () -> Db.openReadOnly(none));
    assertTrue(e.getMessage().contains("no store"), e.getMessage());
  }

  @Test
  void checkpointOfMemtablesAndTablesOpens() throws IOException {
    MemFileSystem fs = new MemFileSystem();
    Options o = Options.builder().writeBufferSize(32 * 1024).blockSize(512)
        .targetFileSize(16 * 1024).maxBytesForLevelBase(64 * 1024).fileSystem(fs).build();
    Path store = Path.of("/store");
    Path copy = Path.of("/copy");
    try (Db db = Db.open(store, o)) {
      for (int i = 0; i < 3000; i++) {
        db.put(b("k" + i), b("v" + i));
      }
      db.flush();
      db.put(b("k1"), b("new"));
      db.delete(b("k2"));
      db.waitForCompactions(); // nothing changes the source meanwhile but the checkpoint could
      Map<String, byte[]> before = listing(fs, store);
      db.checkpoint(copy);
      assertSameListing(before, listing(fs, store));
      IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
          () -> db.checkpoint(copy));
      assertTrue(exists.getMessage().contains("exists"));
      db.put(b("k3"), b("after"));
    }
    try (Db c = Db.open(copy, o)) {
      assertEquals("new", new String(c.get(b("k1")), UTF_8));
      assertNull(c.get(b("k2")));
      assertEquals("v3", new String(c.get(b("k3")), UTF_8));
      assertEquals("v2999", new String(c.get(b("k2999")), UTF_8));
      assertTrue(c.verifyChecksums().isEmpty());
      c.put(b("k3"), b("copy's own"));
    }
    try (Db db = Db.open(store, o)) {
      assertEquals("after", new String(db.get(b("k3")), UTF_8));
    }
  }

  @Test
  void checkpointOnTheRealFileSystemHardLinksTables() throws IOException {
    Path store = dir.resolve("s");
    Path copy = dir.resolve("c");
    try (Db db = Db.open(store, small())) {
      for (int i = 0; i < 3000; i++) {
        db.put(b("k" + i), b("v" + i));
      }
      db.flush();
      db.waitForCompactions(); // no table of the source is deleted while we compare
      db.checkpoint(copy);
      int linked = 0;
      for (String name : FileSystem.real().list(copy)) {
        if (name.endsWith(".sst") && FileSystem.real().exists(store.resolve(name))) {
          Object a = java.nio.file.Files.getAttribute(store.resolve(name), "unix:ino");
          Object c = java.nio.file.Files.getAttribute(copy.resolve(name), "unix:ino");
          if (a.equals(c)) {
            linked++;
          }
        }
      }
      assertTrue(linked > 0, "no table was hard-linked");
    }
    try (Db c = Db.open(copy, small())) {
      assertEquals("v2999", new String(c.get(b("k2999")), UTF_8));
    }
  }

  /**
   * One writer sets seq/i = i in order, and hot/(i % 50) = i, while checkpoints are taken and
   * compactions run: each copy must hold exactly the writes before some moment: seq/0..n-1 and
   * nothing after, and every hot key as the model says after write n-1.
   */
  @Test
  void checkpointUnderConcurrentWritesIsAPrefix() throws Exception {
    Path store = dir.resolve("s");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong written = new AtomicLong();
    List<Path> copies = new ArrayList<>();
    List<Long> before = new ArrayList<>();
    try (Db db = Db.open(store, small())) {
      Thread writer = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          WriteBatch batch = new WriteBatch().put(b(String.format("seq/%08d", i)), b("" + i))
              .put(b("hot/" + (i % 50)), b("" + i));
          db.write(batch, WriteOptions.defaults());
          written.set(i + 1);
        }
      });
      writer.start();
      try {
        for (int c = 0; c < 8; c++) {
          Thread.sleep(30);
          Path copy = dir.resolve("copy" + c);
          before.add(written.get());
          db.checkpoint(copy);
          copies.add(copy);
        }
      } finally {
        stop.set(true);
        writer.join();
      }
    }
    for (int c = 0; c < copies.size(); c++) {
      try (Db copy = Db.open(copies.get(c), small())) {
        long n = 0;
        try (Cursor cur = copy.cursor()) {
          for (cur.seek(b("seq/")); cur.isValid() && new String(cur.key(), UTF_8)
              .startsWith("seq/"); cur.next()) {
            assertEquals(String.format("seq/%08d", n), new String(cur.key(), UTF_8));
            n++;
          }
        }
        assertTrue(n >= before.get(c), "copy " + c + " lacks acknowledged writes");
        for (int h = 0; h < 50; h++) {
          long last = -1;
          for (long i = n - 1; i >= 0 && i >= n - 50; i--) {
            if (i % 50 == h) {
              last = i;
              break;
            }
          }
          byte[] v = copy.get(b("hot/" + h));
          if (last < 0) {
            assertNull(v);
          } else {
            assertEquals("" + last, new String(v, UTF_8), "copy " + c + " hot/" + h);
          }
        }
      }
    }
  }

  /**
   * Writers go on while checkpoints are taken; a snapshot is taken at the very moment each
   * checkpoint takes its view (a test hook under the Db's mutex, where the sequence number
   * cannot move), and the writers get time to write more before the memtables are copied. Each
   * copy must read exactly as its snapshot: every key and value.
   */
  @Test
  void checkpointEqualsASnapshotTakenAtTheSameMoment() throws Exception {
    Path store = dir.resolve("s");
    List<Snapshot> taken = new ArrayList<>();
    Db[] self = new Db[1];
    TestKnobs knobs = TestKnobs.NONE.hook(point -> {
      if (point.equals("checkpoint-view-taken")) {
        taken.add(self[0].snapshot());
      } else if (point.equals("checkpoint-marker-written")) {
        try {
          Thread.sleep(20); // the writers write on, into the memtable being copied
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    AtomicBoolean stop = new AtomicBoolean();
    try (Db db = Db.open(store, small(), knobs)) {
      self[0] = db;
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int id = w;
        Thread t = new Thread(() -> {
          java.util.Random r = new java.util.Random(id);
          for (int i = 0; !stop.get(); i++) {
            String k = "k" + r.nextInt(3000);
            if (r.nextInt(10) == 0) {
              db.delete(b(k));
            } else {
              db.put(b(k), b(id + "/" + i));
            }
          }
        });
        t.start();
        writers.add(t);
      }
      try {
        for (int c = 0; c < 6; c++) {
          Thread.sleep(40);
          db.checkpoint(dir.resolve("copy" + c));
        }
      } finally {
        stop.set(true);
        for (Thread t : writers) {
          t.join();
        }
      }
      for (int c = 0; c < 6; c++) {
        try (Db copy = Db.open(dir.resolve("copy" + c), small());
            Snapshot s = taken.get(c);
            Cursor a = db.cursor(ReadOptions.builder().snapshot(s).build());
            Cursor z = copy.cursor()) {
          a.seekToFirst();
          z.seekToFirst();
          long n = 0;
          for (; a.isValid() && z.isValid(); a.next(), z.next(), n++) {
            assertArrayEquals(a.key(), z.key(), "copy " + c + " entry " + n);
            assertArrayEquals(a.value(), z.value(), "copy " + c + " entry " + n);
          }
          assertEquals(a.isValid(), z.isValid(), "copy " + c + " after " + n + " entries");
          assertTrue(n > 100, "copy " + c + " has only " + n + " entries");
          // the copy stands at the snapshot's sequence number, and holds nothing newer
          try (Snapshot now = copy.snapshot()) {
            assertEquals(s.sequence(), now.sequence(), "copy " + c);
          }
          for (int level = 0; level < 7; level++) {
            for (io.strata.lsm.internal.version.FileMetadata f
                : copy.testAccess().currentVersion().files(level)) {
              assertTrue(f.maxSequence() <= s.sequence(), "copy " + c + " table " + f);
            }
          }
        }
      }
    }
  }

  @Test
  void anInterruptedCheckpointIsRefusedAtOpen() throws IOException {
    MemFileSystem fs = new MemFileSystem();
    Options o = Options.builder().fileSystem(fs).build();
    Path store = Path.of("/store");
    Path copy = Path.of("/copy");
    TestKnobs knobs = TestKnobs.NONE.hook(point -> {
      if (point.equals("checkpoint-tables-written")) {
        throw new IllegalStateException("crash here");
      }
    });
    try (Db db = Db.open(store, o, knobs)) {
      db.put(b("a"), b("1"));
      db.flush();
      db.put(b("b"), b("2"));
      assertThrows(IllegalStateException.class, () -> db.checkpoint(copy));
    }
    CorruptionException e = assertThrows(CorruptionException.class, () -> Db.open(copy, o));
    assertTrue(e.getMessage().contains("incomplete checkpoint"), e.getMessage());
    assertThrows(CorruptionException.class, () -> Db.openReadOnly(copy, o));
  }

  @Test
  void multiGetAnswersInOrderFromOneView() {
    try (Db db = Db.open(dir.resolve("s"), small())) {
      for (int i = 0; i < 2000; i++) {
        db.put(b("k" + i), b("v" + i));
      }
      db.flush();
      db.put(b("k3"), b("mem"));
      db.delete(b("k4"));
      List<byte[]> keys = List.of(b("k1999"), b("k3"), b("none"), b("k4"), b("k0"), b("k3"));
      List<byte[]> values = db.multiGet(keys);
      assertEquals(6, values.size());
      assertEquals("v1999", new String(values.get(0), UTF_8));
      assertEquals("mem", new String(values.get(1), UTF_8));
      assertNull(values.get(2));
      assertNull(values.get(3));
      assertEquals("v0", new String(values.get(4), UTF_8));
      assertEquals("mem", new String(values.get(5), UTF_8));
      try (Snapshot s = db.snapshot()) {
        db.put(b("k0"), b("later"));
        List<byte[]> old = db.multiGet(List.of(b("k0")), ReadOptions.builder().snapshot(s).build());
        assertEquals("v0", new String(old.get(0), UTF_8));
      }
      assertThrows(NullPointerException.class, () -> db.multiGet(Arrays.asList(b("a"), null)));
      assertThrows(IllegalArgumentException.class,
          () -> db.multiGet(List.of(new byte[Db.MAX_KEY_BYTES + 1])));
    }
  }

  @Test
  void properties() {
    try (Db db = Db.open(dir.resolve("s"), small())) {
      for (int i = 0; i < 4000; i++) {
        db.put(b(String.format("k%05d", i)), new byte[50]);
      }
      db.flush();
      db.compactRange(null, null);
      db.put(b("m"), b("1"));
      String levels = db.property("strata.levels");
      assertEquals(7, levels.lines().count(), levels);
      assertTrue(levels.lines().anyMatch(l -> l.startsWith("L6 ") && !l.startsWith("L6 0 ")),
          levels);
      assertEquals("4001", db.property("strata.estimated-keys"));
      long all = Long.parseLong(db.property("strata.approximate-bytes:.."));
      long tables = db.stats().tableBytes();
      assertTrue(all > tables / 2 && all <= tables, all + " of " + tables);
      String half = HexFormat().formatHex(b("k02000"));
      long lower = Long.parseLong(db.property("strata.approximate-bytes:.." + half));
      long upper = Long.parseLong(db.property("strata.approximate-bytes:" + half + ".."));
      assertTrue(lower > all / 3 && lower < all * 2 / 3, lower + " of " + all);
      assertTrue(Math.abs(lower + upper - all) <= all / 20, lower + "+" + upper + " vs " + all);
      assertTrue(Long.parseLong(db.property("strata.memtable-bytes")) > 0);
      assertEquals("0", db.property("strata.pending-compaction-bytes"));
      assertEquals("none", db.property("strata.background-errors"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> db.property("strata.nope"));
      assertTrue(e.getMessage().contains("strata.levels"), e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> db.property("strata.approximate-bytes:zz.."));
    }
  }

  private static java.util.HexFormat HexFormat() {
    return java.util.HexFormat.of();
  }
}

package io.strata.lsm;

import io.strata.StrataException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbBasicTest {
  @TempDir Path dir;

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static String s(byte[] b) {
    return b == null ? null : new String(b, UTF_8);
  }

  static Options small() {
    return Options.builder().writeBufferSize(32 * 1024).blockSize(512).targetFileSize(16 * 1024)
        .maxBytesForLevelBase(64 * 1024).build();
  }

  @Test
  void putGetDeleteAndReopen() {
    try (Db db = Db.open(dir)) {
      assertNull(db.get(b("a")));
      db.put(b("a"), b("1"));
      db.put(b("b"), b("2"));
      db.put(b("a"), b("3"));
      db.delete(b("b"));
      assertEquals("3", s(db.get(b("a"))));
      assertNull(db.get(b("b")));
      db.put(b(""), b("empty key"));
      assertEquals("empty key", s(db.get(b(""))));
    }
    try (Db db = Db.open(dir)) {
      assertEquals("3", s(db.get(b("a"))));
      assertNull(db.get(b("b")));
      assertEquals("empty key", s(db.get(b(""))));
      db.flush();
      assertEquals(1, db.stats().levels().get(0).tables());
      assertEquals("3", s(db.get(b("a"))));
      assertNull(db.get(b("b")));
    }
    try (Db db = Db.open(dir)) {
      assertEquals("3", s(db.get(b("a"))));
      assertNull(db.get(b("b")));
    }
  }

  @Test
  void manyTablesNewestWins() {
    TreeMap<String, String> model = new TreeMap<>();
    try (Db db = Db.open(dir, small())) {
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 2000; i++) {
          String k = String.format("key%05d", (i * 7919 + round * 13) % 3000);
          String v = "v" + round + "-" + i + "-" + "x".repeat(i % 50);
          if (i % 11 == 0) {
            db.delete(b(k));
            model.remove(k);
          } else {
            db.put(b(k), b(v));
            model.put(k, v);
          }
        }
      }
      DbStats stats = db.stats();
      assertTrue(stats.tables() > 3 && stats.compactions() > 0, stats.toString());
      check(db, model);
    }
    try (Db db = Db.open(dir, small())) {
      check(db, model);
    }
  }

  private static void check(Db db, TreeMap<String, String> model) {
    for (int i = 0; i < 3000; i++) {
      String k = String.format("key%05d", i);
      assertEquals(model.get(k), s(db.get(b(k))), k);
    }
    List<String> forward = new ArrayList<>();
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        forward.add(s(c.key()) + "=" + s(c.value()));
      }
    }
    List<String> expected = new ArrayList<>();
    for (Map.Entry<String, String> e : model.entrySet()) {
      expected.add(e.getKey() + "=" + e.getValue());
    }
    assertEquals(expected, forward);
    List<String> backward = new ArrayList<>();
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      for (c.seekToLast(); c.isValid(); c.prev()) {
        backward.add(0, s(c.key()) + "=" + s(c.value()));
      }
    }
    assertEquals(expected, backward);
  }

  @Test
  void cursorBoundsSeeksAndTurningAround() {
    try (Db db = Db.open(dir, small())) {
      for (int i = 0; i < 100; i += 2) {
        db.put(b(String.format("k%03d", i)), b("v" + i));
      }
      db.flush();
      for (int i = 1; i < 100; i += 4) {
        db.put(b(String.format("k%03d", i)), b("v" + i));
      }
      db.delete(b("k010"));
      ReadOptions bounded = ReadOptions.builder().lowerBound(b("k020")).upperBound(b("k030")).build();
      try (Cursor c = db.cursor(bounded)) {
        c.seekToFirst();
        assertEquals("k020", s(c.key()));
        c.seekToLast();
        assertEquals("k029", s(c.key()));
        c.seek(b("k000"));
        assertEquals("k020", s(c.key()));
        c.seek(b("k031"));
        assertFalse(c.isValid());
        c.seekForPrev(b("k099"));
        assertEquals("k029", s(c.key()));
        c.seekForPrev(b("k019"));
        assertFalse(c.isValid());
      }
      try (Cursor c = db.cursor(ReadOptions.defaults())) {
        c.seek(b("k009"));
        assertEquals("k009", s(c.key()));
        c.next();
        assertEquals("k012", s(c.key()), "k010 deleted, k011 absent");
        c.prev();
        assertEquals("k009", s(c.key()));
        c.prev();
        assertEquals("k008", s(c.key()));
        c.next();
        c.next();
        assertEquals("k012", s(c.key()));
        c.seekForPrev(b("k011"));
        assertEquals("k009", s(c.key()));
        c.seekForPrev(b("k012"));
        assertEquals("k012", s(c.key()));
        assertEquals("v12", s(c.value()));
      }
    }
  }

  @Test
  void snapshotsSeeThePast() {
    try (Db db = Db.open(dir, small())) {
      db.put(b("a"), b("1"));
      Snapshot s1 = db.snapshot();
      db.put(b("a"), b("2"));
      db.delete(b("a"));
      db.put(b("b"), b("x"));
      ReadOptions at1 = ReadOptions.builder().snapshot(s1).build();
      assertEquals("1", s(db.get(b("a"), at1)));
      assertNull(db.get(b("b"), at1));
      db.flush();
      assertEquals("1", s(db.get(b("a"), at1)));
      assertNull(db.get(b("a")));
      try (Cursor c = db.cursor(at1)) {
        c.seekToFirst();
        assertEquals("a", s(c.key()));
        c.next();
        assertFalse(c.isValid());
      }
      s1.close();
      s1.close();
      assertThrows(IllegalStateException.class, () -> db.get(b("a"), at1));
    }
  }

  @Test
  void argumentsAreChecked() {
    try (Db db = Db.open(dir)) {
      NullPointerException npe = assertThrows(NullPointerException.class, () -> db.put(null, b("v")));
      assertTrue(npe.getMessage().contains("key"));
      npe = assertThrows(NullPointerException.class, () -> db.put(b("k"), null));
      assertTrue(npe.getMessage().contains("value"));
      IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
          () -> db.put(new byte[Db.MAX_KEY_BYTES + 1], b("v")));
      assertTrue(big.getMessage().contains("65536"), big.getMessage());
      db.put(new byte[Db.MAX_KEY_BYTES], b("largest key"));
      assertEquals("largest key", s(db.get(new byte[Db.MAX_KEY_BYTES])));
    }
  }

  @Test
  void closedDbRefusesEverythingAndCloseIsIdempotent() {
    Db db = Db.open(dir);
    Cursor c = db.cursor(ReadOptions.defaults());
    db.close();
    db.close();
    assertThrows(IllegalStateException.class, () -> db.get(b("a")));
    assertThrows(IllegalStateException.class, () -> db.put(b("a"), b("b")));
    assertThrows(IllegalStateException.class, db::flush);
    assertThrows(IllegalStateException.class, db::snapshot);
    assertThrows(IllegalStateException.class, c::seekToFirst);
  }

  @Test
  void aSecondOpenOfTheSameDirectoryFailsAtOnce() {
    Db db = Db.open(dir);
    StrataException e = assertThrows(StrataException.class, () -> Db.open(dir));
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
    db.close();
    Db.open(dir).close(); // free again
  }

  @Test
  void largeValuesAndBatches() {
    byte[] big = new byte[3 << 20];
    new java.util.Random(1).nextBytes(big);
    try (Db db = Db.open(dir, small())) {
      WriteBatch batch = new WriteBatch();
      for (int i = 0; i < 1000; i++) {
        batch.put(b("batch" + i), b("value" + i));
      }
      batch.put(b("big"), big);
      db.write(batch, WriteOptions.sync());
      db.flush();
    }
    try (Db db = Db.open(dir, small())) {
      assertArrayEquals(big, db.get(b("big")));
      assertEquals("value999", s(db.get(b("batch999"))));
    }
  }
}

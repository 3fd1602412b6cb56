package io.strata.lsm;

import io.strata.StrataException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.FaultInjectingFileSystem;
import io.strata.fs.FaultInjectingFileSystem.Fault;
import io.strata.fs.FaultInjectingFileSystem.Op;
import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Db#syncWal()}, put and delete with {@link WriteOptions}, and {@link Db#cursor()}. */
class DbConveniencesTest {
  private static final Path DIR = Path.of("/db");

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void syncWalMakesEarlierUnsyncedWritesSurviveAPowerLoss() {
    MemFileSystem mem = new MemFileSystem();
    MemFileSystem lostUnsynced;
    MemFileSystem afterSync;
    try (Db db = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      db.put(b("a"), b("1"));
      db.write(new WriteBatch().put(b("b"), b("2")).delete(b("a")), WriteOptions.defaults());
      lostUnsynced = mem.crashCopy(); // a power loss now loses both
      db.syncWal();
      afterSync = mem.crashCopy();
      db.syncWal(); // nothing new: still fine
    }
    try (Db db = Db.open(DIR, Options.builder().fileSystem(lostUnsynced).build())) {
      assertNull(db.get(b("b")), "control: unsynced writes do not survive the crash copy");
    }
    try (Db db = Db.open(DIR, Options.builder().fileSystem(afterSync).build())) {
      assertNull(db.get(b("a")), "the batch's delete survived");
      assertArrayEquals(b("2"), db.get(b("b")));
    }
  }

  @Test
  void aFailedSyncWalStopsWrites() {
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    try (Db db = Db.open(DIR, Options.builder().fileSystem(fs).build())) {
      db.put(b("a"), b("1"));
      fs.failNth(Op.SYNC, p -> p.toString().endsWith(".wal"), 1, Fault.IO_ERROR);
      StrataException e = assertThrows(StrataException.class, db::syncWal);
      assertTrue(e.getMessage().contains("reopen"), e.getMessage());
      fs.clearFaults();
      assertThrows(StrataException.class, db::syncWal, "a failed fsync is not retried");
      assertThrows(StrataException.class, () -> db.put(b("b"), b("2")));
      assertArrayEquals(b("1"), db.get(b("a")));
    }
    Db closed = Db.open(DIR, Options.builder().fileSystem(mem).build());
    closed.close();
    assertThrows(IllegalStateException.class, closed::syncWal);
  }

  @Test
  void putAndDeleteWithSyncSurviveAPowerLoss() {
    MemFileSystem mem = new MemFileSystem();
    MemFileSystem crashed;
    try (Db db = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      db.put(b("gone"), b("x"));
      db.syncWal();
      db.put(b("a"), b("1"), WriteOptions.sync());
      db.delete(b("gone"), WriteOptions.sync());
      crashed = mem.crashCopy();
      db.put(b("c"), b("3"), WriteOptions.defaults());
      db.delete(b("a"), WriteOptions.defaults());
      assertNull(db.get(b("a")));
      assertArrayEquals(b("3"), db.get(b("c")));
      assertThrows(NullPointerException.class, () -> db.put(b("k"), b("v"), null));
      assertThrows(NullPointerException.class, () -> db.delete(b("k"), null));
      assertThrows(IllegalArgumentException.class,
          () -> db.put(new byte[Db.MAX_KEY_BYTES + 1], b("v"), WriteOptions.sync()));
    }
    try (Db db = Db.open(DIR, Options.builder().fileSystem(crashed).build())) {
      assertArrayEquals(b("1"), db.get(b("a")));
      assertNull(db.get(b("gone")));
      assertNull(db.get(b("c")));
    }
  }

  @Test
  void cursorWithoutArgumentsSeesEverythingNow() {
    try (Db db = Db.open(DIR, Options.builder().fileSystem(new MemFileSystem()).build())) {
      db.put(b("b"), b("2"));
      db.put(b("a"), b("1"));
      db.flush();
      db.put(b("c"), b("3"));
      db.delete(b("b"));
      List<String> seen = new ArrayList<>();
      try (Cursor c = db.cursor()) {
        for (c.seekToFirst(); c.isValid(); c.next()) {
          seen.add(new String(c.key(), UTF_8) + "=" + new String(c.value(), UTF_8));
        }
        c.seekToLast();
        assertArrayEquals(b("c"), c.key());
      }
      assertEquals(List.of("a=1", "c=3"), seen);
      try (Cursor c = db.cursor()) {
        db.put(b("d"), b("4")); // after the cursor: not seen
        c.seekToFirst();
        int n = 0;
        for (; c.isValid(); c.next()) {
          n++;
        }
        assertEquals(2, n);
        assertFalse(c.isValid());
      }
    }
  }
}

package io.strata.lsm;

import io.strata.StrataException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.FaultInjectingFileSystem;
import io.strata.fs.FaultInjectingFileSystem.Fault;
import io.strata.fs.FaultInjectingFileSystem.Op;
import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * I/O errors: the operation that hits one fails with a clear exception, the store stays readable,
 * no later write is acknowledged, and after reopening everything acknowledged is there.
 */
class FaultTest {
  private static final Path DIR = Path.of("/db");

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void aFailedLogAppendStopsWritesButNotReads() {
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Options options = Options.builder().fileSystem(fs).build();
    try (Db db = Db.open(DIR, options)) {
      db.put(b("a"), b("1"));
      db.write(new WriteBatch().put(b("b"), b("2")), WriteOptions.sync());
      fs.failNth(Op.APPEND, p -> p.toString().endsWith(".wal"), 1, Fault.NO_SPACE);
      StrataException e = assertThrows(StrataException.class, () -> db.put(b("c"), b("3")));
      assertTrue(e.getMessage().contains("accepts no more writes until it is reopened"),
          e.getMessage());
      fs.clearFaults();
      StrataException again = assertThrows(StrataException.class, () -> db.put(b("d"), b("4")));
      assertTrue(again.getMessage().contains("reopen"), again.getMessage());
      assertArrayEquals(b("1"), db.get(b("a")), "still readable");
      assertArrayEquals(b("2"), db.get(b("b")));
    }
    try (Db db = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      assertArrayEquals(b("1"), db.get(b("a")));
      assertArrayEquals(b("2"), db.get(b("b")));
      assertNull(db.get(b("d")), "never acknowledged");
      db.put(b("e"), b("5"));
      assertArrayEquals(b("5"), db.get(b("e")));
    }
  }

  @Test
  void aFailedSyncIsReportedAndNothingLaterIsAcknowledged() {
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    try (Db db = Db.open(DIR, Options.builder().fileSystem(fs).build())) {
      db.write(new WriteBatch().put(b("a"), b("1")), WriteOptions.sync());
      fs.failNth(Op.SYNC, p -> p.toString().endsWith(".wal"), 1, Fault.IO_ERROR);
      assertThrows(StrataException.class,
          () -> db.write(new WriteBatch().put(b("b"), b("2")), WriteOptions.sync()));
      fs.clearFaults();
      assertThrows(StrataException.class,
          () -> db.write(new WriteBatch().put(b("c"), b("3")), WriteOptions.sync()));
    }
    // after a power loss, the synced write is there and the refused one is not
    try (Db db = Db.open(DIR, Options.builder().fileSystem(mem.crashCopy()).build())) {
      assertArrayEquals(b("1"), db.get(b("a")));
      assertNull(db.get(b("c")));
    }
  }

  @Test
  void aFailedFlushStopsWritesAndLosesNothing() {
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Options options = Options.builder().fileSystem(fs).build();
    try (Db db = Db.open(DIR, options)) {
      for (int i = 0; i < 100; i++) {
        db.put(b("k" + i), b("v" + i));
      }
      fs.failNth(Op.SYNC, p -> p.toString().endsWith(".sst"), 1, Fault.IO_ERROR);
      StrataException e = assertThrows(StrataException.class, db::flush);
      assertTrue(e.getMessage().contains("flush failed"), e.getMessage());
      assertThrows(StrataException.class, () -> db.put(b("x"), b("y")));
      assertArrayEquals(b("v7"), db.get(b("k7")));
      fs.clearFaults();
    }
    try (Db db = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      for (int i = 0; i < 100; i++) {
        assertArrayEquals(b("v" + i), db.get(b("k" + i)));
      }
      db.flush();
      assertEquals(1, db.stats().tables());
    }
    // no table left behind by the failed flush
    long tables = 0;
    try {
      tables = mem.list(DIR).stream().filter(n -> n.endsWith(".sst")).count();
    } catch (java.io.IOException ex) {
      throw new AssertionError(ex);
    }
    assertEquals(1, tables);
  }
}

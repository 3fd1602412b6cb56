package io.strata.lsm;

import io.strata.StrataException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.ThrowingFileSystem.Op;
import io.strata.fs.MemFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a failure midway leaves behind: an exception or an {@link Error} while a cursor, a
 * compaction, a flush or close is under way must release every table, view and lock it took.
 */
class ErrorCleanupTest {
  private static final Path DIR = Path.of("/db");

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** A store with {@code n} level-0 tables, closed; returns the file system. */
  static MemFileSystem withTables(int n) {
    MemFileSystem mem = new MemFileSystem();
    try (Db db = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      for (int i = 0; i < n; i++) {
        db.put(b("k" + i), b("v" + i));
        db.put(b("shared"), b("v" + i));
        db.flush();
      }
    }
    return mem;
  }

  static Set<String> tables(MemFileSystem mem) throws IOException {
    return mem.list(DIR).stream().filter(n -> n.endsWith(".sst")).collect(Collectors.toSet());
  }

  @Test
  void aCursorThatFailsToOpenATableReleasesTheTablesAndTheViewItTook() throws IOException {
    MemFileSystem mem = withTables(3);
    ThrowingFileSystem fs = new ThrowingFileSystem(mem);
    Db db = Db.open(DIR, Options.builder().fileSystem(fs).build());
    Set<String> before = tables(mem);
    assertEquals(3, before.size());
    fs.throwAt(Op.OPEN_FOR_READ, ".sst", 2, () -> new OutOfMemoryError("injected"));
    assertThrows(OutOfMemoryError.class, db::cursor);
    assertArrayEquals(b("v2"), db.get(b("shared")), "the store reads on");
    db.compactRange(null, null);
    db.testAccess().deleteObsoleteFilesNow();
    Set<String> after = tables(mem);
    for (String t : before) {
      assertFalse(after.contains(t), t + " is obsolete: no view may still hold it");
    }
    db.close();
    assertEquals(0, fs.openReaders(), "no table file left open");
  }

  @Test
  void aCompactionThatFailsToOpenAnInputClosesTheInputsItOpened() {
    MemFileSystem mem = withTables(3);
    ThrowingFileSystem fs = new ThrowingFileSystem(mem);
    Db db = Db.open(DIR, Options.builder().fileSystem(fs).build());
    fs.throwAt(Op.OPEN_FOR_READ, ".sst", 3, () -> new IOException("injected read failure"));
    assertThrows(StrataException.class, () -> db.compactRange(null, null));
    db.put(b("after"), b("1")); // a failed compactRange leaves the store writable
    db.close();
    assertEquals(0, fs.openReaders(), "no input table left open");
    try (Db again = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      assertArrayEquals(b("v2"), again.get(b("shared")));
      assertArrayEquals(b("1"), again.get(b("after")));
    }
  }

  @Test
  void closeReleasesTheDirectoryEvenWhenClosingTheLogThrows() {
    MemFileSystem mem = new MemFileSystem();
    ThrowingFileSystem fs = new ThrowingFileSystem(mem);
    Db db = Db.open(DIR, Options.builder().fileSystem(fs).build());
    db.put(b("a"), b("1"));
    fs.throwAt(Op.CLOSE, ".wal", 1, () -> new IllegalStateException("injected close failure"));
    RuntimeException e = assertThrows(RuntimeException.class, db::close);
    assertTrue(String.valueOf(e.getMessage()).contains("injected")
        || String.valueOf(e.getCause()).contains("injected"), String.valueOf(e));
    db.close(); // idempotent
    try (Db again = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      assertArrayEquals(b("1"), again.get(b("a")), "the lock was released; nothing lost");
    }
  }

  @Test
  void aFlushThatMeetsAnErrorLeavesNoPartialTable() throws IOException {
    MemFileSystem mem = new MemFileSystem();
    ThrowingFileSystem fs = new ThrowingFileSystem(mem);
    try (Db db = Db.open(DIR, Options.builder().fileSystem(fs).build())) {
      for (int i = 0; i < 2000; i++) {
        db.put(b("key" + i), new byte[100]);
      }
      fs.throwAt(Op.APPEND, ".sst", 2, () -> new OutOfMemoryError("injected"));
      StrataException e = assertThrows(StrataException.class, db::flush);
      assertTrue(e.getMessage().contains("flush failed"), e.getMessage());
      assertEquals(Set.of(), tables(mem), "the partial table is deleted");
      assertThrows(StrataException.class, () -> db.put(b("x"), b("y")));
      assertArrayEquals(new byte[100], db.get(b("key7")));
    }
    try (Db db = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      assertArrayEquals(new byte[100], db.get(b("key1999")));
      assertEquals(List.of(), db.verifyChecksums());
    }
  }
}

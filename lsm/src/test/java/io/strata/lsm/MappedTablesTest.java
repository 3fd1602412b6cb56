package io.strata.lsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.CorruptionException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table files read through memory mappings ({@link Options#mapTableFiles}): a mapping exists only
 * while its table is open and goes when the table's reader closes (a deleted table gives its disk
 * space back at once, not at some later garbage collection), none is made when the option is off,
 * and a table cut short under its mapping gives a {@link CorruptionException} naming the file, not
 * a crash. The mappings are seen in {@code /proc/self/maps} (Linux only).
 */
class MappedTablesTest {
  @TempDir Path dir;

  private static final Path MAPS = Path.of("/proc/self/maps");

  private static byte[] key(int i) {
    return String.format("key%08d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    return String.format("value-%08d-%s", i, "x".repeat(40 + i % 50)).getBytes(StandardCharsets.UTF_8);
  }

  private static Options options(boolean map) {
    return Options.builder().blockCacheBytes(0).writeBufferSize(256 << 10).targetFileSize(256 << 10)
        .compression(Compression.NONE).mapTableFiles(map).build();
  }

  /** Paths of this store's table files mapped into this process now. */
  private List<String> mappedTables() throws IOException {
    String prefix = dir.toRealPath().toString();
    try (Stream<String> lines = Files.lines(MAPS)) {
      return lines.filter(l -> l.contains(prefix) && l.contains(".sst"))
          .map(l -> l.substring(l.indexOf(prefix))).distinct().collect(Collectors.toList());
    }
  }

  private static void fill(Db db, int from, int to) {
    for (int i = from; i < to; i++) {
      db.put(key(i), value(i));
    }
  }

  @Test
  void compactedTablesAreUnmappedWhenTheirReadersClose() throws IOException {
    assumeTrue(Files.isReadable(MAPS), "needs /proc/self/maps");
    try (Db db = Db.open(dir, options(true))) {
      fill(db, 0, 5000);
      db.flush();
      fill(db, 5000, 10000);
      db.flush();
      for (int i = 0; i < 10000; i += 97) {
        assertArrayEquals(value(i), db.get(key(i)));
      }
      List<String> before = mappedTables();
      assertFalse(before.isEmpty(), "reads of flushed tables map them");
      for (String m : before) {
        assertFalse(m.endsWith("(deleted)"), m);
      }
      db.compactRange(null, null); // the flushed tables are replaced and deleted
      for (int i = 0; i < 10000; i += 97) {
        assertArrayEquals(value(i), db.get(key(i)));
      }
      for (String m : mappedTables()) {
        assertFalse(m.endsWith("(deleted)"), "a deleted table is still mapped: " + m);
        assertTrue(Files.exists(Path.of(m)), m);
      }
    }
    assertEquals(List.of(), mappedTables(), "tables still mapped after close");
  }

  @Test
  void noMappingsWhenTheOptionIsOff() throws IOException {
    assumeTrue(Files.isReadable(MAPS), "needs /proc/self/maps");
    try (Db db = Db.open(dir, options(false))) {
      fill(db, 0, 5000);
      db.flush();
      for (int i = 0; i < 5000; i += 13) {
        assertArrayEquals(value(i), db.get(key(i)));
      }
      assertEquals(List.of(), mappedTables());
    }
  }

  @Test
  void aTableCutShortUnderItsMappingIsReportedAsCorrupt() throws IOException {
    try (Db db = Db.open(dir, options(true))) {
      fill(db, 0, 5000);
      db.flush();
      for (int i = 0; i < 5000; i += 500) {
        assertArrayEquals(value(i), db.get(key(i))); // opens and maps every table
      }
      List<Path> tables;
      try (Stream<Path> files = Files.list(dir)) {
        tables = files.filter(p -> p.toString().endsWith(".sst")).collect(Collectors.toList());
      }
      for (Path table : tables) {
        try (FileChannel ch = FileChannel.open(table, StandardOpenOption.WRITE)) {
          ch.truncate(4096); // the later data blocks are gone from under the mapping
        }
      }
      CorruptionException e = assertThrows(CorruptionException.class, () -> {
        for (int i = 0; i < 5000; i++) {
          db.get(key(i));
        }
      });
      assertTrue(tables.contains(e.file()), e.getMessage());
      assertTrue(e.offset() >= 4096 - 4096 && e.getMessage().contains(e.file().toString()),
          e.getMessage());
      assertTrue(e.getMessage().contains("memory mapping"), e.getMessage());
    }
  }
}

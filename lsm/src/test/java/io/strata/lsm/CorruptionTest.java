package io.strata.lsm;

import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.BlockHandle;
import io.strata.lsm.internal.table.BlockIterator;
import io.strata.lsm.internal.table.Footer;
import io.strata.lsm.internal.table.TableFormat;
import io.strata.lsm.internal.table.TableReader;
import io.strata.CorruptionException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Damage to every kind of file: each read that touches a damaged byte raises a {@link
 * CorruptionException} naming the file; reads that do not touch it answer correctly; nothing ever
 * answers wrongly or misses silently.
 */
class CorruptionTest {
  private static final Path DIR = Path.of("/db");
  private static final int KEYS = 3000;

  private MemFileSystem fs;
  private Options options;
  private Path table;
  private final Random random = new Random(42);

  static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(UTF_8);
  }

  static byte[] value(int i) {
    return ("value-" + i + "-" + "abcdefgh".repeat(i % 7)).getBytes(UTF_8);
  }

  @BeforeEach
  void makeStore() throws Exception {
    fs = new MemFileSystem();
    options = Options.builder().blockSize(1024).blockCacheBytes(0).fileSystem(fs).build();
    try (Db db = Db.open(DIR, options)) {
      WriteBatch b = new WriteBatch();
      for (int i = 0; i < KEYS; i++) {
        b.put(key(i), value(i));
      }
      db.write(b, WriteOptions.sync());
      db.flush();
    }
    List<Path> tables = new ArrayList<>();
    for (String name : fs.list(DIR)) {
      if (name.endsWith(".sst")) {
        tables.add(DIR.resolve(name));
      }
    }
    assertEquals(1, tables.size());
    table = tables.get(0);
  }

  private void flip(Path file, long offset) throws Exception {
    byte[] b = fs.contents(file);
    b[(int) offset] ^= (byte) (1 << random.nextInt(8));
    fs.setContents(file, b);
  }

  private TableReader pristine() {
    return TableReader.open(fs, table, 0, new BlockCache(0));
  }

  /** Every get answers right or throws naming {@code file}; returns the keys that threw. */
  private Set<Integer> getAll(Path file) {
    Set<Integer> failed = new HashSet<>();
    try (Db db = Db.open(DIR, options)) {
      for (int i = 0; i < KEYS; i++) {
        try {
          assertArrayEquals(value(i), db.get(key(i)), "a wrong answer for key " + i);
        } catch (CorruptionException e) {
          assertEquals(file, e.file(), e.getMessage());
          failed.add(i);
        }
      }
      CorruptionException scan = null;
      try (Cursor c = db.cursor(ReadOptions.defaults())) {
        int n = 0;
        for (c.seekToFirst(); c.isValid(); c.next()) {
          assertArrayEquals(key(n), c.key());
          assertArrayEquals(value(n), c.value());
          n++;
        }
        assertEquals(KEYS, n, "a scan that does not throw must see every key");
      } catch (CorruptionException e) {
        scan = e;
      }
      assertEquals(failed.isEmpty(), scan == null, "a scan fails exactly when some get does");
    }
    return failed;
  }

  @Test
  void aDamagedDataBlockFailsExactlyTheReadsOfItsKeys() throws Exception {
    TableReader r = pristine();
    assertTrue(r.blockCount() > 20, "blocks: " + r.blockCount());
    for (int round = 0; round < 12; round++) {
      int blockIndex = random.nextInt(r.blockCount());
      BlockHandle h = r.blockHandle(blockIndex);
      Set<Integer> inBlock = new HashSet<>();
      try (BlockIterator it = new BlockIterator(r.dataBlock(blockIndex, false))) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          String k = new String(InternalKeys.userKey(it.key()), UTF_8);
          inBlock.add(Integer.parseInt(k.substring(3)));
        }
      }
      byte[] before = fs.contents(table);
      flip(table, h.offset() + random.nextInt((int) h.size() + TableFormat.BLOCK_TRAILER_BYTES));
      assertEquals(inBlock, getAll(table), "block " + blockIndex);
      fs.setContents(table, before);
    }
    r.release();
  }

  @Test
  void damageInTheIndexFilterPropertiesOrFooterFailsEveryReadOfTheTable() throws Exception {
    TableReader r = pristine();
    Footer f = r.footer();
    r.release();
    long footerAt = fs.contents(table).length - TableFormat.FOOTER_BYTES;
    List<long[]> regions = List.of(
        new long[] {f.index().offset(), f.index().size() + TableFormat.BLOCK_TRAILER_BYTES},
        new long[] {f.filter().offset(), f.filter().size() + TableFormat.BLOCK_TRAILER_BYTES},
        new long[] {f.properties().offset(), f.properties().size() + TableFormat.BLOCK_TRAILER_BYTES},
        new long[] {footerAt, TableFormat.FOOTER_BYTES});
    byte[] before = fs.contents(table);
    for (long[] region : regions) {
      for (int round = 0; round < 6; round++) {
        flip(table, region[0] + random.nextInt((int) region[1]));
        assertEquals(KEYS, getAll(table).size(), "region at " + region[0]);
        fs.setContents(table, before);
      }
    }
    // a truncated table
    fs.setContents(table, java.util.Arrays.copyOf(before, before.length - 1));
    assertEquals(KEYS, getAll(table).size());
  }

  @Test
  void damageInTheManifestCurrentOrLogFailsTheOpen() throws Exception {
    try (Db db = Db.open(DIR, options)) {
      db.put("unflushed".getBytes(UTF_8), "in the log".getBytes(UTF_8));
    }
    List<Path> files = new ArrayList<>();
    for (String name : fs.list(DIR)) {
      if (name.startsWith("MANIFEST-") || name.endsWith(".wal") || name.equals("CURRENT")) {
        files.add(DIR.resolve(name));
      }
    }
    assertEquals(3, files.size(), files.toString());
    for (Path file : files) {
      byte[] before = fs.contents(file);
      for (int round = 0; round < 20; round++) {
        flip(file, random.nextInt(before.length));
        CorruptionException e = assertThrows(CorruptionException.class,
            () -> Db.open(DIR, options).close(), file + " round " + round);
        assertEquals(file.getFileName().toString().equals("CURRENT") ? file : file, e.file(),
            e.getMessage());
        fs.setContents(file, before);
      }
    }
    try (Db db = Db.open(DIR, options)) {
      assertArrayEquals("in the log".getBytes(UTF_8), db.get("unflushed".getBytes(UTF_8)));
    }
  }

  /**
   * A power cut while a new store is being created can leave its first manifest without CURRENT
   * (found by the whole-stack power-loss campaign): no write was ever accepted, so the store
   * opens empty. A store that lost CURRENT while holding data (tables or log segments) is refused.
   */
  @Test
  void aStoreCutOffBeforeItsFirstCurrentOpensEmptyButOneHoldingDataIsRefused() throws Exception {
    MemFileSystem fresh = new MemFileSystem();
    Path dir = Path.of("/new");
    fresh.createDirectories(dir);
    fresh.setContents(dir.resolve("MANIFEST-000002"), fs.contents(DIR.resolve(
        fs.list(DIR).stream().filter(n -> n.startsWith("MANIFEST-")).findFirst().orElseThrow())));
    fresh.setContents(dir.resolve("000002.tmp"), new byte[0]);
    Options o = options.toBuilder().fileSystem(fresh).build();
    try (Db db = Db.open(dir, o)) {
      assertEquals(null, db.get(key(1)), "the leftover manifest is not the store's");
      db.put(key(1), value(1));
    }
    try (Db db = Db.open(dir, o)) {
      assertArrayEquals(value(1), db.get(key(1)));
    }
    assertTrue(fresh.list(dir).stream().noneMatch(n -> n.equals("MANIFEST-000002")
        || n.endsWith(".tmp")), fresh.list(dir).toString());

    fs.delete(DIR.resolve("CURRENT"));
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Db.open(DIR, options).close());
    assertTrue(e.getMessage().contains("CURRENT is missing"), e.getMessage());
  }

  /**
   * A manifest cut short (damage, not a crash: its lost records had been acted on) reads like a
   * store rolled back to an older version. Found by the whole-stack damage campaign: such an open
   * used to succeed and delete every newer table as obsolete. Now the old version's missing
   * tables, or the missing log segment it names, refuse the open, and a refused open deletes
   * nothing.
   */
  @Test
  void aManifestCutShortIsRefusedAndTheRefusedOpenDeletesNothing() throws Exception {
    try (Db db = Db.open(DIR, options)) {
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 200; i++) {
          db.put(key(i), value(i + round));
        }
        db.flush();
        db.compactRange(null, null);
      }
    }
    Path manifest = DIR.resolve(fs.list(DIR).stream().filter(n -> n.startsWith("MANIFEST-"))
        .findFirst().orElseThrow());
    byte[] whole = fs.contents(manifest);
    List<String> before = fs.list(DIR);
    for (int cut : new int[] {whole.length / 4, whole.length / 2, whole.length - 20}) {
      for (int attempt = 0; attempt < 20; attempt++) { // a deletion would race the refusal
        fs.setContents(manifest, java.util.Arrays.copyOf(whole, cut));
        CorruptionException e = assertThrows(CorruptionException.class,
            () -> Db.open(DIR, options).close(), "manifest cut at " + cut);
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        Thread.sleep(1);
        assertEquals(before, fs.list(DIR), "a refused open deleted files");
      }
    }
    fs.setContents(manifest, whole);
    try (Db db = Db.open(DIR, options)) {
      assertArrayEquals(value(7 + 3), db.get(key(7)));
    }
  }

  @Test
  void aMissingLogSegmentThatLaterOnesFollowRefusesTheOpen() throws Exception {
    try (Db db = Db.open(DIR, options)) {
      db.put(key(1), "in the log".getBytes(UTF_8));
    }
    try (Db db = Db.open(DIR, options)) { // the first segment is flushed and deleted here
      db.put(key(2), "in the next log".getBytes(UTF_8));
    }
    List<String> logs = fs.list(DIR).stream().filter(n -> n.endsWith(".wal")).toList();
    assertEquals(1, logs.size(), logs.toString());
    Path log = DIR.resolve(logs.get(0));
    long number = Long.parseLong(logs.get(0).substring(0, 6));
    fs.setContents(DIR.resolve(String.format("%06d.wal", number + 1)), fs.contents(log));
    fs.delete(log);
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Db.open(DIR, options).close());
    assertEquals(log, e.file());
    assertTrue(e.getMessage().contains("is missing, but segment " + (number + 1) + " exists"),
        e.getMessage());
  }

  /**
   * A log whose every record is valid but one batch is gone from the middle (a log file cut at a
   * record boundary that was not the last, say): the sequence numbers show the hole.
   */
  @Test
  void aLogMissingABatchBetweenValidOnesRefusesTheOpen() throws Exception {
    try (Db db = Db.open(DIR, options)) {
      for (int i = 0; i < 3; i++) {
        db.put(("gap" + i).getBytes(UTF_8), value(i));
      }
    }
    String name = fs.list(DIR).stream().filter(n -> n.endsWith(".wal")).findFirst().orElseThrow();
    Path log = DIR.resolve(name);
    long number = Long.parseLong(name.substring(0, 6));
    List<byte[]> records = new ArrayList<>();
    io.strata.wal.Wal.replay(fs, DIR, number, io.strata.wal.RecoveryMode.STRICT,
        (p, r) -> records.add(r));
    assertEquals(3, records.size());
    fs.delete(log);
    try (io.strata.wal.LogWriter w = io.strata.wal.LogWriter.create(fs, log, number)) {
      w.append(records.get(0));
      w.append(records.get(2));
      w.sync();
    }
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Db.open(DIR, options).close());
    assertEquals(log, e.file());
    assertTrue(e.getMessage().contains("lost the records between them"), e.getMessage());
  }

  @Test
  void aMissingTableRefusesTheOpenNamingIt() throws Exception {
    byte[] whole = fs.contents(table);
    fs.delete(table);
    CorruptionException gone = assertThrows(CorruptionException.class,
        () -> Db.open(DIR, options).close());
    assertEquals(table, gone.file());
    assertTrue(gone.getMessage().contains("is missing"), gone.getMessage());
    fs.setContents(table, whole);
    try (Db db = Db.open(DIR, options)) {
      assertArrayEquals(value(5), db.get(key(5)));
    }
  }

  @Test
  void verifyChecksumsFindsEveryDamagedBlockAndNothingOnAHealthyStore() throws Exception {
    try (Db db = Db.open(DIR, options)) {
      assertEquals(List.of(), db.verifyChecksums(), "a healthy store");
    }
    TableReader t = pristine();
    long dataEnd;
    try {
      assertTrue(t.blockCount() > 10, "the table has many data blocks: " + t.blockCount());
      dataEnd = t.dataEnd();
    } finally {
      t.release();
    }
    // damage three places inside the first half of the file (data blocks only)
    flip(table, 100);
    flip(table, dataEnd / 2);
    flip(table, dataEnd - 200);
    try (Db db = Db.open(DIR, options)) {
      List<CorruptionException> problems = db.verifyChecksums();
      assertEquals(3, problems.size(), "each damaged block reported once: " + problems);
      for (CorruptionException e : problems) {
        assertEquals(table, e.file(), e.getMessage());
        assertTrue(e.offset() < dataEnd, e.getMessage());
      }
    }
    // a table cut short is one problem naming it
    byte[] b = fs.contents(table);
    fs.setContents(table, java.util.Arrays.copyOf(b, b.length - 10));
    try (Db db = Db.open(DIR, options)) {
      List<CorruptionException> problems = db.verifyChecksums();
      assertEquals(1, problems.size(), problems.toString());
      assertEquals(table, problems.get(0).file());
    }
  }
}

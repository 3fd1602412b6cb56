package io.strata.lsm;

import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.TableBuilder;
import io.strata.lsm.internal.table.TableFormat;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every table the store writes can be read back: the block limit the reader enforces is the one
 * the builder keeps (a data block cut early, an index partitioned level upon level, a filter left
 * out), and what would not fit any block is refused before it is acknowledged. A small configured
 * limit stands in for the real 257 MiB one, so that no test needs GiB-sized values.
 */
class TableLimitsTest {
  private static final Path DIR = Path.of("/db");

  static byte[] key(int i, int length) {
    byte[] k = new byte[length];
    byte[] digits = String.format("%08d", i).getBytes(StandardCharsets.US_ASCII);
    // a long shared prefix then the number: full index keys cannot be shortened
    java.util.Arrays.fill(k, (byte) 'k');
    System.arraycopy(digits, 0, k, length - digits.length, digits.length);
    return k;
  }

  static byte[] random(Random r, int length) {
    byte[] b = new byte[length];
    r.nextBytes(b);
    return b;
  }

  /** Every key readable by get, by a cursor forward and backward, and by seek. */
  static void assertHolds(Db db, TreeMap<String, byte[]> model) {
    for (var e : model.entrySet()) {
      assertArrayEquals(e.getValue(), db.get(e.getKey().getBytes(StandardCharsets.ISO_8859_1)),
          "get of a key of " + e.getKey().length() + " bytes");
    }
    List<String> forward = new ArrayList<>();
    try (Cursor c = db.cursor()) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        forward.add(new String(c.key(), StandardCharsets.ISO_8859_1));
        assertArrayEquals(model.get(forward.get(forward.size() - 1)), c.value());
      }
      assertEquals(new ArrayList<>(model.keySet()), forward);
      int n = 0;
      for (c.seekToLast(); c.isValid(); c.prev()) {
        n++;
      }
      assertEquals(model.size(), n);
      String middle = forward.get(forward.size() / 2);
      c.seek(middle.getBytes(StandardCharsets.ISO_8859_1));
      assertArrayEquals(middle.getBytes(StandardCharsets.ISO_8859_1), c.key());
    }
    assertEquals(List.of(), db.verifyChecksums());
  }

  static List<TableReader> tables(Db db, MemFileSystem fs, int limit) {
    List<TableReader> out = new ArrayList<>();
    Version v = db.testAccess().acquireCurrentVersion();
    try {
      for (int level = 0; level < VersionEdit.LEVELS; level++) {
        for (FileMetadata f : v.files(level)) {
          out.add(TableReader.open(fs, FileNames.table(DIR, f.number()), f.number(),
              new BlockCache(0), limit));
        }
      }
    } finally {
      v.release();
    }
    return out;
  }

  @Test
  void aDataBlockIsCutBeforeAnEntryWouldTakeItPastTheLimit() {
    int limit = 64 << 10;
    MemFileSystem fs = new MemFileSystem();
    // 1 MiB blocks of incompressible 20 KiB values: one block would be 16 times the limit
    TestKnobs knobs = TestKnobs.NONE.maxBlockBytes(limit);
    Options options = Options.builder().fileSystem(fs).blockSize(1 << 20)
        .writeBufferSize(4 << 20).build();
    Random r = new Random(1);
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (Db db = Db.open(DIR, options, knobs)) {
      for (int i = 0; i < 60; i++) {
        byte[] k = key(i, 16);
        byte[] v = random(r, i == 7 ? knobs.maxValueBytes() : 20 << 10);
        db.put(k, v);
        model.put(new String(k, StandardCharsets.ISO_8859_1), v);
      }
      db.flush();
      assertHolds(db, model);
      for (TableReader t : tables(db, fs, limit)) {
        assertTrue(t.blockCount() >= 20, "cut into blocks under the limit: " + t.blockCount());
        for (int i = 0; i < t.blockCount(); i++) {
          assertTrue(t.blockHandle(i).size() <= limit);
        }
        t.release();
      }
      db.compactRange(null, null); // compaction writes through the same builder
      assertHolds(db, model);
    }
    try (Db db = Db.open(DIR, options, knobs)) {
      assertHolds(db, model);
    }
  }

  @Test
  void anIndexTooLargeForOneBlockIsPartitionedAndReadsBack() {
    int limit = 16 << 10;
    MemFileSystem fs = new MemFileSystem();
    TestKnobs knobs = TestKnobs.NONE.maxBlockBytes(limit);
    Options options = Options.builder().fileSystem(fs).blockSize(256)
        .writeBufferSize(8 << 20).targetFileSize(8 << 20).build();
    int keyLength = knobs.maxKeyBytes();
    assertTrue(keyLength > 3000 && keyLength < 4096, "a quarter of the limit: " + keyLength);
    Random r = new Random(2);
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (Db db = Db.open(DIR, options, knobs)) {
      // every data block holds one entry, so the index holds every (long) key whole
      for (int i = 0; i < 400; i++) {
        byte[] k = key(i * 7 % 400, keyLength);
        byte[] v = random(r, r.nextInt(40));
        db.put(k, v);
        model.put(new String(k, StandardCharsets.ISO_8859_1), v);
      }
      db.flush();
      List<TableReader> ts = tables(db, fs, limit);
      assertEquals(1, ts.size());
      TableReader t = ts.get(0);
      assertEquals(400, t.blockCount());
      assertTrue(t.properties().indexLevels() >= 3, "levels: " + t.properties().indexLevels());
      assertEquals(TableFormat.FORMAT_VERSION_PARTITIONED_INDEX, t.footer().version());
      assertTrue(t.properties().indexBytes() > 10L * limit, "an index of many blocks");
      t.release();
      assertHolds(db, model);
      db.compactRange(null, null);
      assertHolds(db, model);
    }
    try (Db db = Db.open(DIR, options, knobs)) {
      assertHolds(db, model);
    }
  }

  @Test
  void aSmallIndexKeepsTheOriginalFormat() {
    MemFileSystem fs = new MemFileSystem();
    try (Db db = Db.open(DIR, Options.builder().fileSystem(fs).build())) {
      for (int i = 0; i < 1000; i++) {
        db.put(key(i, 20), new byte[100]);
      }
      db.flush();
      TableReader t = tables(db, fs, TableFormat.MAX_BLOCK_BYTES).get(0);
      assertEquals(1, t.properties().indexLevels());
      assertEquals(TableFormat.FORMAT_VERSION, t.footer().version());
      t.release();
    }
  }

  @Test
  void aBloomFilterTooLargeForABlockIsLeftOutAndReadsStayRight() {
    int limit = TableFormat.MIN_BLOCK_LIMIT;
    MemFileSystem fs = new MemFileSystem();
    // 64 bits a key: 8 bytes each, so a 4 KiB filter holds about 500 keys; the table has 3000
    TestKnobs knobs = TestKnobs.NONE.maxBlockBytes(limit);
    Options options = Options.builder().fileSystem(fs).bloomBitsPerKey(64)
        .build();
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (Db db = Db.open(DIR, options, knobs)) {
      for (int i = 0; i < 3000; i += 1) {
        byte[] k = key(i * 2, 12);
        db.put(k, new byte[] {(byte) i});
        model.put(new String(k, StandardCharsets.ISO_8859_1), new byte[] {(byte) i});
      }
      db.flush();
      TableReader t = tables(db, fs, limit).get(0);
      assertEquals(0, t.footer().filter().size(), "no filter");
      assertEquals(0, t.properties().filterBytes());
      t.release();
      assertNull(db.get(key(1, 12)), "absent keys are still absent");
      assertHolds(db, model);
    }
    try (Db db = Db.open(DIR, options, knobs)) {
      assertHolds(db, model);
    }
  }

  @Test
  void whatFitsNoBlockIsRefusedBeforeItIsAcknowledged() {
    MemFileSystem fs = new MemFileSystem();
    TestKnobs knobs = TestKnobs.NONE.maxBlockBytes(16 << 10);
    Options options = Options.builder().fileSystem(fs).build();
    try (Db db = Db.open(DIR, options, knobs)) {
      byte[] longKey = new byte[knobs.maxKeyBytes() + 1];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> db.put(longKey, new byte[1]));
      assertTrue(e.getMessage().contains("limit of " + knobs.maxKeyBytes()), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> db.delete(longKey));
      byte[] longValue = new byte[knobs.maxValueBytes() + 1];
      e = assertThrows(IllegalArgumentException.class,
          () -> db.write(new WriteBatch().put(new byte[] {1}, new byte[1]).put(new byte[] {2},
              longValue), WriteOptions.defaults()));
      assertTrue(e.getMessage().contains("limit of " + knobs.maxValueBytes()), e.getMessage());
      assertNull(db.get(new byte[] {1}), "nothing of the refused batch was written");
      db.put(new byte[knobs.maxKeyBytes()], new byte[knobs.maxValueBytes()]);
      db.flush();
      assertEquals(knobs.maxValueBytes(), db.get(new byte[knobs.maxKeyBytes()]).length);
    }
  }

  @Test
  void aBlockLz4CompressesAsFarAsItCanIsStillAcceptedByTheReader() {
    // the reader refuses LZ4 data claiming more than 255 times its size plus 16 bytes: the most a
    // run of zeros can compress must stay inside that bound
    MemFileSystem fs = new MemFileSystem();
    Options options = Options.builder().fileSystem(fs).compression(Compression.LZ4).build();
    try (Db db = Db.open(DIR, options)) {
      for (int size : new int[] {65, 4096, 1 << 20, 8 << 20}) {
        db.put(key(size, 10), new byte[size]);
      }
      db.flush();
      TableReader t = tables(db, fs, TableFormat.MAX_BLOCK_BYTES).get(0);
      assertTrue(t.properties().dataBytes() < (100 << 10), "compressed: "
          + t.properties().dataBytes());
      t.release();
      for (int size : new int[] {65, 4096, 1 << 20, 8 << 20}) {
        assertArrayEquals(new byte[size], db.get(key(size, 10)));
      }
      assertEquals(List.of(), db.verifyChecksums());
    }
  }

  @Test
  void theDefaultLimitTakesTheLargestKeyAndValueTheStoreAccepts() {
    assertEquals(Db.MAX_KEY_BYTES, TableFormat.maxKeyBytes(TableFormat.MAX_BLOCK_BYTES));
    assertEquals(Db.MAX_VALUE_BYTES, TableFormat.maxValueBytes(TableFormat.MAX_BLOCK_BYTES));
    assertTrue(TableFormat.BLOCK_OVERHEAD + TableFormat.entryBytes(
        Db.MAX_KEY_BYTES + InternalKeys.TRAILER_BYTES, Db.MAX_VALUE_BYTES)
        <= TableFormat.MAX_BLOCK_BYTES);
    assertEquals(Db.MAX_KEY_BYTES, TestKnobs.NONE.maxKeyBytes());
    assertEquals(Db.MAX_VALUE_BYTES, TestKnobs.NONE.maxValueBytes());
    assertThrows(IllegalArgumentException.class,
        () -> TestKnobs.NONE.maxBlockBytes(TableFormat.MIN_BLOCK_LIMIT - 1));
  }

  @Test
  void theBuilderRefusesAnEntryNoBlockCanHold() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    TestKnobs knobs = TestKnobs.NONE.maxBlockBytes(8 << 10);
    Options options = Options.builder().fileSystem(fs).build();
    fs.createDirectories(DIR);
    try (var out = fs.create(DIR.resolve("t.sst"))) {
      TableBuilder b = new TableBuilder(out, knobs.tableOptions(options));
      byte[] ikey = InternalKeys.encode(new byte[] {1}, 1, InternalKeys.KIND_PUT);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> b.add(ikey, new byte[8 << 10]));
      assertTrue(e.getMessage().contains("block limit of " + (8 << 10)), e.getMessage());
    }
  }
}

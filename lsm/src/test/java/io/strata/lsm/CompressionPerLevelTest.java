package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.FileSystem;
import io.strata.fs.MemFileSystem;
import io.strata.fs.ReadableFile;
import io.strata.lsm.internal.compaction.CompactionPicker;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.BlockHandle;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Options.Builder#compressionPerLevel}: flushes and compaction outputs write their data
 * blocks with the compression of their level (read back from the block trailers), data reads
 * back across levels of mixed compression, and bad settings are refused.
 */
class CompressionPerLevelTest {
  private static final Path DIR = Path.of("/db");
  private static final Compression NONE = Compression.NONE;
  private static final Compression LZ4 = Compression.LZ4;

  static byte[] k(int i) {
    return String.format("key%07d", i).getBytes(UTF_8);
  }

  /** 100 bytes: a random-looking half LZ4 cannot shrink and a half it can. */
  static byte[] v(int i, int round) {
    StringBuilder s = new StringBuilder(100);
    long x = i * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L;
    while (s.length() < 50) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      s.append(Long.toHexString(x >>> 8));
    }
    s.setLength(50);
    s.append("r").append(round).append("-".repeat(49 - Integer.toString(round).length()));
    return s.toString().getBytes(UTF_8);
  }

  /** The compression types of the data blocks of table {@code f}, read from their trailers. */
  static Set<Compression> blockTypes(FileSystem fs, FileMetadata f) throws IOException {
    Path path = FileNames.table(DIR, f.number());
    TableReader t = TableReader.open(fs, path, f.number(), new BlockCache(0));
    Set<Compression> types = EnumSet.noneOf(Compression.class);
    try (ReadableFile file = fs.openForRead(path)) {
      for (int i = 0; i < t.blockCount(); i++) {
        BlockHandle h = t.blockHandle(i);
        ByteBuffer type = ByteBuffer.allocate(1);
        file.readFully(h.offset() + h.size(), type);
        types.add(switch (type.get(0)) {
          case 0 -> NONE;
          case 1 -> LZ4;
          default -> throw new AssertionError("type " + type.get(0) + " in " + path);
        });
      }
    } finally {
      t.release();
    }
    return types;
  }

  static Set<Compression> levelTypes(Db db, FileSystem fs, int level) throws IOException {
    Set<Compression> types = EnumSet.noneOf(Compression.class);
    for (FileMetadata f : db.testAccess().currentVersion().files(level)) {
      types.addAll(blockTypes(fs, f));
    }
    return types;
  }

  static Options.Builder small(FileSystem fs) {
    return Options.builder().fileSystem(fs).writeBufferSize(64 << 10).targetFileSize(32 << 10)
        .blockSize(1024).maxBytesForLevelBase(16 << 10);
  }

  @Test
  void flushWritesLevel0WithEntryZero() throws IOException {
    for (List<Compression> perLevel : List.of(List.of(NONE, LZ4), List.of(LZ4, NONE))) {
      MemFileSystem fs = new MemFileSystem();
      Options o = small(fs).compression(perLevel.get(1)).compressionPerLevel(perLevel)
          .level0CompactionTrigger(100).level0SlowdownTrigger(100).level0StopTrigger(101)
          .build();
      try (Db db = Db.open(DIR, o)) {
        for (int i = 0; i < 3000; i++) {
          db.put(k(i), v(i, 0));
        }
        db.flush();
        assertFalse(db.testAccess().currentVersion().files(0).isEmpty());
        assertEquals(EnumSet.of(perLevel.get(0)), levelTypes(db, fs, 0), perLevel.toString());
      }
    }
  }

  @Test
  void manualCompactionIntoTheBaseLevelUsesEntryOne() throws IOException {
    MemFileSystem fs = new MemFileSystem();
    // base level L6 while L6 is empty: the compaction's output is depth 1
    Options o = small(fs).compressionPerLevel(List.of(LZ4, NONE, LZ4))
        .level0CompactionTrigger(100).level0SlowdownTrigger(100).level0StopTrigger(101).build();
    try (Db db = Db.open(DIR, o)) {
      for (int i = 0; i < 3000; i++) {
        db.put(k(i), v(i, 0));
      }
      db.flush();
      assertEquals(EnumSet.of(LZ4), levelTypes(db, fs, 0));
      db.compactRange(null, null);
      assertTrue(db.testAccess().currentVersion().files(0).isEmpty());
      assertEquals(EnumSet.of(NONE), levelTypes(db, fs, Db.LAST_LEVEL));
      // the next manual compaction sees a base level above L6: L6 is depth >= 2, compressed
      db.put(k(0), v(0, 1));
      db.compactRange(null, null);
      assertEquals(EnumSet.of(LZ4), levelTypes(db, fs, Db.LAST_LEVEL));
      for (int i = 0; i < 3000; i++) {
        assertArrayEquals(v(i, i == 0 ? 1 : 0), db.get(k(i)), "key " + i);
      }
    }
  }

  @Test
  void backgroundCompactionsCompressByDepthBelowTheBaseLevel() throws IOException {
    MemFileSystem fs = new MemFileSystem();
    // phase 1: about 1 MiB in L6, so the base level becomes L4 (targets L5 ~100 KiB, L4 ~10 KiB)
    Options first = small(fs).compressionPerLevel(List.of(NONE, NONE, LZ4))
        .level0CompactionTrigger(100).level0SlowdownTrigger(100).level0StopTrigger(101).build();
    int n = 10_000;
    try (Db db = Db.open(DIR, first)) {
      for (int i = 0; i < n; i++) {
        db.put(k(i), v(i, 0));
      }
      db.compactRange(null, null);
    }
    // phase 2: overwrites flushed and compacted in the background through L4 and L5 into L6
    Options second = small(fs).compressionPerLevel(List.of(NONE, NONE, LZ4)).build();
    try (Db db = Db.open(DIR, second)) {
      for (int round = 1; round <= 3; round++) {
        for (int i = round; i < n; i += 7) {
          db.put(k(i), v(i, round));
        }
        db.flush();
        db.waitForCompactions();
      }
      Version v = db.testAccess().currentVersion();
      int base = new CompactionPicker(Options.defaults().toBuilder().maxBytesForLevelBase(16 << 10)
          .build().compactionOptions()).targets(v).baseLevel();
      assertEquals(4, base, "the base level this test is built around");
      assertTrue(v.files(0).size() < 4, "level 0 compacted");
      assertFalse(v.files(base).isEmpty() && v.files(base + 1).isEmpty(),
          "compactions wrote into the base level and the one below it");
      if (!v.files(base).isEmpty()) {
        assertEquals(EnumSet.of(NONE), levelTypes(db, fs, base), "base level, depth 1");
      }
      if (!v.files(base + 1).isEmpty()) {
        assertEquals(EnumSet.of(LZ4), levelTypes(db, fs, base + 1), "below the base, depth 2");
      }
      // levels with mixed compression answer like a model
      for (int i = 0; i < n; i++) {
        int round = 0;
        for (int r = 1; r <= 3; r++) {
          if (i >= r && (i - r) % 7 == 0) {
            round = r;
          }
        }
        assertArrayEquals(v(i, round), db.get(k(i)), "key " + i);
      }
      try (Cursor c = db.cursor()) {
        int count = 0;
        for (c.seekToFirst(); c.isValid(); c.next()) {
          count++;
        }
        assertEquals(n, count);
      }
      assertTrue(db.verifyChecksums().isEmpty());
    }
  }

  @Test
  void optionsResolveDepths() {
    Options plain = Options.builder().compression(NONE).build();
    for (int depth = 0; depth < VersionEdit.LEVELS; depth++) {
      assertEquals(NONE, plain.compressionAtDepth(depth));
    }
    Options o = Options.builder().compressionPerLevel(List.of(NONE, NONE, LZ4)).build();
    List<Compression> byDepth = new ArrayList<>();
    for (int depth = 0; depth < VersionEdit.LEVELS; depth++) {
      byDepth.add(o.compressionAtDepth(depth));
    }
    assertEquals(List.of(NONE, NONE, LZ4, LZ4, LZ4, LZ4, LZ4), byDepth);
    assertEquals(List.of(NONE, NONE, LZ4), o.toBuilder().build().compressionPerLevel());
    assertEquals(List.of(), o.toBuilder().compressionPerLevel(List.of()).build()
        .compressionPerLevel());
    assertEquals(LZ4, Options.defaults().compressionAtDepth(0));
    var c = o.compactionOptions();
    assertEquals(NONE, c.compressionFor(0, 6));
    assertEquals(NONE, c.compressionFor(6, 6), "base level L6: depth 1");
    assertEquals(LZ4, c.compressionFor(6, 5), "below the base: depth 2");
    assertEquals(NONE, c.compressionFor(2, 4), "above the base level: as the base");
    assertEquals(NONE, c.compressionFor(4, 4));
    assertEquals(LZ4, c.compressionFor(5, 4));
    assertEquals(LZ4, c.compressionFor(6, 1));
  }

  @Test
  void badSettingsAreRefused() {
    Options.Builder b = Options.builder();
    NullPointerException nullList =
        assertThrows(NullPointerException.class, () -> b.compressionPerLevel(null));
    assertEquals("compressionPerLevel", nullList.getMessage());
    NullPointerException nullEntry = assertThrows(NullPointerException.class,
        () -> b.compressionPerLevel(Arrays.asList(NONE, null, LZ4)));
    assertEquals("compressionPerLevel[1] is null", nullEntry.getMessage());
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> b.compressionPerLevel(List.of(NONE, NONE, NONE, NONE, NONE, NONE, NONE, LZ4)));
    assertEquals("compressionPerLevel must have at most 7 entries (one per level), had 8",
        tooMany.getMessage());
    assertEquals(List.of(), b.build().compressionPerLevel(), "a refused list leaves none set");
    IllegalArgumentException depth = assertThrows(IllegalArgumentException.class,
        () -> Options.defaults().compressionAtDepth(7));
    assertEquals("depth must be 0..6, was 7", depth.getMessage());
  }
}

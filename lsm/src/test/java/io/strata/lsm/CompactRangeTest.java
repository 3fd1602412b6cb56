package io.strata.lsm;

import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.VersionEdit;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CompactRangeTest {
  private static final Path DIR = Path.of("/db");

  static byte[] k(int i) {
    return String.format("key%05d", i).getBytes(UTF_8);
  }

  static byte[] v(int i, int round) {
    // 40 bytes that LZ4 cannot shrink much, so 1,500 entries need several 16 KiB tables
    return ("v" + i + "." + round + ":" + Long.toHexString(i * 0x9E3779B97F4A7C15L + round)
        + Integer.toHexString(i * 31 + round * 7919)).getBytes(UTF_8);
  }

  private static long entries(Db db) {
    long n = 0;
    for (int level = 0; level < VersionEdit.LEVELS; level++) {
      for (FileMetadata f : db.testAccess().currentVersion().files(level)) {
        n += f.entries();
      }
    }
    return n;
  }

  @Test
  void dropsOverwrittenAndDeletedVersionsNoSnapshotNeeds() {
    MemFileSystem fs = new MemFileSystem();
    Options options = Options.builder().writeBufferSize(16 * 1024).targetFileSize(16 * 1024)
        .blockSize(512).fileSystem(fs)
        // no background compaction: this test counts what compactRange alone drops
        .level0CompactionTrigger(999).level0SlowdownTrigger(999).level0StopTrigger(1000)
        .build();
    try (Db db = Db.open(DIR, options)) {
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 1000; i++) {
          db.put(k(i), v(i, round));
        }
      }
      Snapshot before = db.snapshot();
      for (int i = 0; i < 1000; i += 2) {
        db.delete(k(i));
      }
      db.flush();
      assertTrue(entries(db) >= 3500, "every version flushed: " + entries(db));
      db.compactRange(null, null);
      // live: 500 keys; the snapshot still needs the last value of each deleted key
      assertEquals(1500, entries(db), "500 live values + 500 deletions and their old values");
      assertTrue(db.testAccess().currentVersion().files(0).isEmpty());
      assertTrue(db.testAccess().currentVersion().files(Db.LAST_LEVEL).size() > 1,
          "outputs cut at 16 KiB");
      ReadOptions old = ReadOptions.builder().snapshot(before).build();
      for (int i = 0; i < 1000; i++) {
        assertArrayEquals(v(i, 2), db.get(k(i), old), "snapshot read " + i);
        if (i % 2 == 0) {
          assertNull(db.get(k(i)));
        } else {
          assertArrayEquals(v(i, 2), db.get(k(i)));
        }
      }
      before.close();
      db.compactRange(null, null);
      assertEquals(500, entries(db), "with no snapshot only the live values remain");
      long files = 0;
      try {
        files = fs.list(DIR).stream().filter(n -> n.endsWith(".sst")).count();
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      assertEquals(db.testAccess().currentVersion().files(Db.LAST_LEVEL).size(), files,
          "the inputs were deleted");
    }
    try (Db db = Db.open(DIR, options)) {
      assertEquals(500, entries(db));
      assertArrayEquals(v(1, 2), db.get(k(1)));
      assertNull(db.get(k(0)));
    }
  }

  @Test
  void theListenerHearsOfEveryFlushAndCompaction() {
    java.util.List<EventListener.FlushInfo> flushes =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.List<EventListener.CompactionInfo> compactions = new java.util.ArrayList<>();
    EventListener listener = new EventListener() {
      @Override
      public void onFlushCompleted(FlushInfo info) {
        flushes.add(info);
      }

      @Override
      public void onCompactionCompleted(CompactionInfo info) {
        compactions.add(info);
        throw new IllegalStateException("a failing listener must not break the store");
      }
    };
    Options options = Options.builder().fileSystem(new MemFileSystem()).listener(listener).build();
    try (Db db = Db.open(DIR, options)) {
      for (int i = 0; i < 100; i++) {
        db.put(k(i), v(i, 0));
      }
      db.flush();
      db.put(k(0), v(0, 1));
      db.flush();
      assertEquals(2, flushes.size());
      assertEquals(100, flushes.get(0).entries());
      assertEquals(0, flushes.get(0).output().level());
      db.compactRange(null, null);
      assertEquals(1, compactions.size());
      EventListener.CompactionInfo c = compactions.get(0);
      assertEquals(Db.LAST_LEVEL, c.outputLevel());
      assertEquals(java.util.Set.of(flushes.get(0).output().fileNumber(),
              flushes.get(1).output().fileNumber()),
          c.inputs().stream().map(EventListener.TableInfo::fileNumber)
              .collect(java.util.stream.Collectors.toSet()));
      assertEquals(db.testAccess().currentVersion().files(Db.LAST_LEVEL).get(0).number(),
          c.outputs().get(0).fileNumber());
      assertTrue(c.bytesRead() > 0 && c.bytesWritten() > 0);
      assertEquals(c.bytesWritten(), db.stats().compactionBytesWritten());
      assertArrayEquals(v(0, 1), db.get(k(0)));
    }
  }

  @Test
  void aPartialRangeCompactsOnlyWhatOverlapsIt() {
    MemFileSystem fs = new MemFileSystem();
    Options options = Options.builder().fileSystem(fs).build();
    try (Db db = Db.open(DIR, options)) {
      for (int i = 0; i < 100; i++) {
        db.put(k(i), v(i, 0));
      }
      db.flush();
      for (int i = 500; i < 600; i++) {
        db.put(k(i), v(i, 0));
      }
      db.flush();
      assertEquals(2, db.testAccess().currentVersion().files(0).size());
      db.compactRange(k(550), k(560));
      assertEquals(1, db.testAccess().currentVersion().files(0).size(),
          "the table of keys 0..99 stays");
      assertEquals(1, db.testAccess().currentVersion().files(Db.LAST_LEVEL).size());
      db.compactRange(k(0), null);
      assertEquals(0, db.testAccess().currentVersion().files(0).size());
      for (int i = 0; i < 600; i++) {
        assertArrayEquals(i < 100 || i >= 500 ? v(i, 0) : null, db.get(k(i)));
      }
    }
  }
}

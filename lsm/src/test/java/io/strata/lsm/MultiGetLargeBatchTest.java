package io.strata.lsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large {@code multiGet} batches (64 to 663 keys) give exactly what a loop of {@code get} gives:
 * keys in several levels and level-0 tables, overwritten and deleted in the memtable, missing,
 * duplicated, and read at a snapshot taken before later writes.
 */
class MultiGetLargeBatchTest {
  @TempDir Path dir;

  private static byte[] key(int i) {
    return String.format("key-%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void largeBatchesEqualALoopOfGet() {
    Options o = Options.builder().writeBufferSize(64 << 10).blockSize(512)
        .blockCacheBytes(32 << 10).targetFileSize(64 << 10).maxBytesForLevelBase(256 << 10)
        .build();
    Random r = new Random(7);
    try (Db db = Db.open(dir.resolve("db"), o)) {
      for (int i = 0; i < 20_000; i++) {
        db.put(key(r.nextInt(30_000)), ("v" + i).getBytes(StandardCharsets.UTF_8));
        if (i % 7 == 0) {
          db.delete(key(r.nextInt(30_000)));
        }
      }
      db.compactRange(null, null);
      for (int i = 0; i < 3_000; i++) { // level-0 tables over the compacted levels
        db.put(key(r.nextInt(30_000)), ("l0-" + i).getBytes(StandardCharsets.UTF_8));
      }
      db.flush();
      try (Snapshot s = db.snapshot()) {
        for (int i = 0; i < 500; i++) { // the memtable, after the snapshot
          if (i % 3 == 0) {
            db.delete(key(r.nextInt(30_000)));
          } else {
            db.put(key(r.nextInt(30_000)), ("mem-" + i).getBytes(StandardCharsets.UTF_8));
          }
        }
        ReadOptions atSnapshot = ReadOptions.builder().snapshot(s).build();
        for (int round = 0; round < 40; round++) {
          int n = 64 + r.nextInt(600);
          List<byte[]> keys = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            keys.add(i > 0 && r.nextInt(10) == 0 ? keys.get(r.nextInt(i)) : key(r.nextInt(32_000)));
          }
          check(db, keys, ReadOptions.defaults(), "latest, round " + round);
          check(db, keys, atSnapshot, "snapshot, round " + round);
        }
      }
    }
  }

  private static void check(Db db, List<byte[]> keys, ReadOptions options, String context) {
    List<byte[]> got = db.multiGet(keys, options);
    assertEquals(keys.size(), got.size(), context);
    for (int i = 0; i < keys.size(); i++) {
      byte[] expected = db.get(keys.get(i), options);
      String what = context + ", key " + new String(keys.get(i), StandardCharsets.UTF_8);
      if (expected == null) {
        assertNull(got.get(i), what);
      } else {
        assertArrayEquals(expected, got.get(i), what);
      }
    }
  }
}

package io.strata.lsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.fs.MemFileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The shared path of {@code multiGet}: with the threshold lowered to one cache miss
 * ({@link TestKnobs#multiGetMinSharedReads}), every step's block reads are split between the
 * caller and the {@code Db}'s helper thread. Answers must equal a loop of {@code get} at the same
 * snapshot (level-0 tables overlapping each other and the deeper levels, deletions in the
 * memtable and in tables, keys absent everywhere, duplicates); a damaged block the helper reads
 * fails the caller's call naming the table; close ends the helper thread.
 */
class MultiGetSharedReadsTest {
  private static byte[] key(int i) {
    return String.format("key-%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** Records which threads did shared block reads; optionally delays the caller after sharing. */
  private static final class Recorder implements Consumer<String> {
    final Set<String> readers = ConcurrentHashMap.newKeySet();
    final AtomicInteger shares = new AtomicInteger();
    volatile int callerDelayMillis;

    @Override
    public void accept(String point) {
      if (point.equals("multiget-reads-shared")) {
        shares.incrementAndGet();
        if (callerDelayMillis > 0) {
          try {
            Thread.sleep(callerDelayMillis); // the helper claims reads meanwhile
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      } else if (point.equals("multiget-block-read")) {
        readers.add(Thread.currentThread().getName());
      }
    }

    boolean helperRead() {
      return readers.stream().anyMatch(n -> n.startsWith("strata-multiget-"));
    }
  }

  @Test
  void sharedReadsEqualALoopOfGetAtTheSameSnapshot() throws Exception {
    Recorder hook = new Recorder();
    Options o = Options.builder().fileSystem(new MemFileSystem()).writeBufferSize(64 << 10)
        .blockSize(256).blockCacheBytes(16 << 10).targetFileSize(32 << 10)
        .maxBytesForLevelBase(128 << 10).level0CompactionTrigger(20).backgroundThreads(1).build();
    TestKnobs knobs = TestKnobs.NONE.multiGetMinSharedReads(1).hook(hook);
    Random r = new Random(11);
    try (Db db = Db.open(Path.of("/shared"), o, knobs)) {
      for (int i = 0; i < 6_000; i++) {
        db.put(key(i), ("base-" + i).getBytes(StandardCharsets.UTF_8));
      }
      for (int i = 0; i < 6_000; i += 13) {
        db.delete(key(i));
      }
      db.compactRange(null, null);
      // two level-0 tables overlapping each other and the levels below: overwrites and deletions
      for (int t = 0; t < 2; t++) {
        for (int i = 0; i < 800; i++) {
          int k = r.nextInt(6_000);
          if (i % 5 == 0) {
            db.delete(key(k));
          } else {
            db.put(key(k), ("l0-" + t + "-" + i).getBytes(StandardCharsets.UTF_8));
          }
        }
        db.flush();
      }
      assertTrue(db.testAccess().currentVersion().files(0).size() >= 2, "two level-0 tables");
      assertTrue(db.testAccess().currentVersion().files(0).size()
          < db.testAccess().currentVersion().fileNumbers().size(), "tables below level 0");
      try (Snapshot s = db.snapshot()) {
        for (int i = 0; i < 300; i++) { // the memtable, after the snapshot
          int k = r.nextInt(6_000);
          if (i % 3 == 0) {
            db.delete(key(k));
          } else {
            db.put(key(k), ("mem-" + i).getBytes(StandardCharsets.UTF_8));
          }
        }
        ReadOptions atSnapshot = ReadOptions.builder().snapshot(s).build();
        ReadOptions noFill = ReadOptions.builder().fillCache(false).build();
        for (int round = 0; round < 30; round++) {
          hook.callerDelayMillis = round % 3 == 0 ? 2 : 0;
          int n = 50 + r.nextInt(400);
          List<byte[]> keys = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            // some keys past every table (6,000 and on): absent everywhere
            keys.add(i > 0 && r.nextInt(8) == 0 ? keys.get(r.nextInt(i)) : key(r.nextInt(6_500)));
          }
          check(db, keys, ReadOptions.defaults(), "latest, round " + round);
          check(db, keys, atSnapshot, "snapshot, round " + round);
          check(db, keys, noFill, "no cache fill, round " + round);
        }
      }
    }
    assertTrue(hook.shares.get() > 0, "the reads were shared");
    assertTrue(hook.helperRead(), "the helper thread read blocks: " + hook.readers);
  }

  @Test
  void concurrentBatchesShareOneHelperAndStayRight() throws Exception {
    Recorder hook = new Recorder();
    Options o = Options.builder().fileSystem(new MemFileSystem()).blockSize(256)
        .blockCacheBytes(0).build();
    try (Db db = Db.open(Path.of("/concurrent"), o,
        TestKnobs.NONE.multiGetMinSharedReads(1).hook(hook))) {
      for (int i = 0; i < 4_000; i += 2) {
        db.put(key(i), ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
      db.flush();
      db.compactRange(null, null);
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        Thread th = new Thread(() -> {
          try {
            Random r = new Random(seed);
            for (int round = 0; round < 40; round++) {
              List<byte[]> keys = new ArrayList<>();
              for (int i = 0; i < 120; i++) {
                keys.add(key(r.nextInt(4_200)));
              }
              check(db, keys, ReadOptions.defaults(), "thread " + seed + ", round " + round);
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      assertEquals(List.of(), failures);
    }
    assertTrue(hook.shares.get() > 0, "the reads were shared");
  }

  @Test
  void aDamagedBlockReadByTheHelperFailsTheCallNamingTheTable() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/damaged");
    Options o = Options.builder().fileSystem(fs).blockSize(1024).blockCacheBytes(0).build();
    try (Db db = Db.open(dir, o)) {
      for (int i = 0; i < 3_000; i++) {
        db.put(key(i), ("value-" + i).getBytes(StandardCharsets.UTF_8));
      }
      db.compactRange(null, null);
    }
    Path table = null;
    for (String name : fs.list(dir)) {
      if (name.endsWith(".sst")) {
        table = dir.resolve(name);
      }
    }
    byte[] b = fs.contents(table);
    b[100] ^= 0x10; // inside the first data block, which holds key 0
    fs.setContents(table, b);
    CountDownLatch helperStarted = new CountDownLatch(1);
    Consumer<String> hook = point -> {
      if (point.equals("multiget-block-read")
          && Thread.currentThread().getName().startsWith("strata-multiget-")) {
        helperStarted.countDown();
      } else if (point.equals("multiget-reads-shared")) {
        try { // the caller lets the helper claim the one read
          assertTrue(helperStarted.await(30, TimeUnit.SECONDS), "the helper started");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    try (Db db = Db.open(dir, o, TestKnobs.NONE.multiGetMinSharedReads(1).hook(hook))) {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> db.multiGet(List.of(key(0))));
      assertEquals(table, e.file(), e.getMessage());
      assertTrue(e.getMessage().contains("checksum"), e.getMessage());
      assertEquals(0, helperStarted.getCount(), "the helper read the damaged block");
      // the caller's Db is still usable: a healthy block is read alone or shared alike
      assertArrayEquals("value-2999".getBytes(StandardCharsets.UTF_8),
          db.multiGet(List.of(key(2999))).get(0));
    }
  }

  /**
   * A clustered batch's cache misses in one table are read back to back with one read: every
   * block of it is still checked on its own, so a damage inside the middle of such a read fails
   * the call naming that block's offset, with and without compression, on either path.
   */
  @Test
  void aDamagedBlockInsideOneReadOfAdjacentBlocksIsNamedByItsOffset() throws Exception {
    for (Compression c : Compression.values()) {
      for (int minShared : new int[] {1, Integer.MAX_VALUE}) {
        MemFileSystem fs = new MemFileSystem();
        Path dir = Path.of("/adjacent");
        Options o = Options.builder().fileSystem(fs).blockSize(512).blockCacheBytes(0)
            .compression(c).build();
        try (Db db = Db.open(dir, o)) {
          for (int i = 0; i < 3_000; i++) {
            db.put(key(i), ("value-" + i).getBytes(StandardCharsets.UTF_8));
          }
          db.compactRange(null, null);
        }
        Path table = null;
        for (String name : fs.list(dir)) {
          if (name.endsWith(".sst")) {
            table = dir.resolve(name);
          }
        }
        long damagedBlock;
        io.strata.lsm.internal.table.TableReader t = io.strata.lsm.internal.table.TableReader.open(
            fs, table, 0, new io.strata.lsm.internal.table.BlockCache(0));
        try {
          assertTrue(t.blockCount() > 20, "many blocks: " + t.blockCount());
          damagedBlock = t.blockHandle(5).offset();
          byte[] b = fs.contents(table);
          b[(int) (damagedBlock + t.blockHandle(5).size() / 2)] ^= 0x04;
          fs.setContents(table, b);
        } finally {
          t.release();
        }
        String what = c + ", minShared " + minShared;
        try (Db db = Db.open(dir, o, TestKnobs.NONE.multiGetMinSharedReads(minShared))) {
          List<byte[]> clustered = new ArrayList<>();
          for (int i = 400; i >= 0; i -= 3) { // blocks 0 to about 10, one run of reads
            clustered.add(key(i));
          }
          CorruptionException e = assertThrows(CorruptionException.class,
              () -> db.multiGet(clustered), what);
          assertEquals(table, e.file(), what + ": " + e.getMessage());
          assertEquals(damagedBlock, e.offset(), what + ": " + e.getMessage());
          // the blocks around it are sound and answer alone
          List<byte[]> sound = List.of(key(0), key(2_999));
          List<byte[]> got = db.multiGet(sound);
          assertArrayEquals("value-0".getBytes(StandardCharsets.UTF_8), got.get(0), what);
          assertArrayEquals("value-2999".getBytes(StandardCharsets.UTF_8), got.get(1), what);
        }
      }
    }
  }

  @Test
  void closeEndsTheHelperThread() throws Exception {
    Recorder hook = new Recorder();
    hook.callerDelayMillis = 5;
    Options o = Options.builder().fileSystem(new MemFileSystem()).blockSize(256)
        .blockCacheBytes(0).build();
    Db db = Db.open(Path.of("/closing-helper"), o,
        TestKnobs.NONE.multiGetMinSharedReads(1).hook(hook));
    for (int i = 0; i < 2_000; i++) {
      db.put(key(i), ("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    db.compactRange(null, null);
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 2_000; i += 17) {
      keys.add(key(i));
    }
    List<byte[]> got = db.multiGet(keys);
    assertArrayEquals("v17".getBytes(StandardCharsets.UTF_8), got.get(1));
    assertTrue(hook.helperRead(), "the helper thread read blocks: " + hook.readers);
    assertTrue(helperThreadAlive("closing-helper"), "the helper thread is alive before close");
    db.close();
    // well inside the helper's 30 s idle timeout, which would end it without a close
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (helperThreadAlive("closing-helper") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertFalse(helperThreadAlive("closing-helper"), "close ended the helper thread");
  }

  private static boolean helperThreadAlive(String dirName) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive()
        && t.getName().startsWith("strata-multiget-") && t.getName().endsWith(" " + dirName));
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

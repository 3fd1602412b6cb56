package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Background compaction as a user sees it: level shape, amplification, back-pressure. */
class CompactionTest {
  private static final Path DIR = Path.of("/db");

  private static Options.Builder tiny(MemFileSystem fs) {
    return Options.builder().writeBufferSize(16 << 10).targetFileSize(16 << 10)
        .maxBytesForLevelBase(64 << 10).levelSizeMultiplier(4).blockSize(1024).fileSystem(fs);
  }

  private static byte[] key(int i) {
    return String.format("key%08d", i).getBytes(UTF_8);
  }

  private static byte[] value(int i, int round) {
    byte[] v = new byte[100];
    new Random(i * 31L + round).nextBytes(v);
    return v;
  }

  @Test
  void randomOverwritesKeepLevelsWithinTargetsAndSpaceAmplificationLow() {
    MemFileSystem fs = new MemFileSystem();
    AtomicInteger compactionEvents = new AtomicInteger();
    EventListener counting = new EventListener() {
      @Override
      public void onCompactionCompleted(CompactionInfo info) {
        compactionEvents.incrementAndGet();
      }
    };
    int keys = 20_000;
    int[] latest = new int[keys];
    try (Db db = Db.open(DIR, tiny(fs).listener(counting).build())) {
      Random random = new Random(7);
      for (int n = 0; n < 60_000; n++) {
        int i = random.nextInt(keys);
        latest[i] = n + 1;
        db.put(key(i), value(i, n + 1));
      }
      db.waitForCompactions();
      DbStats stats = db.stats();
      String shape = stats.toString();
      assertTrue(stats.compactions() >= 100, "hundreds of compactions: " + shape);
      assertEquals(stats.compactions(), compactionEvents.get(), "the listener heard every one");
      assertTrue(stats.baseLevel() < 6, "the data outgrew the base target: " + shape);
      for (DbStats.LevelStats l : stats.levels()) {
        assertTrue(l.score() < 1, "after settling every level is within its target: " + shape);
        if (l.level() > 0 && l.level() < stats.baseLevel()) {
          assertEquals(0, l.tables(), "no table above the base level: " + shape);
        }
      }
      double spaceAmp = stats.spaceAmplification();
      assertTrue(spaceAmp > 1 && spaceAmp < 1.5, "space amplification " + spaceAmp + ": " + shape);
      assertTrue(stats.writeAmplification() > 1, shape);
      long perLevel = stats.levels().stream().mapToLong(DbStats.LevelStats::bytesWritten).sum();
      assertEquals(stats.flushBytesWritten() + stats.compactionBytesWritten(), perLevel,
          "per-level bytes written add up");
      DbModelProperties.checkTables(db, "after settling");
      for (int i = 0; i < keys; i += 7) {
        byte[] got = db.get(key(i));
        if (latest[i] == 0) {
          assertEquals(null, got);
        } else {
          assertArrayEquals(value(i, latest[i]), got, "key " + i);
        }
      }
    }
  }

  @Test
  void sequentialLoadsMoveTablesDownWithoutRewritingThem() {
    MemFileSystem fs = new MemFileSystem();
    try (Db db = Db.open(DIR, tiny(fs).build())) {
      for (int i = 0; i < 30_000; i++) {
        db.put(key(i), value(i, 0));
      }
      db.waitForCompactions();
      DbStats stats = db.stats();
      assertTrue(stats.trivialMoves() > 10, stats.toString());
      assertTrue(stats.writeAmplification() < 2.5,
          "sorted input is mostly moved, not rewritten: " + stats);
      for (int i = 0; i < 30_000; i += 101) {
        assertArrayEquals(value(i, 0), db.get(key(i)));
      }
    }
  }

  /**
   * With compaction held at its hook, level 0 grows until writes stop at the stop trigger; a
   * flush still completes meanwhile; the stopped writer, who holds a snapshot, resumes once
   * compaction goes on; the stall is counted.
   */
  @Test
  void writesStopAtTheLevelZeroLimitAndResumeWithoutDeadlock() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    CountDownLatch compactionHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Options options = tiny(fs).level0CompactionTrigger(2).level0SlowdownTrigger(3)
        .level0StopTrigger(5).build();
    TestKnobs knobs = TestKnobs.NONE.hook(point -> {
          if (point.equals("compaction-outputs-written")) {
            compactionHeld.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    try (Db db = Db.open(DIR, options, knobs)) {
      for (int i = 0; compactionHeld.getCount() > 0; i++) {
        db.put(key(i % 500), value(i, 0));
        if (i > 100_000) {
          throw new AssertionError("no compaction reached the hook");
        }
      }
      db.put(key(0), value(0, 0));
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
        db.flush(); // flushes do not wait behind the held compaction
      });
      AtomicInteger written = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        try (Snapshot s = db.snapshot()) {
          for (int i = 0; i < 4_000; i++) {
            db.put(key(i % 500), value(i, 1));
            written.incrementAndGet();
          }
          assertArrayEquals(value(0, 0), db.get(key(0), ReadOptions.builder().snapshot(s)
              .build()));
        } catch (Throwable t) {
          failure.set(t);
        }
      });
      writer.start();
      // wait until the writer is stopped at the trigger: level 0 full and no progress for a
      // while (a slow flush alone can also pause it briefly)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int before;
      do {
        before = written.get();
        Thread.sleep(300);
      } while ((written.get() != before || db.stats().levels().get(0).tables() < 5)
          && System.nanoTime() < deadline);
      assertTrue(writer.isAlive() && written.get() < 4_000, "the writer is stopped");
      int level0 = db.stats().levels().get(0).tables();
      assertTrue(level0 >= 5 && level0 <= 6, "level 0 stopped at the trigger: " + level0);
      release.countDown();
      writer.join(60_000);
      assertTrue(!writer.isAlive(), "the stopped writer resumed and finished");
      if (failure.get() != null) {
        throw new AssertionError("writer failed", failure.get());
      }
      db.waitForCompactions();
      DbStats stats = db.stats();
      assertTrue(stats.stallNanos() > TimeUnit.MILLISECONDS.toNanos(300), stats.toString());
      assertTrue(stats.longestStallNanos() > TimeUnit.MILLISECONDS.toNanos(300), stats.toString());
      assertTrue(stats.levels().get(0).tables() < 2, stats.toString());
    }
  }
}

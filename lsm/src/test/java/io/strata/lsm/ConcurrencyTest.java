package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four writers and four readers for {@code -Dstrata.concurrency.seconds} (default 10) while
 * flushes run. Each writer's batch sets its ten group keys to the batch number; readers check,
 * through snapshots and cursors, that a group is never seen half-updated and that a snapshot never
 * changes.
 */
class ConcurrencyTest {
  @TempDir Path dir;

  static final int WRITERS = 4;
  static final int READERS = 4;
  static final int GROUP = 10;

  static byte[] key(int writer, int j) {
    return ("w" + writer + "-k" + j).getBytes(UTF_8);
  }

  @Test
  void snapshotsAreStableAndBatchesAtomicUnderLoad() throws Exception {
    long seconds = Long.getLong("strata.concurrency.seconds", 10);
    // small tables and two compaction threads: compactions run side by side with the readers
    Options options = Options.builder().writeBufferSize(64 * 1024).blockSize(1024)
        .targetFileSize(32 * 1024).maxBytesForLevelBase(64 * 1024).levelSizeMultiplier(4)
        .backgroundThreads(3).build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong batches = new AtomicLong();
    AtomicLong checks = new AtomicLong();
    try (Db db = Db.open(dir, options)) {
      for (int w = 0; w < WRITERS; w++) {
        WriteBatch b = new WriteBatch();
        for (int j = 0; j < GROUP; j++) {
          b.put(key(w, j), "0".getBytes(UTF_8));
        }
        db.write(b, WriteOptions.defaults());
      }
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        futures.add(pool.submit(() -> {
          Random random = new Random(writer);
          for (long n = 1; !stop.get(); n++) {
            WriteBatch b = new WriteBatch();
            byte[] v = Long.toString(n).getBytes(UTF_8);
            for (int j = 0; j < GROUP; j++) {
              b.put(key(writer, j), v);
            }
            b.put(("filler" + random.nextInt(5000)).getBytes(UTF_8), new byte[random.nextInt(400)]);
            db.write(b, random.nextInt(50) == 0 ? WriteOptions.sync() : WriteOptions.defaults());
            batches.incrementAndGet();
          }
          return null;
        }));
      }
      for (int r = 0; r < READERS; r++) {
        int reader = r;
        futures.add(pool.submit(() -> {
          Random random = new Random(100 + reader);
          while (!stop.get()) {
            int writer = random.nextInt(WRITERS);
            try (Snapshot s = db.snapshot()) {
              ReadOptions at = ReadOptions.builder().snapshot(s).build();
              String first = groupByGets(db, at, writer);
              String scanned = groupByCursor(db, at, writer);
              assertEquals(first, scanned, "cursor and gets disagree at one snapshot");
              Thread.yield();
              assertEquals(first, groupByGets(db, at, writer), "snapshot changed");
            }
            // a cursor without a snapshot still sees one point in time
            String now = groupByCursor(db, ReadOptions.defaults(), writer);
            assertNotNull(now);
            checks.incrementAndGet();
          }
          return null;
        }));
      }
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      stop.set(true);
      pool.shutdown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      DbStats stats = db.stats();
      assertTrue(stats.flushBytesWritten() > 0 && stats.compactions() > 0,
          "flushes and compactions ran during the test: " + stats);
    }
    assertTrue(batches.get() > 100 && checks.get() > 100,
        "batches " + batches.get() + ", checks " + checks.get());
  }

  /** The group's common value read by gets; fails if the group is torn. */
  private static String groupByGets(Db db, ReadOptions at, int writer) {
    String value = null;
    for (int j = 0; j < GROUP; j++) {
      String v = new String(db.get(key(writer, j), at), UTF_8);
      if (value == null) {
        value = v;
      }
      assertEquals(value, v, "writer " + writer + "'s batch seen half applied");
    }
    return value;
  }

  private static String groupByCursor(Db db, ReadOptions at, int writer) {
    String value = null;
    int n = 0;
    ReadOptions bounded = ReadOptions.builder().snapshot(at.snapshot())
        .lowerBound(("w" + writer + "-").getBytes(UTF_8))
        .upperBound(("w" + writer + ".").getBytes(UTF_8)).build();
    try (Cursor c = db.cursor(bounded)) {
      for (c.seekToLast(); c.isValid(); c.prev()) {
        String v = new String(c.value(), UTF_8);
        if (value == null) {
          value = v;
        }
        assertEquals(value, v, "writer " + writer + "'s batch seen half applied by a cursor");
        n++;
      }
    }
    assertEquals(GROUP, n);
    return value;
  }
}

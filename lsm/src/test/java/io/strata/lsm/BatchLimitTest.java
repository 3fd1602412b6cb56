package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A batch larger than one write-ahead log record may be is refused to its caller, before the write
 * queue, with an {@link IllegalArgumentException} naming the limit; the store stays writable and
 * reopens with everything acknowledged. A small configured limit stands in for the real one
 * (about 2 GiB). Batches under the limit are never refused because group commit joined them into
 * a record over it.
 */
class BatchLimitTest {
  private static final Path DIR = Path.of("/db");
  private static final int LIMIT = 64 * 1024;
  private static final TestKnobs KNOBS = TestKnobs.NONE.walMaxRecordBytes(LIMIT);

  private static Options options(MemFileSystem fs) {
    return Options.builder().fileSystem(fs).build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void anOversizedBatchIsRefusedAndTheStoreStaysWritable() {
    MemFileSystem fs = new MemFileSystem();
    try (Db db = Db.open(DIR, options(fs), KNOBS)) {
      db.put(bytes("before"), bytes("1"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> db.put(bytes("big"), new byte[LIMIT]));
      assertTrue(e.getMessage().contains(String.valueOf(LIMIT)), e.getMessage());
      WriteBatch batch = new WriteBatch();
      for (int i = 0; i < 10; i++) {
        batch.put(bytes("part" + i), new byte[LIMIT / 8]);
      }
      assertThrows(IllegalArgumentException.class, () -> db.write(batch, WriteOptions.sync()),
          "a batch of many small entries over the limit");
      // the largest batch that fits is taken
      WriteBatch fits = new WriteBatch().put(bytes("fits"), new byte[1]);
      int value = LIMIT - fits.approximateSize() + 1;
      WriteBatch exactly = new WriteBatch().put(bytes("fits"), new byte[value]);
      while (exactly.approximateSize() > LIMIT) {
        exactly = new WriteBatch().put(bytes("fits"), new byte[--value]);
      }
      assertEquals(LIMIT, exactly.approximateSize());
      db.write(exactly, WriteOptions.sync());
      db.put(bytes("after"), bytes("2")); // not in the failed state
      db.write(new WriteBatch().put(bytes("synced"), bytes("3")), WriteOptions.sync());
      assertArrayEquals(bytes("2"), db.get(bytes("after")));
      assertNull(db.get(bytes("big")));
      assertNull(db.get(bytes("part0")));
    }
    try (Db db = Db.open(DIR, options(fs), KNOBS)) {
      assertArrayEquals(bytes("1"), db.get(bytes("before")));
      assertArrayEquals(bytes("2"), db.get(bytes("after")));
      assertArrayEquals(bytes("3"), db.get(bytes("synced")));
      assertEquals(LIMIT - 12 - 1 - 1 - 4 - 3, db.get(bytes("fits")).length);
      assertNull(db.get(bytes("big")));
      db.put(bytes("reopened"), bytes("4"));
    }
  }

  @Test
  void groupCommitNeverJoinsBatchesIntoARecordOverTheLimit() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    int threads = 4;
    int each = 60;
    try (Db db = Db.open(DIR, options(fs), KNOBS)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            // each batch is under the limit; two or three together are not
            db.write(new WriteBatch().put(bytes(thread + "-" + i), new byte[LIMIT / 3]),
                i % 2 == 0 ? WriteOptions.sync() : WriteOptions.defaults());
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(); // an IllegalArgumentException from a joined group would surface here
      }
      pool.shutdown();
    }
    try (Db db = Db.open(DIR, options(fs), KNOBS)) {
      for (int t = 0; t < threads; t++) {
        for (int i = 0; i < each; i++) {
          assertEquals(LIMIT / 3, db.get(bytes(t + "-" + i)).length, t + "-" + i);
        }
      }
    }
  }
}

package io.strata.cli;

import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child JVM for the tests. {@code write DIR}: holds the store open and writes batches
 * (seq/i = i and hot/(i % 50) = i, in one batch) for ever, compacting now and then, printing
 * "ready" once the first thousand are in; the parent kills it. {@code checkpoint DIR TARGET}:
 * writes 20,000 keys, waits for compactions, prints "ready", then takes checkpoints
 * TARGET-0, TARGET-1, ... for ever without writing; the parent kills it mid-way.
 */
public final class ChildWriter {
  private ChildWriter() {}

  static Options small() {
    return Options.builder().writeBufferSize(64 * 1024).blockSize(1024)
        .targetFileSize(32 * 1024).maxBytesForLevelBase(128 * 1024).build();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    try (Db db = Db.open(dir, small())) {
      if (args[0].equals("write")) {
        for (long i = 0; ; i++) {
          db.write(batch(i), WriteOptions.defaults());
          if (i == 1000) {
            System.out.println("ready");
            System.out.flush();
          }
          if (i % 20_000 == 19_999) {
            db.compactRange(null, null);
          }
        }
      }
      for (long i = 0; i < 20_000; i++) {
        db.write(batch(i), WriteOptions.defaults());
      }
      db.syncWal();
      db.waitForCompactions();
      System.out.println("ready");
      System.out.flush();
      for (int c = 0; ; c++) {
        db.checkpoint(Path.of(args[2] + "-" + c));
      }
    }
  }

  static WriteBatch batch(long i) {
    return new WriteBatch().put(String.format("seq/%09d", i).getBytes(StandardCharsets.UTF_8),
        Long.toString(i).getBytes(StandardCharsets.UTF_8))
        .put(("hot/" + (i % 50)).getBytes(StandardCharsets.UTF_8),
            Long.toString(i).getBytes(StandardCharsets.UTF_8));
  }
}

package io.strata.lsm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link CrashTest}: writes numbered batches to a store, synced or not, and
 * writes {@code ACK <id> <synced>} to the file {@code args[3]} after each write returns (one
 * write call each, so it is in the operating system before the next batch starts; lines on
 * standard output were seen to go missing when the process was killed), until it is killed. With a fourth
 * argument {@code pause-in-compaction}, the first compaction to write its outputs prints {@code
 * PAUSED} and waits there, before its manifest edit, to be killed.
 *
 * <p>Batch {@code i} puts {@link #keysOf(long)} keys {@code b<i>-<j>} with value {@code v<i>-<j>},
 * and sets {@code last} to {@code i}.
 */
public final class CrashChild {
  private CrashChild() {}

  static int keysOf(long id) {
    return 1 + (int) (id * 7 % 20);
  }

  static byte[] key(long id, int j) {
    return ("b" + id + "-" + j).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(long id, int j) {
    return ("v" + id + "-" + j + "-" + "p".repeat((int) (id % 50))).getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long first = Long.parseLong(args[1]);
    Random random = new Random(Long.parseLong(args[2]));
    // small tables, so flushes and background compactions run all the time
    Options.Builder b = Options.builder().writeBufferSize(64 * 1024).blockSize(1024)
        .targetFileSize(64 * 1024).maxBytesForLevelBase(256 * 1024);
    TestKnobs knobs = TestKnobs.NONE;
    if (args.length > 4 && args[4].equals("pause-in-compaction")) {
      // a compaction that has written its outputs says so and waits there to be killed
      knobs = knobs.hook(point -> {
        if (point.equals("compaction-outputs-written")) {
          System.out.println("PAUSED");
          System.out.flush();
          try {
            Thread.sleep(Long.MAX_VALUE);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
    }
    Options options = b.build();
    try (Db db = Db.open(dir, options, knobs);
        java.io.FileOutputStream acks = new java.io.FileOutputStream(args[3])) {
      for (long id = first; ; id++) {
        WriteBatch batch = new WriteBatch();
        for (int j = 0; j < keysOf(id); j++) {
          batch.put(key(id, j), value(id, j));
        }
        batch.put("last".getBytes(StandardCharsets.UTF_8),
            Long.toString(id).getBytes(StandardCharsets.UTF_8));
        boolean sync = random.nextInt(4) == 0;
        db.write(batch, sync ? WriteOptions.sync() : WriteOptions.defaults());
        acks.write(("ACK " + id + " " + sync + "\n").getBytes(StandardCharsets.US_ASCII));
        if (random.nextInt(200) == 0) {
          db.flush();
        }
      }
    }
  }
}

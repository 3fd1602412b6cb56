package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Simulated power loss: a store on the crash-simulating file system takes random batches (some
 * synced), flushes and memtable switches, and at a random moment the disk is cut to what was
 * synced (and, in a third of the rounds, a random prefix of what was not; in another third, a
 * random subset of its 4 KiB pages, written back out of order). The reopened store must equal
 * the state after some prefix of the acknowledged batches, and that prefix must include every
 * synced batch.
 */
class PowerLossTest {

  @Test
  void recoveredStateIsAPrefixThatHoldsEverySyncedBatch() {
    int rounds = Integer.getInteger("strata.powerloss.rounds", 60);
    for (int round = 0; round < rounds; round++) {
      runRound(round);
    }
  }

  private void runRound(int round) {
    Random random = new Random(round * 31L + 7);
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/db");
    Options options = Options.builder().writeBufferSize(16 * 1024).blockSize(512).fileSystem(fs)
        .targetFileSize(16 * 1024).maxBytesForLevelBase(32 * 1024).levelSizeMultiplier(3)
        .build();
    List<TreeMap<String, String>> states = new ArrayList<>();
    TreeMap<String, String> model = new TreeMap<>();
    states.add(new TreeMap<>(model));
    int lastSynced = 0;
    MemFileSystem crashed;
    Db db = Db.open(dir, options);
    try {
      int batches = 50 + random.nextInt(400);
      int crashAt = random.nextInt(batches);
      for (int i = 1; i <= batches; i++) {
        WriteBatch b = new WriteBatch();
        int n = 1 + random.nextInt(5);
        for (int j = 0; j < n; j++) {
          String k = "k" + random.nextInt(60);
          if (random.nextInt(5) == 0) {
            b.delete(k.getBytes(UTF_8));
            model.remove(k);
          } else {
            String v = i + ":" + "x".repeat(random.nextInt(300));
            b.put(k.getBytes(UTF_8), v.getBytes(UTF_8));
            model.put(k, v);
          }
        }
        boolean sync = random.nextInt(6) == 0;
        db.write(b, sync ? WriteOptions.sync() : WriteOptions.defaults());
        states.add(new TreeMap<>(model));
        if (sync) {
          lastSynced = i;
        }
        if (random.nextInt(40) == 0) {
          db.flush();
        }
        if (i == crashAt) {
          break;
        }
      }
      // the power fails now, with background flushes possibly half done
      crashed = round % 3 == 0 ? fs.crashCopy() : round % 3 == 1 ? fs.crashCopy(random)
          : fs.crashCopyLosingPages(random);
    } finally {
      db.close();
    }
    try (Db after = Db.open(dir, options.toBuilder().fileSystem(crashed).build())) {
      TreeMap<String, String> actual = new TreeMap<>();
      try (Cursor c = after.cursor(ReadOptions.defaults())) {
        for (c.seekToFirst(); c.isValid(); c.next()) {
          actual.put(new String(c.key(), UTF_8), new String(c.value(), UTF_8));
        }
      }
      for (int p = states.size() - 1; p >= 0; p--) {
        if (states.get(p).equals(actual)) {
          assertTrue(p >= lastSynced, "round " + round + ": recovered the state after batch " + p
              + ", but batch " + lastSynced + " was synced");
          return;
        }
      }
      fail("round " + round + ": the recovered state is not the state after any prefix of the"
          + " batches (" + states.size() + " states, last synced " + lastSynced + "): " + actual);
    }
  }
}

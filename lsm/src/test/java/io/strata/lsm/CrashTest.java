package io.strata.lsm;

import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.VersionSet;
import io.strata.StrataException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that is writing batches ({@link CrashChild}) at random moments, reopens the
 * store, and checks that every batch whose write returned is there whole, that no batch is there in
 * part, and that the batches there form a prefix of those written. A process kill keeps what was handed to the operating system, so unsynced batches must
 * survive too. Rounds: {@code -Dstrata.crash.rounds} (default 20).
 */
class CrashTest {
  @TempDir Path dir;

  @Test
  void killedWriterLosesNoAcknowledgedBatchAndLeavesNoHalfBatch() throws Exception {
    int rounds = Integer.getInteger("strata.crash.rounds", 20);
    Random random = new Random(Long.getLong("strata.crash.seed", System.nanoTime()));
    long nextId = 0;
    for (int round = 0; round < rounds; round++) {
      Child c = Child.start(dir, Long.toString(nextId), Long.toString(random.nextLong()));
      Process child = c.process();
      Thread reader = c.reader();
      // let it start and write for a random while, then kill it without warning
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (c.lastAck() < nextId && System.nanoTime() < deadline && child.isAlive()) {
        Thread.sleep(5);
      }
      assertTrue(child.isAlive(), "child died on its own in round " + round);
      if (round == 0) {
        // the store is held by the child process: opening it here must fail at once
        StrataException locked = org.junit.jupiter.api.Assertions.assertThrows(
            StrataException.class, () -> Db.open(dir).close());
        assertTrue(locked.getMessage().contains("in use by another open Db"),
            locked.getMessage());
      }
      Thread.sleep(random.nextInt(400));
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      reader.join(10_000);
      long acked = c.lastAck();
      assertTrue(acked >= nextId, "round " + round + ": no batch acknowledged");

      nextId = checkBatches(dir, nextId, acked, "round " + round);
    }
    assertTrue(nextId > rounds, "batches written: " + nextId);
  }

  /**
   * Opens the store and checks the batches {@link CrashChild} wrote from {@code nextId}: those up
   * to {@code acked} are there whole; later ones may be there, each whole, as a prefix. Returns
   * the id after the last batch there.
   */
  static long checkBatches(Path dir, long nextId, long acked, String round) {
    try (Db db = Db.open(dir)) {
      for (long id = nextId; id <= acked; id++) {
        for (int j = 0; j < CrashChild.keysOf(id); j++) {
          byte[] v = db.get(CrashChild.key(id, j));
          assertNotNull(v, round + ": acknowledged batch " + id + " lost key " + j);
          assertArrayEquals(CrashChild.value(id, j), v);
        }
      }
      // Batches after the last acknowledged one (in flight when the child died, or whose
      // acknowledgement was lost with the process) may be there, but each one whole, and only
      // as a prefix: once one is missing, no later one may be there.
      long id = acked + 1;
      while (true) {
        int present = 0;
        for (int j = 0; j < CrashChild.keysOf(id); j++) {
          if (db.get(CrashChild.key(id, j)) != null) {
            present++;
          }
        }
        assertTrue(present == 0 || present == CrashChild.keysOf(id),
            round + ": batch " + id + " is half there: " + present + " of "
                + CrashChild.keysOf(id) + " keys");
        if (present == 0) {
          break;
        }
        id++;
      }
      for (int j = 0; j < CrashChild.keysOf(id + 1); j++) {
        assertEquals(null, db.get(CrashChild.key(id + 1, j)), round + ": batch "
            + (id + 1) + " is there but batch " + id + " is not");
      }
      assertTrue(id - 1 <= acked + 1, round + ": batch " + (id - 1) + " is there, but only "
          + acked + " was acknowledged and one more can have been in flight");
      long last = Long.parseLong(new String(db.get("last".getBytes(StandardCharsets.UTF_8)),
          StandardCharsets.UTF_8));
      assertEquals(id - 1, last, round + ": 'last'");
      return id;
    }
  }

  /**
   * Kills the child while a background compaction has written its outputs but not yet recorded
   * them (a test hook pauses it there and says so): the reopened store has every acknowledged
   * batch, its old version, and none of the unrecorded outputs. Rounds: {@code
   * -Dstrata.crash.compaction.rounds} (default 3).
   */
  @Test
  void killedMidCompactionKeepsTheOldVersionAndRemovesItsOutputs() throws Exception {
    int rounds = Integer.getInteger("strata.crash.compaction.rounds", 3);
    long nextId = 0;
    for (int round = 0; round < rounds; round++) {
      Child c = Child.start(dir, Long.toString(nextId), Long.toString(round),
          "pause-in-compaction");
      Process child = c.process();
      Thread reader = c.reader();
      java.util.concurrent.CountDownLatch paused = c.paused();
      assertTrue(paused.await(60, TimeUnit.SECONDS), "round " + round
          + ": no compaction reached the hook");
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      reader.join(10_000);

      io.strata.fs.FileSystem fs = io.strata.fs.FileSystem.real();
      VersionSet recorded = new VersionSet(fs, dir, v -> { });
      recorded.recover();
      java.util.Set<Long> referenced = recorded.current().fileNumbers();
      java.util.Set<Long> leftovers = tables(dir);
      leftovers.removeAll(referenced);
      assertTrue(!leftovers.isEmpty(), "round " + round + ": the paused compaction's outputs"
          + " are on disk but not in the manifest");

      nextId = checkBatches(dir, nextId, c.lastAck(), "round " + round);
      java.util.Set<Long> after = tables(dir);
      after.retainAll(leftovers);
      assertTrue(after.isEmpty(), "round " + round + ": unrecorded outputs " + after
          + " were not removed on open");
    }
  }

  private static java.util.Set<Long> tables(Path dir) throws java.io.IOException {
    java.util.Set<Long> numbers = new java.util.TreeSet<>();
    for (String name : io.strata.fs.FileSystem.real().list(dir)) {
      FileNames.Parsed p = FileNames.parse(name);
      if (p.kind() == FileNames.Kind.TABLE) {
        numbers.add(p.number());
      }
    }
    return numbers;
  }

  /**
   * A running {@link CrashChild}: its last acknowledged batch (read from its acknowledgement file)
   * and whether it said PAUSED (on standard output, which is read until the process ends).
   */
  private record Child(Process process, Thread reader, Path acks,
      java.util.concurrent.CountDownLatch paused) {
    static Child start(Path dir, String... args) throws java.io.IOException {
      Path acks = dir.resolveSibling(dir.getFileName() + ".acks");
      java.nio.file.Files.deleteIfExists(acks);
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          CrashChild.class.getName(), dir.toString(), args[0], args[1], acks.toString()));
      command.addAll(java.util.Arrays.asList(args).subList(2, args.length));
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.equals("PAUSED")) {
              paused.countDown();
            }
          }
        } catch (java.io.IOException ignored) {
          // the child was killed
        }
      });
      reader.start();
      return new Child(p, reader, acks, paused);
    }

    /** The last batch the child acknowledged, or -1. */
    long lastAck() throws java.io.IOException {
      long last = -1;
      if (java.nio.file.Files.exists(acks)) {
        for (String line : java.nio.file.Files.readAllLines(acks, StandardCharsets.US_ASCII)) {
          if (line.startsWith("ACK ")) {
            last = Long.parseLong(line.split(" ")[1]);
          }
        }
      }
      return last;
    }
  }
}

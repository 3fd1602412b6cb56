package io.strata.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool and the read-only open beside another process: a child JVM ({@link ChildWriter})
 * holds the store for writing while this one reads it; a child killed in the middle of a
 * checkpoint.
 */
class ProcessesTest {
  @TempDir Path tmp;

  static Process child(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), ChildWriter.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  static void awaitReady(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
    String line = r.readLine();
    assertEquals("ready", line, "child did not start");
  }

  /**
   * The state a store must show: the writes of batches 0..n-1 and nothing else (seq/i = i for
   * i < n, hot/h = the last i < n with i % 50 == h). Returns n.
   */
  static long checkPrefix(Db db) {
    long n = 0;
    try (Cursor c = db.cursor()) {
      for (c.seek("seq/".getBytes(UTF_8)); c.isValid()
          && new String(c.key(), UTF_8).startsWith("seq/"); c.next()) {
        assertEquals(String.format("seq/%09d", n), new String(c.key(), UTF_8));
        assertEquals(Long.toString(n), new String(c.value(), UTF_8));
        n++;
      }
    }
    for (int h = 0; h < 50; h++) {
      byte[] v = db.get(("hot/" + h).getBytes(UTF_8));
      long last = n - 1 - Math.floorMod(n - 1 - h, 50);
      if (last < 0) {
        assertEquals(null, v, "hot/" + h);
      } else {
        assertEquals(Long.toString(last), v == null ? null : new String(v, UTF_8),
            "hot/" + h + " with " + n + " batches");
      }
    }
    return n;
  }

  @Test
  void readOnlyOpensAndTheToolBesideAWritingCompactingProcess() throws Exception {
    Path dir = tmp.resolve("s");
    Process p = child("write", dir.toString());
    long seen = 0;
    int opened = 0;
    try {
      awaitReady(p);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      while (System.nanoTime() < deadline) {
        try (Db ro = Db.openReadOnly(dir, ChildWriter.small())) {
          opened++;
          long n = checkPrefix(ro);
          assertTrue(n >= seen, "went back from " + seen + " to " + n);
          seen = n;
          // reads keep working while the writer compacts the tables away
          Thread.sleep(50);
          assertEquals(n, checkPrefix(ro));
        }
        Map<String, Object> verify = CliTest.ok("db", "verify", dir.toString(), "--json").json();
        assertEquals(true, verify.get("ok"), verify.toString());
        CliTest.ok("db", "stats", dir.toString());
        CliTest.ok("db", "scan", dir.toString(), "--reverse", "--limit", "3");
      }
      assertTrue(p.isAlive(), "the writer died while we read");
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
    assertTrue(opened >= 3, "only " + opened + " read-only opens");
    assertTrue(seen > 1000, "saw " + seen);
    try (Db db = Db.open(dir, ChildWriter.small())) {
      assertTrue(checkPrefix(db) >= seen);
      assertTrue(db.verifyChecksums().isEmpty());
    }
  }

  static Map<String, byte[]> listing(Path d) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(d)) {
      for (Path f : files.toList()) {
        out.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    return out;
  }

  @Test
  void killDuringCheckpointLeavesTheSourceAndACompleteOrRefusedTarget() throws Exception {
    Random random = new Random(18);
    int complete = 0;
    int refused = 0;
    for (int round = 0; round < 3; round++) {
      Path dir = tmp.resolve("s" + round);
      Path target = tmp.resolve("copy" + round);
      Process p = child("checkpoint", dir.toString(), target.toString());
      Map<String, byte[]> before;
      try {
        awaitReady(p);
        before = listing(dir);
        Thread.sleep(100 + random.nextInt(400));
      } finally {
        p.destroyForcibly();
        p.waitFor();
      }
      Map<String, byte[]> after = listing(dir);
      assertEquals(before.keySet(), after.keySet(), "round " + round);
      for (String name : before.keySet()) {
        assertArrayEquals(before.get(name), after.get(name), "round " + round + ": " + name);
      }
      for (int c = 0; Files.exists(Path.of(target + "-" + c)); c++) {
        Path copy = Path.of(target + "-" + c);
        try (Db db = Db.open(copy, ChildWriter.small())) {
          assertEquals(20_000, checkPrefix(db), copy.toString());
          assertTrue(db.verifyChecksums().isEmpty());
          complete++;
        } catch (CorruptionException e) {
          assertTrue(e.getMessage().contains("incomplete checkpoint"), e.getMessage());
          refused++;
        }
      }
    }
    System.out.println("checkpoints after kills: " + complete + " complete, " + refused
        + " refused at open");
    assertTrue(complete > 0, "no checkpoint completed before the kills");
  }
}

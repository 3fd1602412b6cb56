package io.strata.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.ReadOptions;
import io.strata.trie.Hash;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import io.strata.fs.MemFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Damage campaign (guarantee 3): a closed store holding key-value data and trie blocks (tables
 * on several levels, a manifest, CURRENT and a log with the unflushed tail) gets random damage in
 * one file per trial: 1-3 flipped bytes, a zeroed run, or a truncation. Then it is opened and
 * everything is read: every key, both scan directions, every block's root and the latest and one
 * older trie in full. Each read must give the right answer or a {@link CorruptionException}
 * naming the damaged file; the open may refuse with one. Never a wrong value, never a silent
 * miss. {@code verifyChecksums()} must report every damaged table.
 *
 * <p>One loss is documented rather than detected: damage to the last record of the last log
 * segment looks exactly like a write torn by a crash, and is dropped on open with a warning; the
 * store then equals the state after a prefix of the operations. The campaign counts those and
 * checks that nothing else was lost.
 *
 * <p>Three workloads in four run the trie store with a retention window of 1 to 6 heights and
 * pruning on, half with linked storage tries ({@link World}): every retained block's root and
 * trie (with its linked tries) is read whole or refused with a {@code CorruptionException}
 * naming the damaged file, never a wrong retained root or value.
 *
 * <p>Sizes: {@code -Dstrata.campaign.damages} (default 600) damaged files.
 */
class DamageCampaignTest {
  private static final Path DIR = Path.of("/state");

  static Options options(MemFileSystem fs) {
    return Options.builder().fileSystem(fs).writeBufferSize(32 * 1024).blockSize(1024)
        .targetFileSize(32 * 1024).maxBytesForLevelBase(128 * 1024).levelSizeMultiplier(4)
        .blockCacheBytes(0).build();
  }

  private final List<String> violations = new ArrayList<>() {
    @Override
    public boolean add(String v) {
      return size() < 10 && super.add(v.length() > 500 ? v.substring(0, 500) + "..." : v);
    }
  };
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private final Map<String, Integer> damagedKinds = new TreeMap<>();
  private long reads;
  private long readsFailed;

  @Test
  void everyReadOfDamageFailsWithCorruptionAndNothingElseChanges() throws IOException {
    int wanted = Integer.getInteger("strata.campaign.damages", 600);
    long seed = Long.getLong("strata.campaign.seed", System.nanoTime());
    Random random = new Random(seed);
    int done = 0;
    try (Quiet quiet = Quiet.engineWarnings()) {
      while (done < wanted && violations.size() < 5) {
        long workload = random.nextLong();
        int ops = 300 + random.nextInt(500);
        MemFileSystem disk = new MemFileSystem();
        try (Db db = Db.open(DIR, options(disk))) {
          Workload w = new Workload(db, workload);
          for (int i = 0; i < ops; i++) {
            w.apply(Ops.at(workload, i));
          }
          w.close();
          db.waitForCompactions();
        }
        Oracle oracle = new Oracle(workload);
        oracle.blocksThrough(ops - 1);
        Map<Path, byte[]> files = new TreeMap<>();
        for (String name : disk.list(DIR)) {
          if (!name.equals("LOCK")) {
            files.put(DIR.resolve(name), disk.contents(DIR.resolve(name)));
          }
        }
        List<Path> paths = new ArrayList<>(files.keySet());
        for (int t = 0; t < 30 && done < wanted; t++) {
          Path file = paths.get(random.nextInt(paths.size()));
          byte[] before = files.get(file);
          byte[] after = damage(before, random);
          if (Arrays.equals(before, after)) {
            continue;
          }
          disk.setContents(file, after);
          String context = "workload " + workload + " (" + ops + " operations), " + file
              + " damaged (" + before.length + " -> " + after.length + " bytes, first change at "
              + firstDifference(before, after) + ")";
          String kind = CrashPointFileSystem.kind(file);
          damagedKinds.merge(kind, 1, Integer::sum);
          outcomes.merge(trial(disk, file, kind, oracle, ops, context), 1, Integer::sum);
          // the open may have rewritten the manifest and log: put every file back as it was
          for (String name : disk.list(DIR)) {
            if (!name.equals("LOCK") && !files.containsKey(DIR.resolve(name))) {
              disk.delete(DIR.resolve(name));
            }
          }
          for (Map.Entry<Path, byte[]> e : files.entrySet()) {
            disk.setContents(e.getKey(), e.getValue());
          }
          done++;
        }
      }
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("seed", seed);
    figures.put("files_damaged", done);
    damagedKinds.forEach((k, v) -> figures.put("damaged_" + k, v));
    outcomes.forEach((k, v) -> figures.put("outcome_" + k, v));
    figures.put("reads", reads);
    figures.put("reads_failed_with_corruption", readsFailed);
    figures.put("violations", violations.size());
    ReliabilityReport.record("damage", figures);
    assertEquals(List.of(), violations, "seed " + seed);
    assertTrue(outcomes.getOrDefault("refused_at_open", 0)
        + outcomes.getOrDefault("reads_failed", 0) > done / 4, outcomes.toString());
  }

  /** Flips 1-3 bytes, zeroes a run of 1-64, or truncates. */
  private static byte[] damage(byte[] b, Random random) {
    if (b.length == 0) {
      return new byte[] {1};
    }
    byte[] d = b.clone();
    switch (random.nextInt(3)) {
      case 0 -> {
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
          d[random.nextInt(d.length)] ^= (byte) (1 + random.nextInt(255));
        }
      }
      case 1 -> {
        int at = random.nextInt(d.length);
        Arrays.fill(d, at, Math.min(d.length, at + 1 + random.nextInt(64)), (byte) 0);
      }
      default -> d = Arrays.copyOf(d, random.nextInt(d.length));
    }
    return d;
  }

  private static int firstDifference(byte[] a, byte[] b) {
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      if (a[i] != b[i]) {
        return i;
      }
    }
    return n;
  }

  /** Opens the damaged store and reads everything; returns the outcome's name. */
  private String trial(MemFileSystem disk, Path file, String kind, Oracle oracle, int ops,
      String context) {
    Db db;
    try {
      db = Db.open(DIR, options(disk));
    } catch (CorruptionException e) {
      if (!kind.equals("manifest") && !e.file().equals(file)) {
        violations.add(context + ": the open blamed " + e.file() + ": " + e.getMessage());
      }
      return "refused_at_open";
    } catch (RuntimeException | Error e) {
      violations.add(context + ": the open threw " + e);
      return "violation";
    }
    try (db) {
      Reader r = new Reader(db, file, kind, context);
      long recovered = ops - 1;
      if (kind.equals("log")) {
        // a damaged last record reads as a torn tail: the state must then be a whole prefix
        byte[] last = db.get(Ops.bytes(Ops.LAST));
        long batch = last == null ? -1 : Long.parseLong(Ops.string(last));
        long block;
        try (StateStore s = StateStore.on(db, Ops.trieOptionsOf(oracle.seed()))) {
          block = s.latestBlock().orElse(0);
        }
        recovered = Math.max(batch, oracle.opOfBlock(block));
      }
      r.check(oracle, recovered);
      List<CorruptionException> found = db.verifyChecksums();
      reads++;
      if (kind.equals("table") && found.stream().noneMatch(e -> e.file().equals(file))) {
        violations.add(context + ": verifyChecksums did not report the damaged table: "
            + found);
      }
      if (r.failed > 0) {
        return "reads_failed";
      }
      return recovered < ops - 1 ? "log_tail_dropped" : "no_read_affected";
    } catch (CorruptionException e) {
      return "reads_failed"; // while closing or verifying
    }
  }

  /** Reads everything, counting corruption failures and recording wrong answers. */
  private final class Reader {
    final Db db;
    final Path damaged;
    final String kind;
    final String context;
    int failed;

    Reader(Db db, Path damaged, String kind, String context) {
      this.db = db;
      this.damaged = damaged;
      this.kind = kind;
      this.context = context;
    }

    /** Runs one read: true when it answered, false when it failed with CorruptionException. */
    private boolean read(String what, Runnable read) {
      reads++;
      try {
        read.run();
        return true;
      } catch (CorruptionException e) {
        readsFailed++;
        failed++;
        if (!e.file().equals(damaged) && !e.file().equals(DIR)) {
          violations.add(context + ": " + what + " blamed " + e.file() + ": " + e.getMessage());
        }
        return false;
      } catch (RuntimeException | Error e) {
        violations.add(context + ": " + what + " threw " + e);
        return false;
      }
    }

    void check(Oracle oracle, long recovered) {
      TreeMap<String, String> expected = oracle.kvAfter(recovered);
      for (int k = 0; k < 300; k++) {
        String key = String.format("kv:k%03d", k);
        read("get " + key, () -> {
          byte[] v = db.get(Ops.bytes(key));
          String want = expected.get(key);
          if (want == null ? v != null : v == null || !want.equals(Ops.string(v))) {
            violations.add(context + ": get " + key + " = " + (v == null ? null
                : Ops.string(v)) + ", expected " + want + (kind.equals("log")
                ? " (state after operation " + recovered + ")" : ""));
          }
        });
      }
      for (boolean forward : new boolean[] {true, false}) {
        read((forward ? "forward" : "backward") + " scan", () -> {
          TreeMap<String, String> seen = new TreeMap<>();
          try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(Ops.bytes("kv:"))
              .upperBound(Ops.bytes("kv;")).build())) {
            if (forward) {
              for (c.seekToFirst(); c.isValid(); c.next()) {
                seen.put(Ops.string(c.key()), Ops.string(c.value()));
              }
            } else {
              for (c.seekToLast(); c.isValid(); c.prev()) {
                seen.put(Ops.string(c.key()), Ops.string(c.value()));
              }
            }
          }
          seen.keySet().removeIf(k -> k.length() == Hash.LENGTH);
          if (!seen.equals(expected)) {
            violations.add(context + ": " + (forward ? "forward" : "backward") + " scan: "
                + Oracle.difference(expected, seen));
          }
        });
      }
      long blocks = oracle.blocksThrough(recovered);
      StateStore[] opened = new StateStore[1];
      if (!read("open the trie store", () -> opened[0] = StateStore.on(db,
          Ops.trieOptionsOf(oracle.seed())))) {
        return;
      }
      try (StateStore store = opened[0]) {
        checkTries(oracle, store, blocks);
      }
    }

    /**
     * Every retained block's root, and its trie (with the storage tries its leaves link to)
     * read whole or refused with a corruption naming the damaged file: never a wrong root, a
     * wrong value or a missing retained node.
     */
    private void checkTries(Oracle oracle, StateStore store, long blocks) {
      long oldest = oracle.oldestRetained(blocks);
      for (long b = oldest; b <= blocks; b++) {
        long block = b;
        read("root of block " + b, () -> {
          Optional<Hash> root = store.rootAt(block);
          Hash want = oracle.trieOf((int) block).rootHash();
          if (root.isEmpty() || !root.get().equals(want)) {
            violations.add(context + ": block " + block + " has root " + root + ", expected "
                + want);
          }
        });
      }
      if (blocks > 0) {
        for (long b : new long[] {blocks, oldest + (blocks - oldest) / 2}) {
          read("trie of block " + b, () -> {
            try {
              oracle.checkBlock(store, (int) b, context);
            } catch (AssertionError e) {
              violations.add(e.getMessage());
            }
          });
        }
      }
    }
  }

}

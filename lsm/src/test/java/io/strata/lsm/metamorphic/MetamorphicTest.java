package io.strata.lsm.metamorphic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.FileSystem;
import io.strata.fs.MemFileSystem;
import io.strata.lsm.CompactionPriority;
import io.strata.lsm.EventListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metamorphic runs (after Pebble's {@code metamorphic/}): one random operation list, run under
 * several configurations that must not change any answer (Bloom filters off and on, compression
 * off and LZ4, 256-byte and 4 KiB blocks, 1 and 3 background threads, both compaction priorities,
 * the in-memory and the real file system), gives the same answers under each, and the answers of
 * a {@link java.util.TreeMap} model.
 *
 * <p>By default {@code strata.metamorphic.runs} (4) operation lists of {@code
 * strata.metamorphic.ops} (300) operations each run under the eight configurations of an
 * orthogonal array ({@link Config#pairwise()}: every setting both ways, every pair of settings in
 * all four combinations); {@code -Dstrata.metamorphic.all=true} runs all 64 combinations. The seed
 * is {@code strata.metamorphic.seed} (default: the clock), printed with any failure together with
 * the shortest failing prefix of the list.
 */
class MetamorphicTest {
  private static final int RUNS = Integer.getInteger("strata.metamorphic.runs", 4);
  private static final int OPS = Integer.getInteger("strata.metamorphic.ops", 300);
  private static final boolean ALL = Boolean.getBoolean("strata.metamorphic.all");
  private static final long SEED = Long.getLong("strata.metamorphic.seed", System.nanoTime());

  @TempDir
  Path tmp;

  private int runNumber;
  private final AtomicLong flushes = new AtomicLong();
  private final AtomicLong compactions = new AtomicLong();
  private final EventListener counter = new EventListener() {
    @Override
    public void onFlushCompleted(FlushInfo info) {
      flushes.incrementAndGet();
    }

    @Override
    public void onCompactionCompleted(CompactionInfo info) {
      compactions.incrementAndGet();
    }
  };

  @Test
  void everyConfigurationGivesTheModelsAnswers() throws IOException {
    List<Config> configs = ALL ? Config.all() : Config.pairwise();
    Map<Config, long[]> work = new HashMap<>();
    for (int run = 0; run < RUNS; run++) {
      long seed = SEED + run;
      List<Op> ops = OpGenerator.generate(seed, OPS);
      Transcript expected = Model.run(ops);
      for (Config config : configs) {
        long flushed = flushes.get();
        long compacted = compactions.get();
        Transcript got = run(ops, config);
        long[] w = work.computeIfAbsent(config, c -> new long[2]);
        w[0] += flushes.get() - flushed;
        w[1] += compactions.get() - compacted;
        String difference = Transcript.firstDifference(expected, got);
        if (difference != null) {
          throw new AssertionError("seed " + seed + " (-Dstrata.metamorphic.seed=" + seed
              + " -Dstrata.metamorphic.runs=1), configuration " + config + ":\n     "
              + difference + "\n" + shortestFailingPrefix(ops, config));
        }
      }
    }
    // the runs did what they are for: every configuration flushed and compacted
    work.forEach((config, w) -> {
      assertTrue(w[0] > 0 && w[1] > 0, config + ": " + w[0] + " flushes, " + w[1] + " compactions");
    });
  }

  /** The plan covers what the issue names: each setting both ways, each pair all four ways. */
  @Test
  void pairwisePlanCoversEverySettingAndEveryPair() {
    List<Config> plan = Config.pairwise();
    assertEquals(8, plan.size());
    Set<String> pairs = new HashSet<>();
    for (Config c : plan) {
      boolean[] v = settings(c);
      for (int i = 0; i < v.length; i++) {
        for (int j = i + 1; j < v.length; j++) {
          pairs.add(i + "=" + v[i] + "," + j + "=" + v[j]);
        }
      }
    }
    assertEquals(15 * 4, pairs.size(), "every pair of the six settings in all four combinations");
    assertEquals(64, new HashSet<>(Config.all()).size());
  }

  /** The runner sees what a store does: a store that loses a write is told from the model. */
  @Test
  void aDroppedWriteIsCaught() throws IOException {
    List<Op> ops = List.of(new Op.Put("a", 3, 1), new Op.Get("a"));
    Transcript expected = Model.run(ops);
    Transcript lossy = run(List.of(new Op.Get("a")), Config.pairwise().get(0));
    assertTrue(Transcript.firstDifference(expected, lossy) != null);
    assertNull(Transcript.firstDifference(expected, run(ops, Config.pairwise().get(1))));
  }

  private static boolean[] settings(Config c) {
    return new boolean[] {c.bloom(), c.lz4(), c.blockSize() == 4096, c.backgroundThreads() == 3,
        c.priority() == CompactionPriority.MIN_OVERLAPPING_RATIO, c.realFileSystem()};
  }

  private Transcript run(List<Op> ops, Config config) throws IOException {
    if (config.realFileSystem()) {
      Path dir = Files.createDirectory(tmp.resolve("run-" + runNumber++));
      return DbRunner.run(ops, dir, config.options(FileSystem.real(), counter));
    }
    return DbRunner.run(ops, Path.of("/db"), config.options(new MemFileSystem(), counter));
  }

  /** Bisects for the shortest prefix of {@code ops} whose answers differ under {@code config}. */
  private String shortestFailingPrefix(List<Op> ops, Config config) {
    int good = 0;
    int bad = ops.size();
    try {
      while (bad - good > 1) {
        int mid = (good + bad) >>> 1;
        List<Op> prefix = ops.subList(0, mid);
        if (Transcript.firstDifference(Model.run(prefix), run(prefix, config)) != null) {
          bad = mid;
        } else {
          good = mid;
        }
      }
    } catch (IOException | RuntimeException e) {
      return "(bisection stopped: " + e + ")";
    }
    StringBuilder out = new StringBuilder("shortest failing prefix found, " + bad + " operations:");
    for (int i = 0; i < bad; i++) {
      out.append("\n  ").append(i).append(' ').append(ops.get(i));
    }
    return out.toString();
  }
}

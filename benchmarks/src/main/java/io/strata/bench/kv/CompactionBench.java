package io.strata.bench.kv;

import io.strata.lsm.DbStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The leveled-compaction workload, Strata beside RocksDB with the same level settings (dynamic
 * level sizing, 256 MiB base level, multiplier 10, 64 MiB tables, level-0 triggers 4/20/36, one
 * flush and one compaction at a time, 64 MiB write buffer): fillrandom of {@code n} entries
 * (16-byte keys, 100-byte values, every key once in random order) with compaction running, then
 * overwrite of every key in another random order, then 1,000,000 random reads checked against
 * the values written. Reported per engine: ops/s of each phase, the longest single write
 * (client-side, so it includes any stall), the engine's own stall time, write amplification
 * (table bytes written by flushes and compactions / bytes of keys and values written) and space
 * amplification (table bytes / table bytes after a full compaction, i.e. the live data), both
 * right after the overwrite and again once the engine has finished the compactions it still owed
 * ("settled": both engines have then done all the work the writes caused, so the figures compare
 * like with like), the time that took, and read ops/s (on the settled store).
 *
 * <p>Each engine runs in its own JVM, one after the other, so neither pays for the other's
 * garbage or JIT state. A single run per engine: at 10 M entries a run takes minutes and is itself
 * a long average; repeat the command to see the spread.
 *
 * <p>Usage: {@code java -cp benchmarks/target/strata-bench.jar io.strata.bench.kv.CompactionBench
 * [n] [engines]} (default 10,000,000 and {@code strata,rocksdb}). Databases go under {@code
 * -Dstrata.bench.dir} (default the temporary directory) and are deleted afterwards; {@code
 * -Dstrata.compactionPriority=MIN_OVERLAPPING_RATIO} runs Strata with that priority.
 */
public final class CompactionBench {
  private CompactionBench() {}

  private static final String[] FIELDS = {"fill_ops", "fill_max_ms", "overwrite_ops",
      "overwrite_max_ms", "stall_s", "write_amp", "space_amp", "settle_s", "write_amp_settled",
      "space_amp_settled", "read_ops", "read_errors"};

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args[1], Integer.parseInt(args[2]));
      return;
    }
    int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 10_000_000;
    List<String> engines = List.of((args.length > 1 ? args[1] : "strata,rocksdb").split(","));
    System.out.printf(Locale.ROOT, "compaction workload: fillrandom %,d, overwrite %,d, then"
        + " readrandom; %s%n", n, n, Workload.describe());
    Map<String, Map<String, Double>> results = new LinkedHashMap<>();
    for (String engine : engines) {
      results.put(engine, runChild(engine, n));
    }
    System.out.println(table(results));
  }

  /** Runs one engine in a fresh JVM and parses its result line. */
  private static Map<String, Double> runChild(String engine, int n) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx3g",
        "-cp", System.getProperty("java.class.path")));
    for (String property : List.of("strata.bench.dir", "strata.compactionPriority")) {
      if (System.getProperty(property) != null) {
        command.add("-D" + property + "=" + System.getProperty(property));
      }
    }
    command.addAll(List.of(CompactionBench.class.getName(), "--child", engine,
        Integer.toString(n)));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    Map<String, Double> result = null;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          result = new LinkedHashMap<>();
          for (String kv : line.substring(7).trim().split(" ")) {
            String[] parts = kv.split("=");
            result.put(parts[0], Double.parseDouble(parts[1]));
          }
        } else {
          System.out.println(line);
        }
      }
    }
    if (p.waitFor() != 0 || result == null) {
      throw new IllegalStateException(engine + " run failed (exit " + p.exitValue() + ")");
    }
    return result;
  }

  static String table(Map<String, Map<String, Double>> results) {
    StringBuilder out = new StringBuilder();
    List<String> engines = new ArrayList<>(results.keySet());
    out.append(String.format(Locale.ROOT, "%-18s", "measure"));
    for (String e : engines) {
      out.append(String.format(Locale.ROOT, "%14s", e));
    }
    boolean ratios = engines.size() > 1 && engines.get(0).equals("strata");
    if (ratios) {
      for (String e : engines.subList(1, engines.size())) {
        out.append(String.format(Locale.ROOT, "%16s", "strata/" + e));
      }
    }
    out.append('\n');
    for (String field : FIELDS) {
      out.append(String.format(Locale.ROOT, "%-18s", field));
      for (String e : engines) {
        out.append(String.format(Locale.ROOT, "%14s", format(results.get(e).get(field))));
      }
      if (ratios) {
        double strata = results.get("strata").get(field);
        for (String e : engines.subList(1, engines.size())) {
          double other = results.get(e).get(field);
          out.append(String.format(Locale.ROOT, "%16s",
              other == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", strata / other)));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String format(double v) {
    return v >= 1000 ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  // ---------------------------------------------------------------- one engine, in the child

  private static void child(String engine, int n) throws IOException {
    Path dir = KvEngine.freshDirectory(engine);
    try {
      KvEngine e = KvEngine.open(engine, dir);
      try {
        Phase fill = write(e, engine, "fillrandom", Workload.shuffled(n, 1), 0);
        Phase overwrite = write(e, engine, "overwrite", Workload.shuffled(n, 2), n);
        long tablesAfterOverwrite = tableBytes(dir);
        long[] writes = tableWritesAndStall(e);
        if (e instanceof StrataEngine s) {
          System.err.println("after the overwrite: " + s.db().stats());
        }
        // then let both engines finish the compactions they still owe, and measure again
        long settleStart = System.nanoTime();
        waitForCompactions(e);
        double settleSeconds = (System.nanoTime() - settleStart) / 1e9;
        long tablesSettled = tableBytes(dir);
        long[] writesSettled = tableWritesAndStall(e);
        if (e instanceof StrataEngine s) {
          System.err.println("settled: " + s.db().stats());
        }
        long userBytes = 2L * n * (16 + Workload.VALUE_SIZE);

        int reads = Math.min(n, 1_000_000);
        Random random = new Random(3);
        long errors = 0;
        long start = System.nanoTime();
        for (int i = 0; i < reads; i++) {
          int k = random.nextInt(n);
          byte[] v = e.get(Workload.key(k));
          if (v == null || !Arrays.equals(v, Workload.value((long) k + n))) {
            errors++;
          }
        }
        double readOps = reads / ((System.nanoTime() - start) / 1e9);

        e.flushAndCompact();
        long live = tableBytes(dir);
        System.err.printf(Locale.ROOT, "%s: tables %,d B after the overwrite, %,d B live%n",
            engine, tablesAfterOverwrite, live);
        System.out.printf(Locale.ROOT, "RESULT fill_ops=%.1f fill_max_ms=%.3f overwrite_ops=%.1f"
            + " overwrite_max_ms=%.3f stall_s=%.3f write_amp=%.4f space_amp=%.4f settle_s=%.3f"
            + " write_amp_settled=%.4f space_amp_settled=%.4f read_ops=%.1f read_errors=%d%n",
            fill.opsPerSecond(), fill.longestNanos() / 1e6, overwrite.opsPerSecond(),
            overwrite.longestNanos() / 1e6, writes[2] / 1e9,
            (double) (writes[0] + writes[1]) / userBytes,
            (double) tablesAfterOverwrite / live, settleSeconds,
            (double) (writesSettled[0] + writesSettled[1]) / userBytes,
            (double) tablesSettled / live, readOps, errors);
      } finally {
        e.close();
      }
    } finally {
      KvEngine.deleteRecursively(dir);
    }
  }

  private record Phase(double opsPerSecond, long longestNanos) {}

  /** Puts {@code key(order[i])} = {@code value(order[i] + valueOffset)}; times every put. */
  private static Phase write(KvEngine e, String engine, String phase, int[] order,
      long valueOffset) {
    long longest = 0;
    long start = System.nanoTime();
    int step = Math.max(1, order.length / 10);
    for (int i = 0; i < order.length; i++) {
      int k = order[i];
      long t0 = System.nanoTime();
      e.put(Workload.key(k), Workload.value(k + valueOffset));
      long t = System.nanoTime() - t0;
      if (t > longest) {
        longest = t;
      }
      if ((i + 1) % step == 0) {
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf(Locale.ROOT, "%s %s: %d%% (%,.0f ops/s so far)%n", engine, phase,
            (i + 1) * 100L / order.length, (i + 1) / seconds);
      }
    }
    return new Phase(order.length / ((System.nanoTime() - start) / 1e9), longest);
  }

  private static void waitForCompactions(KvEngine e) {
    if (e instanceof StrataEngine s) {
      s.db().waitForCompactions();
    } else if (e instanceof RocksDbEngine r) {
      r.waitForCompactions();
    }
  }

  /** Flush bytes, compaction bytes, stall nanoseconds, from the engine's own counters. */
  private static long[] tableWritesAndStall(KvEngine e) {
    if (e instanceof StrataEngine s) {
      DbStats stats = s.db().stats();
      return new long[] {stats.flushBytesWritten(), stats.compactionBytesWritten(),
          stats.stallNanos()};
    }
    if (e instanceof RocksDbEngine r) {
      return r.tableWritesAndStall();
    }
    throw new IllegalArgumentException("no compaction figures for " + e);
  }

  private static long tableBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().endsWith(".sst")) {
          total += Files.size(f);
        }
      }
      return total;
    }
  }
}

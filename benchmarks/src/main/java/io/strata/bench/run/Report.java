package io.strata.bench.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Writes the report folder: {@code results.json} (every run, the settings, the configuration,
 * the machine and the summary), {@code report.md} (per suite a table of medians with their spread
 * and the ratio Strata/peer, the configuration, and the details) and one SVG chart per suite.
 * Only runs that passed their checks enter medians; failed ones are listed as failed. Stateless.
 */
final class Report {
  private Report() {}

  /** The median, slowest and fastest of the passed runs of one engine in one workload. */
  record Summary(String suite, String workload, String engine, int passed, int failed,
      double median, double min, double max, double mbPerSecond, double p50, double p99,
      double p999, double diskBytes, double writeAmplification, double liveHeapBytes,
      double nativeBytes, String latencyOf) {
    /** Half the range from the slowest to the fastest round, as a fraction of the median. */
    double spread() {
      return passed == 0 ? Double.NaN : (max - min) / 2 / median;
    }
  }

  static final List<String> CONFIGURATION = List.of(
      "Each engine runs in its own fresh JVM (`-Xms3g -Xmx3g -XX:+AlwaysPreTouch`: a fixed heap"
          + " touched at start, as servers run, so that no workload pays the kernel's first touch"
          + " of heap pages, which a long-running process pays once), engines interleaved round by"
          + " round; inside each JVM an untimed warm-up pass over a smaller store comes first.",
      "Key-value: 16-byte keys, 100-byte values that compress to about half; write-ahead log on"
          + " (Strata, RocksDB, the LevelDB port); fsync only in `fillsync`, after every put.",
      "Compression: LZ4 (Strata, RocksDB), Snappy (LevelDB port, iq80 Snappy), LZF (MVStore).",
      "Bloom filter 10 bits/key where offered (Strata, RocksDB; the LevelDB port and MVStore"
          + " have none). 4 KiB blocks (MVStore: its own page size). 64 MiB write buffer (MVStore:"
          + " its auto-commit buffer). 32 MiB block cache (MVStore: its page cache).",
      "MVStore has no write-ahead log: with auto-commit on, changes reach its file as a new chunk"
          + " when the 64 MiB buffer fills or after a second, so a crash loses up to that much"
          + " unsynced data, where the log-based engines lose at most what the OS had not"
          + " written; `fillsync` calls `commit()` then `sync()` after each put.",
      "Reads (`readrandom`, `readmissing`, `seekrandom`, `readseq`) follow `fillrandom` and"
          + " `overwrite` and a flush plus full compaction, then a close and reopen (the LevelDB port has no compaction"
          + " call: it is reopened, and may still be compacting in the background while it is"
          + " read; MVStore: a commit). Read workloads and `fillsync` stop early"
          + " at a time cap; their ops count what was done.",
      "Memory, in every run: live heap after a full GC (`System.gc()`), and native memory: the"
          + " anonymous resident set (RssAnon) beyond the committed heap (all resident,"
          + " pre-touched), i.e. what an engine allocates outside the Java heap (RocksDB's"
          + " memtables and block cache) plus the JVM's own code, metadata and stacks; both taken"
          + " right after the workload's timing with its engine open. Mapped file pages (Strata's"
          + " memory-mapped table files, which the OS may drop at will) are not in it;"
          + " `results.json` has VmRSS, RssAnon and the committed heap.",
      "Trie: 32-byte random keys, 70-byte values; blocks of 1,000 random account updates."
          + " `strata-store`: Strata's trie committed to its `StateStore` (defaults: one synced"
          + " commit per block, LZ4, 10 bits/key Bloom filter, 64 MiB write buffer, block cache"
          + " and node cache); `strata-store-w128`: the same with `Retention.blocks(128)` (and its default flush lag of 16 blocks), pruned"
          + " in the background (its blocks row's checks give the pruning backlog and what was"
          + " deleted; its disk figure is taken after `waitForPruning()` and a full compaction);"
          + " `strata-memory`: Strata's trie in memory, root hash per block;"
          + " `tuweni`: Apache Tuweni's `MerklePatriciaTrie` in memory, root hash per block."
          + " Reads of the store go through a trie opened from the committed root.",
      "Trie range workloads (`strata-store` only; the peers have no range proofs), at the"
          + " latest root: `proverange`, the whole state proven in ranges of 1,000 accounts and"
          + " serialized; `verifyrange`, each of those ranges read back and verified against the"
          + " root; `sync`, a full state sync into a second, empty store (prove, serialize, read"
          + " back, verify and store each range, then finish), bytes moved = the serialized"
          + " ranges. Checks: every range verifies, the ranges hold every account once, the"
          + " synced root equals the source root, 2,000 sampled synced accounts read back right.",
      "Sanity checks in every run: fills read back a sample of keys; `readrandom` counts hits"
          + " and compares every value (length and bytes); `readmissing` counts misses;"
          + " `seekrandom` checks the bytes each seek saw; `readseq` counts entries; `fillsync`"
          + " reads back every synced key; the trie roots of all engines must agree in every"
          + " round. A run that fails a check is marked failed and left out of the medians.",
      "Write amplification = bytes the engine wrote to table files (flushes + compactions) /"
          + " bytes of keys and values written, at the end of the workload, without forcing a"
          + " flush; only where the engine counts it (Strata's DbStats; RocksDB's"
          + " `rocksdb.cfstats` compaction stats, read after the timed part: no engine runs with"
          + " statistics or other instrumentation on).");

  static Map<String, String> versions() {
    Properties p = new Properties();
    try (InputStream in = Report.class.getResourceAsStream("versions.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String k : List.of("strata", "rocksdb", "leveldb", "iq80-snappy", "h2-mvstore",
        "tuweni")) {
      m.put(k, p.getProperty(k, "?"));
    }
    return m;
  }

  static Map<String, String> machine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("cpuModel", firstMatch(Path.of("/proc/cpuinfo"), "model name"));
    String mem = firstMatch(Path.of("/proc/meminfo"), "MemTotal");
    if (!mem.isEmpty()) {
      long kb = Long.parseLong(mem.replaceAll("[^0-9]", ""));
      mem = String.format(Locale.ROOT, "%.1f GiB", kb / 1048576.0);
    }
    m.put("memory", mem);
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    return m;
  }

  /** The 1-minute load average from /proc/loadavg, or "" where there is none. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String firstMatch(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // not Linux: leave it out
    }
    return "";
  }

  static List<Summary> summarize(Settings settings, List<RunResult> results) {
    List<Summary> out = new ArrayList<>();
    for (String suite : settings.suites()) {
      for (String workload : settings.workloads(suite)) {
        for (String engine : settings.engines(suite)) {
          if (suite.equals(TrieSuite.NAME) && !TrieSuite.supports(engine, workload)) {
            continue; // the engine has no such workload: "-" in the table, no bar
          }
          List<RunResult> passed = new ArrayList<>();
          int failed = 0;
          for (RunResult r : results) {
            if (r.suite.equals(suite) && r.workload.equals(workload) && r.engine.equals(engine)) {
              if (r.ok) {
                passed.add(r);
              } else {
                failed++;
              }
            }
          }
          List<Double> ops = new ArrayList<>();
          passed.forEach(r -> ops.add(r.opsPerSecond()));
          ops.sort(null);
          out.add(new Summary(suite, workload, engine, passed.size(), failed, median(ops),
              ops.isEmpty() ? Double.NaN : ops.get(0),
              ops.isEmpty() ? Double.NaN : ops.get(ops.size() - 1),
              medianOf(passed, RunResult::megabytesPerSecond),
              medianOf(passed, r -> r.p50Micros), medianOf(passed, r -> r.p99Micros),
              medianOf(passed, r -> r.p999Micros), medianOf(passed, r -> (double) r.diskBytes),
              medianOf(passed, r -> r.writeAmplification),
              medianOf(passed, r -> r.liveHeapBytes < 0 ? Double.NaN : r.liveHeapBytes),
              medianOf(passed, r -> r.rssAnonBytes < 0 || r.heapCommittedBytes < 0 ? Double.NaN
                  : r.rssAnonBytes - r.heapCommittedBytes),
              passed.isEmpty() ? "" : passed.get(0).latencyOf));
        }
      }
    }
    return out;
  }

  private static double medianOf(List<RunResult> runs,
      java.util.function.ToDoubleFunction<RunResult> f) {
    List<Double> v = new ArrayList<>();
    for (RunResult r : runs) {
      double d = f.applyAsDouble(r);
      if (!Double.isNaN(d) && d >= 0) {
        v.add(d);
      }
    }
    v.sort(null);
    return median(v);
  }

  static double median(List<Double> sorted) {
    int n = sorted.size();
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Writes the folder; returns the console summary (the main tables). */
  static String write(Path dir, Settings settings, String command, List<RunResult> results,
      ZonedDateTime started, double seconds, String loadAtStart) throws IOException {
    Files.createDirectories(dir);
    List<Summary> summaries = summarize(settings, results);
    Map<String, String> machine = machine();
    machine.put("loadAverageAtStart", loadAtStart);
    machine.put("loadAverageAtEnd", loadAverage());
    Map<String, String> versions = versions();
    String date = started.withZoneSameInstant(ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT));

    // results.json
    JsonWriter j = new JsonWriter().beginObject();
    j.field("tool", "strata-bench").field("date", started.toInstant().toString())
        .field("command", command).field("seconds", seconds);
    j.name("settings").beginObject().name("suites").beginArray();
    settings.suites().forEach(j::value);
    j.endArray().field("quick", settings.quick()).field("rounds", settings.rounds());
    for (String suite : settings.suites()) {
      j.name(suite).beginObject().field("n", settings.n(suite))
          .field("warmupN", settings.warmup(suite));
      if (suite.equals(TrieSuite.NAME)) {
        j.field("blocks", settings.blocks()).field("updatesPerBlock", 1000);
      } else {
        j.field("fillsyncOps", settings.syncOps());
      }
      j.field("capSeconds", settings.capSeconds());
      j.name("engines").beginArray();
      settings.engines(suite).forEach(j::value);
      j.endArray().name("workloads").beginArray();
      settings.workloads(suite).forEach(j::value);
      j.endArray().endObject();
    }
    j.endObject();
    j.name("configuration").beginArray();
    CONFIGURATION.forEach(j::value);
    j.endArray();
    j.name("versions").beginObject();
    versions.forEach(j::field);
    j.endObject();
    j.name("machine").beginObject();
    machine.forEach(j::field);
    j.endObject();
    j.name("runs").beginArray();
    for (RunResult r : results) {
      j.beginObject().field("suite", r.suite).field("engine", r.engine)
          .field("workload", r.workload).field("round", r.round).field("n", r.n)
          .field("ok", r.ok).field("error", r.error).field("ops", r.ops)
          .field("seconds", r.seconds).field("opsPerSecond", r.opsPerSecond())
          .field("mbPerSecond", r.megabytesPerSecond());
      j.name("latencyMicros").beginObject().field("p50", r.p50Micros).field("p99", r.p99Micros)
          .field("p999", r.p999Micros).field("of", r.latencyOf).endObject();
      j.name("diskBytes");
      if (r.diskBytes < 0) {
        j.value((String) null);
      } else {
        j.value(r.diskBytes);
      }
      j.field("writeAmplification", r.writeAmplification);
      j.field("liveHeapBytes", r.liveHeapBytes).field("rssBytes", r.rssBytes)
          .field("heapCommittedBytes", r.heapCommittedBytes).field("rssAnonBytes", r.rssAnonBytes);
      j.field("checks", r.checks);
      if (!r.root.isEmpty()) {
        j.field("root", r.root);
      }
      j.name("jvm").beginObject();
      r.jvm.forEach(j::field);
      j.endObject().endObject();
    }
    j.endArray();
    j.name("summary").beginArray();
    for (Summary s : summaries) {
      j.beginObject().field("suite", s.suite()).field("workload", s.workload())
          .field("engine", s.engine()).field("passed", s.passed()).field("failed", s.failed())
          .field("medianOpsPerSecond", s.median()).field("minOpsPerSecond", s.min())
          .field("maxOpsPerSecond", s.max()).endObject();
    }
    j.endArray().endObject();
    Files.writeString(dir.resolve("results.json"), j + "\n", StandardCharsets.UTF_8);

    // charts and report.md
    StringBuilder md = new StringBuilder();
    StringBuilder console = new StringBuilder();
    md.append("# Strata benchmark report\n\n");
    md.append(String.format(Locale.ROOT, "%s, %s, %s CPUs (%s), %s, %s. Command: `%s`"
        + " (%.1f minutes).%s\n\n", date, machine.get("os"), machine.get("cpus"),
        machine.get("cpuModel").isEmpty() ? "model unknown" : machine.get("cpuModel"),
        machine.get("memory"), machine.get("java"), command, seconds / 60,
        loadAtStart.isEmpty() ? "" : String.format(Locale.ROOT, " Load average (1 minute): %s"
            + " when the run began, %s when it ended (the run itself accounts for about 1 to 2;"
            + " more means other processes shared the CPUs).", loadAtStart,
            machine.get("loadAverageAtEnd"))));
    md.append(String.format(Locale.ROOT, "Figures are ops/s, the median of %s; ± is half"
        + " the range from the slowest to the fastest round, as a share of the median. Ratios"
        + " are Strata's median / the peer's (above 1: Strata is faster). Versions: %s.\n\n",
        rounds(settings), versionLine(versions)));
    for (String suite : settings.suites()) {
      String table = table(suite, settings, summaries);
      String title = suite.equals(KvSuite.NAME)
          ? String.format(Locale.ROOT, "Key-value workloads, %,d entries", settings.n(suite))
          : String.format(Locale.ROOT, "State trie workloads, %,d accounts, %d blocks of 1,000"
              + " updates", settings.n(suite), settings.blocks());
      md.append("## ").append(title).append("\n\n").append(table).append('\n');
      md.append(units(suite)).append("\n\n");
      md.append("![").append(title).append("](").append(suite).append(".svg)\n\n");
      md.append(details(suite, summaries)).append('\n');
      console.append(title).append('\n').append(table).append('\n');
      Files.writeString(dir.resolve(suite + ".svg"), chart(suite, title, settings, summaries),
          StandardCharsets.UTF_8);
    }
    List<RunResult> failed = results.stream().filter(r -> !r.ok).toList();
    if (!failed.isEmpty()) {
      md.append("## Failed runs\n\n");
      for (RunResult r : failed) {
        md.append(String.format(Locale.ROOT, "- %s %s %s, round %d: %s\n", r.suite, r.engine,
            r.workload, r.round, r.error));
      }
      md.append('\n');
    }
    md.append("## Configuration\n\n");
    CONFIGURATION.forEach(c -> md.append("- ").append(c).append('\n'));
    md.append("\nEvery run, with latencies, disk bytes and JVM facts: `results.json`.\n");
    Files.writeString(dir.resolve("report.md"), md.toString(), StandardCharsets.UTF_8);
    return console.toString();
  }

  private static String rounds(Settings settings) {
    return settings.rounds() == 1 ? "1 round" : settings.rounds() + " rounds";
  }

  private static String versionLine(Map<String, String> v) {
    return String.format(Locale.ROOT, "Strata %s, RocksDB %s (JNI), LevelDB port %s with iq80"
        + " Snappy %s, H2 MVStore %s, Apache Tuweni %s", v.get("strata"), v.get("rocksdb"),
        v.get("leveldb"), v.get("iq80-snappy"), v.get("h2-mvstore"), v.get("tuweni"));
  }

  private static String units(String suite) {
    return suite.equals(KvSuite.NAME)
        ? "Ops are puts, gets and seeks (seek + 10 entries); for `readseq`, entries scanned (one"
            + " full scan, timed after an untimed one)."
        : "Ops: `load`, accounts loaded then hashed or committed; `blocks`, account updates"
            + " (1,000 a block, each block then hashed or committed); `readrandom`, gets;"
            + " `proverange` and `verifyrange`, ranges of 1,000 accounts; `sync`, accounts"
            + " synced into a second store.";
  }

  private static Summary find(List<Summary> all, String suite, String workload, String engine) {
    for (Summary s : all) {
      if (s.suite().equals(suite) && s.workload().equals(workload) && s.engine().equals(engine)) {
        return s;
      }
    }
    return null;
  }

  static String table(String suite, Settings settings, List<Summary> summaries) {
    List<String> engines = settings.engines(suite);
    List<String[]> ratios = new ArrayList<>();
    for (String a : engines) {
      for (String b : engines) {
        if (a.startsWith("strata") && !b.startsWith("strata")) {
          ratios.add(new String[] {a, b});
        }
      }
    }
    StringBuilder t = new StringBuilder("| workload (ops/s) |");
    engines.forEach(e -> t.append(' ').append(e).append(" |"));
    ratios.forEach(r -> t.append(' ').append(r[0]).append('/').append(r[1]).append(" |"));
    t.append("\n|---|");
    t.append("---:|".repeat(engines.size() + ratios.size()));
    t.append('\n');
    for (String workload : settings.workloads(suite)) {
      t.append("| ").append(workload).append(" |");
      for (String e : engines) {
        t.append(' ').append(cell(find(summaries, suite, workload, e))).append(" |");
      }
      for (String[] r : ratios) {
        Summary a = find(summaries, suite, workload, r[0]);
        Summary b = find(summaries, suite, workload, r[1]);
        t.append(' ');
        if (a != null && b != null && a.passed() > 0 && b.passed() > 0) {
          t.append(String.format(Locale.ROOT, "%.2fx", a.median() / b.median()));
        } else {
          t.append('-');
        }
        t.append(" |");
      }
      t.append('\n');
    }
    return t.toString();
  }

  private static String cell(Summary s) {
    if (s == null) {
      return "-";
    }
    if (s.passed() == 0) {
      return "failed";
    }
    String c = String.format(Locale.ROOT, "%s ±%.0f%%", number(s.median()), s.spread() * 100);
    return s.failed() > 0 ? c + " (" + s.failed() + " failed)" : c;
  }

  private static String number(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String details(String suite, List<Summary> summaries) {
    StringBuilder t = new StringBuilder("<details><summary>Details: spread, MB/s, latency, disk,"
        + " write amplification, memory</summary>\n\n");
    t.append("| workload | engine | median ops/s | slowest - fastest | MB/s | p50 µs | p99 µs |"
        + " p99.9 µs | latency of | disk MB | write amp. | live heap MiB | native MiB |"
        + " rounds passed |\n");
    t.append("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
    for (Summary s : summaries) {
      if (!s.suite().equals(suite)) {
        continue;
      }
      t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s - %s | %s | %s | %s | %s | %s |"
          + " %s | %s | %s | %s | %d of %d |\n", s.workload(), s.engine(), opt(s.median(), 0),
          opt(s.min(), 0), opt(s.max(), 0), opt(s.mbPerSecond(), 1), opt(s.p50(), 1),
          opt(s.p99(), 1), opt(s.p999(), 1), s.latencyOf().isEmpty() ? "-" : s.latencyOf(),
          opt(s.diskBytes() / 1e6, 1), opt(s.writeAmplification(), 2),
          opt(s.liveHeapBytes() / (1 << 20), 0), opt(s.nativeBytes() / (1 << 20), 0), s.passed(),
          s.passed() + s.failed()));
    }
    return t.append("\n</details>\n").toString();
  }

  private static String opt(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  private static String chart(String suite, String title, Settings settings,
      List<Summary> summaries) {
    List<String> workloads = settings.workloads(suite);
    List<String> engines = settings.engines(suite);
    double[][] median = new double[workloads.size()][engines.size()];
    double[][] low = new double[workloads.size()][engines.size()];
    double[][] high = new double[workloads.size()][engines.size()];
    for (int w = 0; w < workloads.size(); w++) {
      for (int e = 0; e < engines.size(); e++) {
        Summary s = find(summaries, suite, workloads.get(w), engines.get(e));
        median[w][e] = s == null ? Double.NaN : s.median();
        low[w][e] = s == null ? Double.NaN : s.min();
        high[w][e] = s == null ? Double.NaN : s.max();
      }
    }
    return BarChart.svg(title, "ops/s, median of " + rounds(settings), workloads,
        engines, median, low, high);
  }
}

package io.strata.bench.kv;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the db_bench-style suites ({@link KvFillBenchmark}, {@link KvUpdateBenchmark}, {@link
 * KvReadBenchmark}, {@link KvSyncBenchmark}) for Strata, RocksDB and the LevelDB port, each engine
 * in its own JVM, and prints ops/s per workload with the ratios Strata/RocksDB and
 * Strata/LevelDB (medians of the measured iterations).
 *
 * <p>Usage: {@code java -cp benchmarks/target/strata-bench.jar io.strata.bench.kv.KvBench
 * [entries] [regex]} (default 1,000,000 entries, all workloads).
 */
public final class KvBench {
  private KvBench() {}

  public static void main(String[] args) throws RunnerException {
    String entries = args.length > 0 ? args[0] : "1000000";
    ChainedOptionsBuilder options = new OptionsBuilder().param("entries", entries);
    if (args.length > 1) {
      options.include(args[1]);
    } else {
      options.include(KvFillBenchmark.class.getSimpleName())
          .include(KvUpdateBenchmark.class.getSimpleName())
          .include(KvReadBenchmark.class.getSimpleName())
          .include(KvSyncBenchmark.class.getSimpleName());
    }
    System.out.println("db_bench workloads, " + entries + " entries, " + Workload.describe());
    Collection<RunResult> results = new Runner(options.build()).run();
    System.out.println(table(results, Long.parseLong(entries)));
  }

  static String table(Collection<RunResult> results, long entries) {
    Map<String, Map<String, Double>> byWorkload = new TreeMap<>();
    for (RunResult run : results) {
      String name = run.getParams().getBenchmark();
      String workload = name.substring(name.lastIndexOf('.') + 1);
      String engine = run.getParams().getParam("engine");
      List<Double> scores = new ArrayList<>();
      for (BenchmarkResult b : run.getBenchmarkResults()) {
        for (IterationResult it : b.getIterationResults()) {
          scores.add(it.getPrimaryResult().getScore());
        }
      }
      scores.sort(null);
      double median = scores.size() % 2 == 1 ? scores.get(scores.size() / 2)
          : (scores.get(scores.size() / 2 - 1) + scores.get(scores.size() / 2)) / 2;
      String unit = run.getPrimaryResult().getScoreUnit();
      double opsPerSecond = unit.equals("ms/op") ? entries / (median / 1000.0) : median;
      byWorkload.computeIfAbsent(workload, w -> new LinkedHashMap<>()).put(engine, opsPerSecond);
    }
    StringBuilder out = new StringBuilder();
    String format = "%-18s %14s %14s %14s %15s %15s%n";
    out.append(String.format(Locale.ROOT, format, "workload (ops/s)", "strata", "rocksdb",
        "leveldb", "strata/rocksdb", "strata/leveldb"));
    for (Map.Entry<String, Map<String, Double>> e : byWorkload.entrySet()) {
      Map<String, Double> m = e.getValue();
      out.append(String.format(Locale.ROOT, format, e.getKey(), fmt(m.get("strata")),
          fmt(m.get("rocksdb")), fmt(m.get("leveldb")), ratio(m.get("strata"), m.get("rocksdb")),
          ratio(m.get("strata"), m.get("leveldb"))));
    }
    return out.toString();
  }

  private static String fmt(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String ratio(Double a, Double b) {
    return a == null || b == null ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
  }
}

package io.strata.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The quick run of the Bloom filter and write-ahead log benchmarks: one fork each, two 1-second
 * warm-up and three 1-second measured iterations, then a table of medians. Finishes in under two
 * minutes on two cores. For careful numbers run the JMH suites directly with their defaults:
 * {@code java -cp benchmarks/target/strata-bench.jar org.openjdk.jmh.Main}.
 *
 * <p>Usage: {@code java -cp benchmarks/target/strata-bench.jar io.strata.bench.QuickBench [regex]}
 */
public final class QuickBench {

  private QuickBench() {}

  public static void main(String[] args) throws RunnerException {
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .forks(1)
            .warmupIterations(2)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(3)
            .measurementTime(TimeValue.seconds(1))
            .verbosity(VerboseMode.SILENT)
            .shouldFailOnError(true);
    if (args.length == 0) {
      options.include(BloomBenchmark.class.getSimpleName()).include(WalBenchmark.class.getSimpleName());
    } else {
      for (String a : args) {
        options.include(a);
      }
    }
    System.out.println("Strata quick benchmarks: JMH, 1 fork, 2 x 1 s warm-up, 3 x 1 s measured;"
        + " figures are medians of the measured iterations.");
    Collection<RunResult> results = new Runner(options.build()).run();
    System.out.println(table(results));
  }

  static String table(Collection<RunResult> results) {
    StringBuilder out = new StringBuilder();
    String format = "%-44s %14s %14s %14s  %s%n";
    out.append(String.format(Locale.ROOT, format, "benchmark", "median", "min", "max", "unit"));
    Double sync1 = null;
    Double sync16 = null;
    for (RunResult run : results) {
      String name = run.getParams().getBenchmark();
      String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      List<Double> scores = new ArrayList<>();
      for (BenchmarkResult b : run.getBenchmarkResults()) {
        for (IterationResult it : b.getIterationResults()) {
          scores.add(it.getPrimaryResult().getScore());
        }
      }
      scores.sort(null);
      double median = median(scores);
      String unit = run.getPrimaryResult().getScoreUnit();
      String label = shortName + " (" + run.getParams().getThreads() + " thr)";
      out.append(String.format(Locale.ROOT, format, label, fmt(median), fmt(scores.get(0)),
          fmt(scores.get(scores.size() - 1)), unitName(shortName, unit)));
      if (shortName.equals("WalBenchmark.appendNone")) {
        double mb = median * WalBenchmark.RECORD_BYTES / 1e6;
        out.append(String.format(Locale.ROOT, format, "  = payload MB/s", fmt(mb), "", "", "MB/s"));
      }
      if (shortName.equals("WalBenchmark.appendSync1Thread")) {
        sync1 = median;
      }
      if (shortName.equals("WalBenchmark.appendSync16Threads")) {
        sync16 = median;
      }
    }
    if (sync1 != null && sync16 != null) {
      out.append(String.format(Locale.ROOT,
          "group commit: SYNC appends/s from 16 threads = %.1fx the single-thread figure%n",
          sync16 / sync1));
    }
    return out.toString();
  }

  private static String unitName(String benchmark, String unit) {
    if (benchmark.startsWith("WalBenchmark")) {
      return "records/s";
    }
    if (benchmark.endsWith("buildPerKey")) {
      return "ns/key";
    }
    return unit.equals("ns/op") ? "ns/lookup" : unit;
  }

  private static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String fmt(double v) {
    if (v >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}

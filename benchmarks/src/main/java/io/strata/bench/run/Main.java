package io.strata.bench.run;

import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;

/**
 * The comparison runner, the benchmark module's main command: {@code java -jar
 * benchmarks/target/strata-bench.jar [kv|trie|all] [--quick] [--n N] [--rounds R] [--engines
 * a,b] [--workloads a,b] [--dir PATH] [--out PATH]} ({@link Settings#USAGE}). Runs each engine
 * of each suite in its own JVM, round after round, shows progress, writes {@code results.json},
 * {@code report.md} and one SVG chart per suite into the report folder, and prints the tables.
 * Exit code 0 when every run passed its checks, 1 when one failed, 2 for a usage error.
 *
 * <p>The JMH suites stay reachable: {@code java -cp benchmarks/target/strata-bench.jar
 * org.openjdk.jmh.Main [regex]}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.console() != null));
  }

  /** Runs the command; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (Settings.UsageException e) {
      err.println("strata-bench: " + e.getMessage());
      err.println(Settings.USAGE);
      return 2;
    }
    if (settings.help()) {
      out.println(Settings.USAGE);
      return 0;
    }
    String command = "java -jar benchmarks/target/strata-bench.jar"
        + (args.length == 0 ? "" : " " + String.join(" ", args));
    out.println("Strata benchmark: " + String.join(" and ", settings.suites()) + ", "
        + settings.rounds() + " rounds, each engine in its own JVM");
    for (String suite : settings.suites()) {
      out.printf(Locale.ROOT, "  %s: n = %,d; engines %s; workloads %s%n", suite,
          settings.n(suite), String.join(", ", settings.engines(suite)),
          String.join(", ", settings.workloads(suite)));
    }
    ZonedDateTime started = ZonedDateTime.now();
    String loadAtStart = Report.loadAverage();
    long t0 = System.nanoTime();
    try {
      List<RunResult> results = new Runner(settings, new Progress(out, terminal)).run();
      double seconds = (System.nanoTime() - t0) / 1e9;
      String tables = Report.write(settings.out(), settings, command, results, started, seconds,
          loadAtStart);
      out.println();
      out.print(tables);
      long failed = results.stream().filter(r -> !r.ok).count();
      out.printf(Locale.ROOT, "%d runs in %.1f minutes, %d failed. Report: %s (report.md,"
          + " results.json, %s)%n", results.size(), seconds / 60, failed,
          settings.out().toAbsolutePath(), String.join(", ",
              settings.suites().stream().map(s -> s + ".svg").toList()));
      return failed == 0 ? 0 : 1;
    } catch (Exception e) {
      err.println("strata-bench: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }
}

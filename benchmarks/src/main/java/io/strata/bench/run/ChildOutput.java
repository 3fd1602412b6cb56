package io.strata.bench.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Where a suite running in a child JVM sends its progress and results. The child's standard output
 * carries them to the runner as lines: {@code PROGRESS <workload> <fraction> <ops/s>} and {@link
 * RunResult#toLine()}. Called from the one thread that runs the suite.
 */
interface ChildOutput {
  String PROGRESS = "PROGRESS ";

  void progress(String workload, double fraction, double opsPerSecond);

  void result(RunResult result);

  /** Discards everything: for the warm-up pass. */
  ChildOutput NONE = new ChildOutput() {
    @Override
    public void progress(String workload, double fraction, double opsPerSecond) {}

    @Override
    public void result(RunResult result) {
      if (!result.ok) {
        System.err.println("warm-up: " + result);
      }
    }
  };

  static ChildOutput lines(PrintStream out) {
    return new ChildOutput() {
      @Override
      public void progress(String workload, double fraction, double opsPerSecond) {
        out.printf(Locale.ROOT, "%s%s %.4f %.1f%n", PROGRESS, workload, fraction, opsPerSecond);
        out.flush();
      }

      @Override
      public void result(RunResult result) {
        out.println(result.toLine());
        out.flush();
      }
    };
  }
}

package io.strata.bench.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The runner's progress display. On a terminal one line is redrawn in place ({@code \r}): the
 * child being run, the workload, its percentage and ops/s so far. Elsewhere (a pipe, a file, CI)
 * plain lines: one when a child starts, one per finished workload, and a progress line at most
 * every {@link #PLAIN_EVERY_NANOS} in between. Called from the runner's one thread.
 */
final class Progress {
  static final long PLAIN_EVERY_NANOS = 10_000_000_000L;

  private final PrintStream out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private String label = "";
  private int drawn;
  private long lastPlain;

  Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** A child JVM starts; {@code label} says which, e.g. "[3/14] kv rocksdb, round 1". */
  void start(String label) {
    this.label = label;
    if (terminal) {
      draw(label + ": starting");
    } else {
      out.println(label + " (" + elapsed() + ")");
      lastPlain = System.nanoTime();
    }
  }

  void update(String workload, double fraction, double opsPerSecond) {
    String line = String.format(Locale.ROOT, "%s: %s %3.0f%%, %,.0f ops/s so far (%s)", label,
        workload, fraction * 100, opsPerSecond, elapsed());
    if (terminal) {
      draw(line);
    } else if (System.nanoTime() - lastPlain >= PLAIN_EVERY_NANOS) {
      out.println("  " + line);
      lastPlain = System.nanoTime();
    }
  }

  /** A workload finished: a line that stays. */
  void result(RunResult r) {
    String line = String.format(Locale.ROOT, "  %-5s %-14s %-12s round %d: %,14.0f ops/s%s",
        r.suite, r.engine, r.workload, r.round, r.opsPerSecond(),
        r.ok ? "" : "  FAILED: " + r.error);
    if (terminal) {
      clear();
      out.println(line);
      draw(label + ": " + r.workload + " done");
    } else {
      out.println(line);
    }
  }

  /** Ends the in-place line, if any. */
  void end() {
    if (terminal) {
      clear();
    }
    out.flush();
  }

  private String elapsed() {
    long s = (System.nanoTime() - started) / 1_000_000_000L;
    return String.format(Locale.ROOT, "%d:%02d elapsed", s / 60, s % 60);
  }

  private void draw(String line) {
    StringBuilder s = new StringBuilder("\r").append(line);
    for (int i = line.length(); i < drawn; i++) {
      s.append(' ');
    }
    drawn = line.length();
    out.print(s);
    out.flush();
  }

  private void clear() {
    if (drawn > 0) {
      out.print("\r" + " ".repeat(drawn) + "\r");
      drawn = 0;
    }
  }
}

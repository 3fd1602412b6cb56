package io.strata.bench.run;

import java.io.IOException;

/**
 * Starts the runner's child JVMs one after another and stops them for good on a signal: once
 * {@link #stop} has run, the child it found running is dead and no further child starts ({@link
 * #start} throws {@link Stopped}), so a runner killed between two children leaves none behind.
 *
 * <p>Thread-safety: {@link #start} is called by the runner's loop, {@link #stop} by its shutdown
 * hook; both hold {@code lock}, which guards {@code stopping} and {@code running}, so a child is
 * either started before the stop (and then killed by it) or not at all.
 */
final class ChildLauncher {
  /** Thrown by {@link #start} after {@link #stop}. */
  static final class Stopped extends Exception {
    Stopped() {
      super("the benchmark was stopped; no further child JVM is started");
    }
  }

  private final Object lock = new Object();
  /** Guarded by lock. */
  private boolean stopping;
  /** The child started last (guarded by lock); it may have ended since. */
  private Process running;

  /** Starts {@code builder}'s process, unless stopped. */
  Process start(ProcessBuilder builder) throws IOException, Stopped {
    synchronized (lock) {
      if (stopping) {
        throw new Stopped();
      }
      running = builder.start();
      return running;
    }
  }

  boolean stopped() {
    synchronized (lock) {
      return stopping;
    }
  }

  /** Refuses later starts, then kills the running child (if any) and waits for it to end. */
  void stop() {
    Process child;
    synchronized (lock) {
      stopping = true;
      child = running;
    }
    if (child != null) {
      child.destroyForcibly();
      try {
        child.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

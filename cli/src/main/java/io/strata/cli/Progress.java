package io.strata.cli;

import java.io.PrintWriter;

/**
 * A progress line for long commands, on standard error and only when the tool runs on a terminal
 * ({@link System#console()} is not null): the task and the seconds it has taken, redrawn each
 * second by a daemon thread, erased when done. Elsewhere (pipes, files, tests) it prints nothing,
 * so output stays parseable. Thread-safety: {@link #set} may be called from the command's thread
 * while the ticker runs; the message is volatile.
 */
final class Progress implements AutoCloseable {
  private final PrintWriter err;
  private final Thread ticker;
  private final long start = System.nanoTime();
  private volatile String message;
  private volatile boolean done;

  private Progress(PrintWriter err, String message, boolean show) {
    this.err = err;
    this.message = message;
    if (show) {
      ticker = new Thread(this::tick, "strata-progress");
      ticker.setDaemon(true);
      ticker.start();
    } else {
      ticker = null;
    }
  }

  /** Starts a progress line for {@code task}, shown only on a terminal. */
  static Progress start(PrintWriter err, String task) {
    return new Progress(err, task, System.console() != null);
  }

  /** What the line says from now on. */
  void set(String message) {
    this.message = message;
  }

  private void tick() {
    while (!done) {
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      synchronized (err) {
        if (!done) {
          err.print("\r" + message + " ... " + seconds + "s   ");
          err.flush();
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    done = true;
    if (ticker != null) {
      ticker.interrupt();
      synchronized (err) {
        err.print("\r" + " ".repeat(message.length() + 16) + "\r");
        err.flush();
      }
    }
  }
}

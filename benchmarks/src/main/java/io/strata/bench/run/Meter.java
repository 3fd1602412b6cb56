package io.strata.bench.run;

/**
 * Times one workload: counts operations and bytes, records each operation's latency, reports
 * progress at most four times a second, and tells the loop when a time cap is reached. Used by
 * one thread.
 */
final class Meter {
  private static final long PROGRESS_EVERY = 250_000_000L;

  private final String workload;
  private final long plannedOps;
  private final long capNanos;
  private final ChildOutput out;
  private final LatencyHistogram latencies = new LatencyHistogram();
  private final long start = System.nanoTime();
  private long lastProgress = start;
  private long ops;
  private long bytes;

  /**
   * @param plannedOps operations the workload means to do (for the percentage)
   * @param capNanos stop early once this much time has passed (Long.MAX_VALUE: never)
   */
  Meter(String workload, long plannedOps, long capNanos, ChildOutput out) {
    this.workload = workload;
    this.plannedOps = Math.max(1, plannedOps);
    this.capNanos = capNanos;
    this.out = out;
  }

  /**
   * Records one operation that began at {@code startNanos} ({@link System#nanoTime()}) and moved
   * {@code opBytes} bytes of keys and values; returns false once the time cap is reached.
   */
  boolean done(long startNanos, long opBytes) {
    long now = System.nanoTime();
    latencies.record(now - startNanos);
    ops++;
    bytes += opBytes;
    if ((ops & 63) == 0) {
      return tick(now);
    }
    return true;
  }

  /** Records {@code count} operations at once, without latencies (a scan, a bulk load). */
  void add(long count, long addedBytes) {
    ops += count;
    bytes += addedBytes;
    tick(System.nanoTime());
  }

  private boolean tick(long now) {
    if (now - lastProgress >= PROGRESS_EVERY) {
      lastProgress = now;
      out.progress(workload, Math.min(1.0, Math.max((double) ops / plannedOps,
          capNanos == Long.MAX_VALUE ? 0 : (double) (now - start) / capNanos)),
          ops / ((now - start) / 1e9));
    }
    return now - start < capNanos;
  }

  long ops() {
    return ops;
  }

  /** Stops the clock; fills in {@code r}'s ops, time, bytes and latencies. */
  RunResult finish(RunResult r, String latencyOf) {
    long end = System.nanoTime();
    r.ops = ops;
    r.seconds = (end - start) / 1e9;
    r.userBytes = bytes;
    if (latencies.count() > 0) {
      r.p50Micros = latencies.quantile(0.50) / 1e3;
      r.p99Micros = latencies.quantile(0.99) / 1e3;
      r.p999Micros = latencies.quantile(0.999) / 1e3;
      r.latencyOf = latencyOf;
    }
    return r;
  }
}

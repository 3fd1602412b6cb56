package io.strata.bench.run;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One measured workload of one engine in one round: what the report quotes. A child JVM prints it
 * as one line ({@link #toLine()}: {@code RESULT key=value ...}, values URL-encoded) and the runner
 * parses it back ({@link #parse(String)}). Mutable while it is being filled in; not thread-safe.
 */
final class RunResult {
  static final String PREFIX = "RESULT ";

  String suite;
  String engine;
  String workload;
  int round;
  /** Entries (kv) or accounts (trie) in the workload's store. */
  long n;
  /** Operations timed: puts, gets, seeks, entries scanned, trie updates. */
  long ops;
  double seconds;
  /** Bytes of keys and values passed in or read out, for MB/s (10^6 bytes). */
  long userBytes;
  /** Latency quantiles of single operations in microseconds; NaN where not measured. */
  double p50Micros = Double.NaN;
  double p99Micros = Double.NaN;
  double p999Micros = Double.NaN;
  /** What the latency is of, e.g. "put", "block of 1,000 updates + commit". */
  String latencyOf = "";
  /** Bytes in the store's directory at the end of the workload; -1 for in-memory engines. */
  long diskBytes = -1;
  /** Table bytes written by flushes and compactions / user bytes written so far; NaN if unknown. */
  double writeAmplification = Double.NaN;
  /**
   * Live heap after a full GC and resident set size of the child JVM, in bytes, taken right after
   * the workload (outside its timing) with the engine still open; -1 where unknown.
   */
  long liveHeapBytes = -1;
  long rssBytes = -1;
  /** The heap committed then (all resident: the runner's child JVMs pre-touch it); -1 if unknown. */
  long heapCommittedBytes = -1;
  /**
   * The anonymous part of the resident set (RssAnon: the heap and native memory, not mapped file
   * pages such as a store's memory-mapped table files); -1 if unknown.
   */
  long rssAnonBytes = -1;
  /** What the sanity checks counted, e.g. "hits=1000/1000". */
  String checks = "";
  /** Trie suite: the root hash after the workload, hex. */
  String root = "";
  boolean ok = true;
  String error = "";
  /** Facts about the JVM and OS the run happened in. */
  final Map<String, String> jvm = new LinkedHashMap<>();

  double opsPerSecond() {
    return seconds > 0 ? ops / seconds : Double.NaN;
  }

  double megabytesPerSecond() {
    return seconds > 0 ? userBytes / seconds / 1e6 : Double.NaN;
  }

  /**
   * Records the checks of a read workload over keys that are all present: every one of {@code
   * ops} reads must have hit, and no value may be wrong ({@code what}: "keys", "accounts").
   */
  void checkReads(long hits, long ops, long wrong, String what) {
    checks = "hits=" + hits + "/" + ops + " wrong=" + wrong;
    if (hits != ops) {
      fail((ops - hits) + " present " + what + " not found");
    }
    if (wrong != 0) {
      fail(wrong + " values of the wrong length or content");
    }
  }

  void fail(String why) {
    ok = false;
    error = error.isEmpty() ? why : error + "; " + why;
  }

  String toLine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("suite", suite);
    m.put("engine", engine);
    m.put("workload", workload);
    m.put("round", Integer.toString(round));
    m.put("n", Long.toString(n));
    m.put("ops", Long.toString(ops));
    m.put("seconds", Double.toString(seconds));
    m.put("userBytes", Long.toString(userBytes));
    m.put("p50", Double.toString(p50Micros));
    m.put("p99", Double.toString(p99Micros));
    m.put("p999", Double.toString(p999Micros));
    m.put("latencyOf", latencyOf);
    m.put("disk", Long.toString(diskBytes));
    m.put("wa", Double.toString(writeAmplification));
    m.put("heap", Long.toString(liveHeapBytes));
    m.put("rss", Long.toString(rssBytes));
    m.put("heapCommitted", Long.toString(heapCommittedBytes));
    m.put("rssAnon", Long.toString(rssAnonBytes));
    m.put("checks", checks);
    m.put("root", root);
    m.put("ok", Boolean.toString(ok));
    m.put("error", error);
    jvm.forEach((k, v) -> m.put("jvm." + k, v));
    StringBuilder s = new StringBuilder(PREFIX);
    m.forEach((k, v) -> s.append(k).append('=')
        .append(URLEncoder.encode(v == null ? "" : v, StandardCharsets.UTF_8)).append(' '));
    return s.toString().trim();
  }

  static RunResult parse(String line) {
    if (!line.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a result line: " + line);
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : line.substring(PREFIX.length()).trim().split(" ")) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    RunResult r = new RunResult();
    r.suite = m.get("suite");
    r.engine = m.get("engine");
    r.workload = m.get("workload");
    r.round = Integer.parseInt(m.get("round"));
    r.n = Long.parseLong(m.get("n"));
    r.ops = Long.parseLong(m.get("ops"));
    r.seconds = Double.parseDouble(m.get("seconds"));
    r.userBytes = Long.parseLong(m.get("userBytes"));
    r.p50Micros = Double.parseDouble(m.get("p50"));
    r.p99Micros = Double.parseDouble(m.get("p99"));
    r.p999Micros = Double.parseDouble(m.get("p999"));
    r.latencyOf = m.get("latencyOf");
    r.diskBytes = Long.parseLong(m.get("disk"));
    r.writeAmplification = Double.parseDouble(m.get("wa"));
    r.liveHeapBytes = Long.parseLong(m.getOrDefault("heap", "-1"));
    r.rssBytes = Long.parseLong(m.getOrDefault("rss", "-1"));
    r.heapCommittedBytes = Long.parseLong(m.getOrDefault("heapCommitted", "-1"));
    r.rssAnonBytes = Long.parseLong(m.getOrDefault("rssAnon", "-1"));
    r.checks = m.get("checks");
    r.root = m.get("root");
    r.ok = Boolean.parseBoolean(m.get("ok"));
    r.error = m.get("error");
    m.forEach((k, v) -> {
      if (k.startsWith("jvm.")) {
        r.jvm.put(k.substring(4), v);
      }
    });
    return r;
  }

  /** A placeholder for a workload whose child JVM ended before reporting it. */
  static RunResult missing(String suite, String engine, String workload, int round, long n,
      String why) {
    RunResult r = new RunResult();
    r.suite = suite;
    r.engine = engine;
    r.workload = workload;
    r.round = round;
    r.n = n;
    r.fail(why);
    return r;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %s %s round %d: %,.0f ops/s%s", suite, engine,
        workload, round, opsPerSecond(), ok ? "" : " FAILED: " + error);
  }
}

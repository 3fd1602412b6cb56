package io.strata.bench.run;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The child JVM: runs one suite for one engine, first an untimed warm-up pass on a smaller store,
 * then the measured pass, and prints progress and results on standard output (see {@link
 * ChildOutput}), then exits. A crash prints {@code ERROR <message>} and exits 1. Started by {@link
 * Runner} as {@code java -cp <this jar> io.strata.bench.run.Child key=value ...}; not meant to be
 * started by hand.
 */
public final class Child {
  static final String ERROR = "ERROR ";

  private Child() {}

  public static void main(String[] args) {
    PrintStream stdout = System.out;
    try {
      Map<String, String> a = new HashMap<>();
      for (String arg : args) {
        int eq = arg.indexOf('=');
        a.put(arg.substring(0, eq), arg.substring(eq + 1));
      }
      run(a, stdout);
      stdout.flush();
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      stdout.println(ERROR + URLEncoder.encode(String.valueOf(t), StandardCharsets.UTF_8));
      stdout.flush();
      System.exit(1);
    }
  }

  private static void run(Map<String, String> a, PrintStream stdout) {
    String suite = a.get("suite");
    String engine = a.get("engine");
    int round = Integer.parseInt(a.get("round"));
    int n = Integer.parseInt(a.get("n"));
    int warmN = Integer.parseInt(a.get("warmup"));
    long cap = (long) (Double.parseDouble(a.get("cap")) * 1e9);
    Set<String> workloads = new LinkedHashSet<>(List.of(a.get("workloads").split(",")));
    Path base = Path.of(a.get("dir"));
    Map<String, String> facts = facts();
    ChildOutput lines = ChildOutput.lines(stdout);
    ChildOutput measured = new ChildOutput() {
      @Override
      public void progress(String workload, double fraction, double opsPerSecond) {
        lines.progress(workload, fraction, opsPerSecond);
      }

      @Override
      public void result(RunResult result) {
        result.jvm.putAll(facts);
        memory(result);
        lines.result(result);
      }
    };
    ChildOutput warmUp = new ChildOutput() {
      @Override
      public void progress(String workload, double fraction, double opsPerSecond) {
        lines.progress("warm-up:" + workload, fraction, opsPerSecond);
      }

      @Override
      public void result(RunResult result) {
        ChildOutput.NONE.result(result);
      }
    };
    if (suite.equals(KvSuite.NAME)) {
      int syncOps = Integer.parseInt(a.get("syncOps"));
      Set<String> all = new LinkedHashSet<>(KvSuite.WORKLOADS);
      if (warmN > 0) {
        KvSuite.run(new KvSuite.Params(engine, warmN, Math.max(1, syncOps / 10), cap / 5, all,
            base, 0), warmUp);
      }
      KvSuite.run(new KvSuite.Params(engine, n, syncOps, cap, workloads, base, round), measured);
    } else if (suite.equals(TrieSuite.NAME)) {
      int blocks = Integer.parseInt(a.get("blocks"));
      Set<String> all = new LinkedHashSet<>(TrieSuite.WORKLOADS);
      if (!workloads.contains("world")) {
        all.remove("world"); // the world's load is long: warm it up only when it is measured
      }
      if (warmN > 0) {
        TrieSuite.run(new TrieSuite.Params(engine, warmN, Math.max(2, blocks / 5), cap / 5, all,
            base, 0), warmUp);
      }
      TrieSuite.run(new TrieSuite.Params(engine, n, blocks, cap, workloads, base, round),
          measured);
    } else {
      throw new IllegalArgumentException("unknown suite " + suite);
    }
  }

  /**
   * Fills in the live heap after a full GC and the resident set size, now (after the workload's
   * timing ended, with its engine still open): the full GC costs nothing that is timed.
   */
  static void memory(RunResult r) {
    System.gc();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    r.liveHeapBytes = heap.getUsed();
    r.rssBytes = status("VmRSS:");
    r.rssAnonBytes = status("RssAnon:");
    r.heapCommittedBytes = heap.getCommitted();
  }

  /** A size field of /proc/self/status (such as {@code "VmRSS:"}) in bytes; -1 if absent. */
  static long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          String[] f = line.substring(field.length()).trim().split("\\s+");
          return Long.parseLong(f[0]) * (f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Facts about this JVM and the OS under it, recorded with every result. */
  static Map<String, String> facts() {
    Map<String, String> f = new LinkedHashMap<>();
    for (String p : List.of("java.version", "java.vm.name", "java.vm.version", "os.name",
        "os.version", "os.arch")) {
      f.put(p, System.getProperty(p, ""));
    }
    f.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
    f.put("maxHeapMiB", Long.toString(Runtime.getRuntime().maxMemory() >> 20));
    f.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")));
    f.put("jvmArgs", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    return f;
  }
}

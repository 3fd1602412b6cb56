package io.strata.bench.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the benchmark: for each round, for each suite, each engine in a fresh child JVM ({@link
 * Child}), so engines interleave (round 1: every engine, round 2: every engine...) and none pays
 * for another's garbage or JIT state. Reads each child's progress and result lines, draws the
 * progress, keeps each child's standard error in {@code <out>/logs/}, and marks the workloads of a
 * child that died as failed. Afterwards compares the trie roots of the engines of each round.
 * Used from one thread. On a signal (Ctrl-C, SIGTERM) the shutdown hook stops the {@link
 * ChildLauncher} (the running child is killed and no other starts), waits for the loop to end and
 * its temporary databases to be removed, and {@link #run} throws {@link ChildLauncher.Stopped}.
 */
final class Runner {
  private final Settings settings;
  private final Progress progress;
  private final Path logs;
  /** Starts the child JVMs; stopped by the shutdown hook. */
  private final ChildLauncher children = new ChildLauncher();

  Runner(Settings settings, Progress progress) {
    this.settings = settings;
    this.progress = progress;
    this.logs = settings.out().resolve("logs");
  }

  /** One child JVM's work. */
  private record Job(String suite, String engine, int round) {}

  List<RunResult> run() throws IOException, InterruptedException, ChildLauncher.Stopped {
    Files.createDirectories(logs);
    boolean temporary = settings.dir() == null;
    Path base = temporary ? Files.createTempDirectory("strata-bench-") : settings.dir();
    Files.createDirectories(base);
    List<Job> jobs = new ArrayList<>();
    for (int round = 1; round <= settings.rounds(); round++) {
      for (String suite : settings.suites()) {
        for (String engine : settings.engines(suite)) {
          jobs.add(new Job(suite, engine, round));
        }
      }
    }
    List<RunResult> results = new ArrayList<>();
    // on a signal: stop the running child, start no other, and let the loop remove the temporary
    // databases before the JVM halts (it halts once the hooks return)
    CountDownLatch loopEnded = new CountDownLatch(1);
    Thread cleanup = new Thread(() -> {
      children.stop();
      try {
        if (!loopEnded.await(60, TimeUnit.SECONDS) && temporary) {
          KvSuite.delete(base); // the loop is stuck: remove them here
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "strata-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      for (int i = 0; i < jobs.size() && !children.stopped(); i++) {
        Job job = jobs.get(i);
        progress.start(String.format("[%d/%d] %s %s, round %d of %d", i + 1, jobs.size(),
            job.suite(), job.engine(), job.round(), settings.rounds()));
        results.addAll(runChild(job, base));
      }
    } finally {
      progress.end();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waits for this loop
      }
      if (temporary) {
        KvSuite.delete(base);
      }
      loopEnded.countDown();
    }
    if (children.stopped()) {
      throw new ChildLauncher.Stopped();
    }
    compareRoots(results);
    return results;
  }

  private List<RunResult> runChild(Job job, Path base)
      throws IOException, InterruptedException, ChildLauncher.Stopped {
    String suite = job.suite();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // a fixed, pre-touched heap, as servers run (the same for every engine): no workload pays
        // the kernel's first touch of heap pages, which the full GCs between workloads would
        // otherwise hand back to the OS (the heap shrinks to -Xms) and the next one touch again
        "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"));
    // extra child JVM options for profiling, e.g. -Dstrata.bench.childJvmArgs=-XX:StartFlightRecording=...
    String extra = System.getProperty("strata.bench.childJvmArgs", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        Child.class.getName(),
        "suite=" + suite, "engine=" + job.engine(), "round=" + job.round(),
        "n=" + settings.n(suite), "warmup=" + settings.warmup(suite),
        "cap=" + settings.capSeconds(), "syncOps=" + settings.syncOps(),
        "blocks=" + settings.blocks(),
        "workloads=" + String.join(",", settings.workloads(suite)),
        "dir=" + base.toAbsolutePath()));
    Path log = logs.resolve(suite + "-" + job.engine() + "-round" + job.round() + ".log");
    Process p = children.start(new ProcessBuilder(command).redirectError(log.toFile()));
    p.getOutputStream().close();
    Map<String, RunResult> got = new LinkedHashMap<>();
    String error = null;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(ChildOutput.PROGRESS)) {
          String[] parts = line.substring(ChildOutput.PROGRESS.length()).split(" ");
          progress.update(parts[0], Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
        } else if (line.startsWith(RunResult.PREFIX)) {
          RunResult result = RunResult.parse(line);
          got.put(result.workload, result);
          progress.result(result);
        } else if (line.startsWith(Child.ERROR)) {
          error = URLDecoder.decode(line.substring(Child.ERROR.length()),
              StandardCharsets.UTF_8);
        }
      }
    }
    int exit = p.waitFor();
    List<RunResult> results = new ArrayList<>();
    for (String workload : settings.workloads(suite)) {
      if (suite.equals(TrieSuite.NAME) && !TrieSuite.supports(job.engine(), workload)) {
        continue;
      }
      RunResult result = got.get(workload);
      if (result == null) {
        result = RunResult.missing(suite, job.engine(), workload, job.round(), settings.n(suite),
            "the child JVM ended (exit code " + exit + ") before this workload"
                + (error == null ? "" : ": " + error) + "; see " + log);
        progress.result(result);
      }
      results.add(result);
    }
    return results;
  }

  /**
   * Every trie engine ran the same operations, so in each round and workload their roots must
   * agree. The reference is Tuweni's root (else Strata's in-memory one); a run whose root differs
   * is marked failed.
   */
  static void compareRoots(List<RunResult> results) {
    Map<String, RunResult> reference = new LinkedHashMap<>();
    for (String engine : List.of("tuweni", "strata-memory", "strata-store")) {
      for (RunResult r : results) {
        if (r.suite.equals(TrieSuite.NAME) && r.engine.equals(engine) && !r.root.isEmpty()) {
          reference.putIfAbsent(r.round + "/" + r.workload, r);
        }
      }
    }
    for (RunResult r : results) {
      RunResult ref = reference.get(r.round + "/" + r.workload);
      if (r.suite.equals(TrieSuite.NAME) && ref != null && ref != r && !r.root.isEmpty()
          && !Objects.equals(ref.root, r.root)) {
        r.fail("root " + r.root + " differs from " + ref.engine + "'s " + ref.root);
      }
    }
  }
}

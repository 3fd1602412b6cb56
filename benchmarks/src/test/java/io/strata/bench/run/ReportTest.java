package io.strata.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The report's parts on made-up results: medians, failures, JSON, charts, roots, latencies. */
class ReportTest {
  private static RunResult run(String suite, String engine, String workload, int round,
      double opsPerSecond) {
    RunResult r = new RunResult();
    r.suite = suite;
    r.engine = engine;
    r.workload = workload;
    r.round = round;
    r.n = 1000;
    r.ops = 1000;
    r.seconds = 1000 / opsPerSecond;
    r.userBytes = 116_000;
    return r;
  }

  @Test
  void failedRunsAreMarkedAndLeftOutOfTheMedians(@TempDir Path dir) throws Exception {
    Settings s = Settings.parse("kv", "--engines", "strata,rocksdb", "--workloads",
        "readrandom", "--rounds", "3");
    List<RunResult> results = new ArrayList<>();
    results.add(run("kv", "strata", "readrandom", 1, 100));
    results.add(run("kv", "strata", "readrandom", 2, 300));
    RunResult bad = run("kv", "strata", "readrandom", 3, 7_777_777);
    bad.fail("3 present keys not found");
    results.add(bad);
    for (int round = 1; round <= 3; round++) {
      RunResult r = run("kv", "rocksdb", "readrandom", round, 50);
      r.fail("broken \"quote\" <tag> & \\ \n newline");
      results.add(r);
    }
    Report.write(dir, s, "cmd \"x\"", results, ZonedDateTime.now(), 1.5, "0.5");

    Report.Summary strata = Report.summarize(s, results).get(0);
    assertEquals(200, strata.median(), 1e-9, "median of the two passed rounds only");
    assertEquals(100, strata.min(), 1e-9);
    assertEquals(300, strata.max(), 1e-9);
    assertEquals(1, strata.failed());

    String md = Files.readString(dir.resolve("report.md"));
    assertTrue(md.contains("| readrandom | 200 ±50% (1 failed) | failed | - |"), md);
    assertTrue(md.contains("## Failed runs"), md);
    assertTrue(md.contains("3 present keys not found"), md);
    assertFalse(md.contains("7,777,777"), "a failed run's figure is not quoted");

    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) Json.parse(
        Files.readString(dir.resolve("results.json")));
    assertEquals("cmd \"x\"", json.get("command"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> runs = (List<Map<String, Object>>) json.get("runs");
    assertEquals(6, runs.size());
    assertEquals("broken \"quote\" <tag> & \\ \n newline", runs.get(3).get("error"));
    assertEquals(Boolean.FALSE, runs.get(3).get("ok"));

    Document svg = MainTest.parseXml(dir.resolve("kv.svg"));
    assertEquals("svg", svg.getDocumentElement().getTagName());
  }

  @Test
  void aChartWithWideRangesUsesALogScaleAndEscapesText() throws Exception {
    String svg = BarChart.svg("a <b> & \"c\"", "ops/s", List.of("w<1>", "w2"),
        List.of("strata", "peer&co"), new double[][] {{10, 1_000_000}, {Double.NaN, 5}},
        new double[][] {{9, 900_000}, {Double.NaN, 4}},
        new double[][] {{11, 1_100_000}, {Double.NaN, 6}});
    assertTrue(svg.contains("(log scale)"));
    assertTrue(svg.contains("1M") && svg.contains("10"), svg);
    Path f = Files.createTempFile("chart", ".svg");
    try {
      Files.writeString(f, svg);
      Document doc = MainTest.parseXml(f);
      assertEquals("svg", doc.getDocumentElement().getTagName());
    } finally {
      Files.delete(f);
    }
    String linear = BarChart.svg("t", "ops/s", List.of("w"), List.of("a", "b"),
        new double[][] {{100, 150}}, new double[][] {{90, 140}}, new double[][] {{110, 160}});
    assertFalse(linear.contains("log scale"));
  }

  @Test
  void trieRootsThatDisagreeFailTheOddOneOut() {
    List<RunResult> results = new ArrayList<>();
    for (String engine : List.of("strata-store", "strata-memory", "tuweni")) {
      RunResult r = run("trie", engine, "blocks", 1, 10);
      r.root = engine.equals("strata-store") ? "bad" : "abc";
      results.add(r);
    }
    Runner.compareRoots(results);
    assertFalse(results.get(0).ok);
    assertTrue(results.get(0).error.contains("differs from tuweni's"), results.get(0).error);
    assertTrue(results.get(1).ok);
    assertTrue(results.get(2).ok);
  }

  @Test
  void resultLinesRoundTrip() {
    RunResult r = run("kv", "mvstore", "fillsync", 2, 123.5);
    r.fail("a = b & c\nd %");
    r.p99Micros = 12.5;
    r.root = "00ff";
    r.jvm.put("jvmArgs", "-Xmx3g -Dx=a b");
    RunResult back = RunResult.parse(r.toLine());
    assertEquals(r.toLine(), back.toLine());
    assertEquals("a = b & c\nd %", back.error);
    assertEquals("-Xmx3g -Dx=a b", back.jvm.get("jvmArgs"));
    assertFalse(r.toLine().contains("\n"));
  }

  @Test
  void histogramQuantilesAreWithinThreePercent() {
    LatencyHistogram h = new LatencyHistogram();
    Random random = new Random(1);
    long[] values = new long[100_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(random.nextDouble() * 20); // 1 ns to ~0.5 s
      h.record(values[i]);
    }
    java.util.Arrays.sort(values);
    for (double q : new double[] {0.5, 0.99, 0.999}) {
      double exact = values[(int) Math.ceil(q * values.length) - 1];
      assertEquals(exact, h.quantile(q), exact * 0.03 + 1, "quantile " + q);
    }
    for (int i = 0; i <= LatencyHistogram.index(Long.MAX_VALUE); i++) {
      assertEquals(i, LatencyHistogram.index(LatencyHistogram.lowest(i)), "bucket " + i);
    }
  }

  @Test
  void defaultsAndSelections() throws Exception {
    Settings quick = Settings.parse("--quick");
    assertEquals(List.of("kv", "trie"), quick.suites());
    assertEquals(2, quick.rounds());
    Settings strata = Settings.parse("all", "--engines", "strata", "--n=5000");
    assertEquals(List.of("strata"), strata.engines("kv"));
    assertEquals(List.of("strata-store", "strata-store-w128", "strata-memory"),
        strata.engines("trie"));
    assertEquals(300, Settings.parse("trie", "--blocks", "300").blocks());
    assertEquals(5000, strata.n("kv"));
    assertEquals(3, strata.rounds());
    Settings trieOnly = Settings.parse("--workloads", "blocks");
    assertEquals(List.of("trie"), trieOnly.suites(), "a suite with nothing selected is dropped");
  }
}

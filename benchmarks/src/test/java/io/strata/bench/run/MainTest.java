package io.strata.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

/** The runner end to end: argument errors, and a small run over every engine of both suites. */
class MainTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8), false);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--bogus", "--n", "--n abc", "--n 0", "--n 10", "--engines nosuch",
      "--engines strata,nosuch", "--workloads nosuch", "kv trie", "trie --workloads fillseq",
      "kv --engines tuweni", "trie --engines tuweni --workloads sync", "--rounds 0", "--out", "extra"})
  void argumentErrorsGiveTheUsageAndExitCodeTwo(String args) {
    assertEquals(2, run(args.split(" ")));
    assertTrue(err().startsWith("strata-bench: "), err());
    assertTrue(err().contains("usage: java -jar benchmarks/target/strata-bench.jar"), err());
    assertEquals("", out(), "nothing runs");
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() {
    assertEquals(0, run("--help"));
    assertTrue(out().contains("--quick"), out());
    assertTrue(out().contains("--engines"), out());
  }

  @Test
  void quickRunOverEveryEngineWritesAValidReport(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("report");
    Path dbs = tmp.resolve("dbs");
    int exit = run("--quick", "--n", "1000", "--out", out.toString(), "--dir", dbs.toString());
    assertEquals(0, exit, out() + err());
    assertFalse(out().contains("\r"), "plain output when not on a terminal");
    assertTrue(out().contains("| workload (ops/s) |"), "prints the tables: " + out());
    try (Stream<Path> left = Files.list(dbs)) {
      assertEquals(0, left.count(), "every database is deleted after its run");
    }

    // results.json: valid JSON, every engine x workload x round, each passed with figures
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) Json.parse(
        Files.readString(out.resolve("results.json")));
    for (String key : List.of("date", "command", "settings", "configuration", "versions",
        "machine", "runs", "summary")) {
      assertTrue(json.containsKey(key), "results.json has " + key);
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> runs = (List<Map<String, Object>>) json.get("runs");
    int trieRuns = 0;
    for (String e : TrieSuite.ENGINES) {
      for (String w : TrieSuite.WORKLOADS) {
        // world runs only when named (its load is long): not in a run without --workloads
        trieRuns += TrieSuite.supports(e, w) && !w.equals("world") ? 1 : 0;
      }
    }
    assertEquals(TrieSuite.ENGINES.size() * 3 + 3, trieRuns, "range workloads: strata-store");
    int expected = 2 * (KvSuite.ENGINES.size() * KvSuite.WORKLOADS.size() + trieRuns);
    assertEquals(expected, runs.size());
    Set<String> seen = new HashSet<>();
    for (Map<String, Object> r : runs) {
      String id = r.get("suite") + "/" + r.get("engine") + "/" + r.get("workload") + "/"
          + r.get("round");
      assertTrue(seen.add(id), "one run each: " + id);
      assertEquals(Boolean.TRUE, r.get("ok"), id + ": " + r.get("error"));
      assertEquals(1000.0, r.get("n"), id);
      assertTrue((Double) r.get("opsPerSecond") > 0, id);
      assertTrue((Double) r.get("ops") > 0, id);
      assertNotNull(r.get("mbPerSecond"), id);
      assertTrue(r.containsKey("latencyMicros") && r.containsKey("diskBytes")
          && r.containsKey("writeAmplification") && r.containsKey("checks"), id);
      @SuppressWarnings("unchecked")
      Map<String, Object> jvm = (Map<String, Object>) r.get("jvm");
      assertEquals(System.getProperty("java.version"), jvm.get("java.version"), id);
      assertTrue(jvm.containsKey("os.name") && jvm.containsKey("cpus"), id);
      if (r.get("workload").equals("readrandom") && r.get("suite").equals("kv")) {
        double ops = (Double) r.get("ops");
        assertTrue(r.get("checks").toString().startsWith("hits=" + (long) ops + "/" + (long) ops),
            id + ": exact hits " + r.get("checks"));
      }
      if (r.get("workload").equals("verifyrange")) {
        assertEquals("verified=1/1 hasMore=0", r.get("checks"), id);
      }
      if (r.get("workload").equals("sync")) {
        assertTrue(r.get("checks").toString().startsWith("accounts=1000 bytesMoved="), id);
        assertTrue(r.get("checks").toString().endsWith("sampleWrong=0/1000"), id);
      }
      if (r.get("workload").equals("readmissing")) {
        double ops = (Double) r.get("ops");
        assertEquals("misses=" + (long) ops + "/" + (long) ops, r.get("checks"), id);
      }
      if (r.get("suite").equals("kv") && !r.get("workload").equals("readseq")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) r.get("latencyMicros");
        assertTrue((Double) latency.get("p50") <= (Double) latency.get("p99")
            && (Double) latency.get("p99") <= (Double) latency.get("p999"), id + " " + latency);
      }
    }
    assertEquals(expected, seen.size());

    // report.md: a table per suite with ratios, and the charts
    String md = Files.readString(out.resolve("report.md"));
    for (String s : List.of("| fillseq |", "| readmissing |", "| sync |", "strata/rocksdb",
        "strata/leveldb", "strata/mvstore", "| blocks |", "strata-memory/tuweni",
        "strata-store/tuweni", "(kv.svg)", "(trie.svg)", "## Configuration")) {
      assertTrue(md.contains(s), "report.md has " + s);
    }
    assertFalse(md.contains("failed |"), md);

    // SVGs: well-formed XML, an <svg> root with bars
    for (String chart : List.of("kv.svg", "trie.svg")) {
      Document doc = parseXml(out.resolve(chart));
      assertEquals("svg", doc.getDocumentElement().getTagName(), chart);
      assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getNamespaceURI());
      assertTrue(doc.getElementsByTagName("rect").getLength() > 10, chart);
    }
  }

  static Document parseXml(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(file.toFile());
  }
}

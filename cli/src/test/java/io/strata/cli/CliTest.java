package io.strata.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.trie.Hash;
import io.strata.trie.Proof;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command of the tool on real stores built here, in plain text and --json. */
class CliTest {
  @TempDir Path tmp;
  Path kv;
  Path state;
  List<Hash> roots = new ArrayList<>();

  record Result(int code, String out, String err) {
    Map<String, Object> json() {
      return Json.object(out);
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  static Result ok(String... args) {
    Result r = run(args);
    assertEquals(0, r.code, () -> String.join(" ", args) + "\nout: " + r.out + "\nerr: " + r.err);
    return r;
  }

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static Options small() {
    return Options.builder().writeBufferSize(32 * 1024).blockSize(512).targetFileSize(16 * 1024)
        .maxBytesForLevelBase(64 * 1024).build();
  }

  /** kv: key00000..key02999 = value-i, then key00001 overwritten and key00002 deleted in the log. */
  @BeforeEach
  void buildStores() {
    kv = tmp.resolve("kv");
    try (Db db = Db.open(kv, small())) {
      for (int i = 0; i < 3000; i++) {
        db.put(b(String.format("key%05d", i)), b("value-" + i));
      }
      db.flush();
      db.waitForCompactions();
      db.put(b("key00001"), b("new"));
      db.delete(b("key00002"));
    }
    state = tmp.resolve("state");
    try (StateStore s = StateStore.open(state)) {
      Trie t = s.emptyTrie();
      for (int block = 0; block < 4; block++) {
        for (int i = 0; i < 100; i++) {
          t = t.put(b("acct" + (block * 30 + i)), b("bal" + block + "-" + i));
        }
        roots.add(s.commit(block, t));
      }
    }
  }

  static Map<String, byte[]> listing(Path d) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(d)) {
      for (Path p : files.toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  static void assertSameListing(Map<String, byte[]> a, Map<String, byte[]> b) {
    assertEquals(a.keySet(), b.keySet());
    a.forEach((name, bytes) -> assertArrayEquals(bytes, b.get(name), name));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rows(Map<String, Object> doc, String name) {
    return (List<Map<String, Object>>) doc.get(name);
  }

  static List<Path> tables(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".sst")).sorted().toList();
    }
  }

  // ------------------------------------------------------------------ db

  @Test
  void dbStats() {
    Result text = ok("db", "stats", kv.toString());
    assertTrue(text.out.contains("tables"), text.out);
    assertTrue(text.out.lines().anyMatch(l -> l.matches("\\s+level\\s+tables\\s+bytes.*")),
        text.out);
    Map<String, Object> j = ok("db", "stats", kv.toString(), "--json").json();
    assertEquals(7, rows(j, "levels").size());
    long tables = rows(j, "levels").stream().mapToLong(r -> (Long) r.get("tables")).sum();
    assertEquals(tables, j.get("tables"));
    assertTrue((Long) j.get("tables") > 0);
    assertTrue((Long) j.get("estimatedKeys") >= 3000);
  }

  @Test
  void dbGet() {
    Map<String, Object> j = ok("db", "get", kv.toString(), "key00001", "--json").json();
    assertEquals(true, j.get("found"));
    assertEquals("new", j.get("value"));
    j = ok("db", "get", kv.toString(), "key00002", "--json").json();
    assertEquals(false, j.get("found"));
    assertNull(j.get("value"));
    String hexKey = HexFormat.of().formatHex(b("key00007"));
    j = ok("db", "get", kv.toString(), hexKey, "--hex", "--json").json();
    assertEquals(HexFormat.of().formatHex(b("value-7")), j.get("value"));
    j = ok("db", "get", kv.toString(), "0x" + hexKey, "--json").json();
    assertEquals("value-7", j.get("value"));
    Result text = ok("db", "get", kv.toString(), "key00007");
    assertTrue(text.out.lines().anyMatch(l -> l.matches("value\\s+value-7")), text.out);
  }

  @Test
  void dbScan() {
    Map<String, Object> j = ok("db", "scan", kv.toString(), "--from", "key00000", "--to",
        "key00005", "--json").json();
    List<Map<String, Object>> e = rows(j, "entries");
    assertEquals(List.of("key00000", "key00001", "key00003", "key00004"),
        e.stream().map(r -> r.get("key")).toList());
    assertEquals("new", e.get(1).get("value"));
    assertEquals(false, j.get("truncated"));
    j = ok("db", "scan", kv.toString(), "--reverse", "--limit", "2", "--json").json();
    assertEquals(List.of("key02999", "key02998"),
        rows(j, "entries").stream().map(r -> r.get("key")).toList());
    assertEquals(true, j.get("truncated"));
    j = ok("db", "scan", kv.toString(), "--limit", "0", "--json").json();
    assertEquals(2999L, j.get("count"));
    Result text = ok("db", "scan", kv.toString(), "--limit", "3");
    assertTrue(text.out.contains("key00000  value-0"), text.out);
  }

  @Test
  void dbVerifyOkThenDamagedTableNamed() throws IOException {
    Result good = ok("db", "verify", kv.toString());
    assertTrue(good.out.lines().anyMatch(l -> l.matches("ok\\s+true")), good.out);
    Path table = tables(kv).get(0);
    try (RandomAccessFile f = new RandomAccessFile(table.toFile(), "rw")) {
      f.seek(100);
      int x = f.read();
      f.seek(100);
      f.write(x ^ 0x5A);
    }
    Result bad = run("db", "verify", kv.toString());
    assertEquals(1, bad.code, bad.out + bad.err);
    assertTrue(bad.out.contains(table.getFileName().toString()), bad.out);
    Map<String, Object> j = run("db", "verify", kv.toString(), "--json").json();
    assertEquals(false, j.get("ok"));
    assertTrue(rows(j, "problems").stream()
        .anyMatch(p -> p.get("file").equals(table.toString())), j.toString());
    // sst on the damaged file: exit 1, the block named
    Result sst = run("sst", table.toString(), "--json");
    assertEquals(1, sst.code, sst.out + sst.err);
    assertTrue((Long) sst.json().get("damagedBlocks") >= 1);
  }

  @Test
  void dbCompact() {
    Map<String, Object> j = ok("db", "compact", kv.toString(), "--json").json();
    assertTrue((Long) j.get("tablesAfter") >= 1);
    Map<String, Object> stats = ok("db", "stats", kv.toString(), "--json").json();
    List<Map<String, Object>> levels = rows(stats, "levels");
    for (int level = 0; level < 6; level++) {
      assertEquals(0L, levels.get(level).get("tables"), "level " + level);
    }
    assertEquals("new", ok("db", "get", kv.toString(), "key00001", "--json").json().get("value"));
  }

  @Test
  void dbCheckpoint() throws IOException {
    Path target = tmp.resolve("copy");
    Map<String, byte[]> before = listing(kv);
    Map<String, Object> j = ok("db", "checkpoint", kv.toString(), target.toString(), "--json")
        .json();
    assertEquals(target.toString(), j.get("target"));
    assertSameListing(before, listing(kv));
    try (Db copy = Db.open(target, small())) {
      assertEquals("new", new String(copy.get(b("key00001")), UTF_8));
      assertNull(copy.get(b("key00002")));
      assertEquals("value-2999", new String(copy.get(b("key02999")), UTF_8));
    }
    Result again = run("db", "checkpoint", kv.toString(), target.toString());
    assertEquals(2, again.code, again.err);
    assertTrue(again.err.contains("exists"), again.err);
  }

  @Test
  void dbProperty() {
    Map<String, Object> all = ok("db", "property", kv.toString(), "--json").json();
    assertEquals("none", all.get("strata.background-errors"));
    assertEquals(7, ((List<?>) all.get("strata.levels")).size());
    String from = HexFormat.of().formatHex(b("key01000"));
    Map<String, Object> one = ok("db", "property", kv.toString(),
        "strata.approximate-bytes:" + from + "..", "--json").json();
    long part = Long.parseLong((String) one.get("strata.approximate-bytes:" + from + ".."));
    long whole = Long.parseLong((String) all.get("strata.approximate-bytes:.."));
    assertTrue(part > 0 && part < whole, part + " of " + whole);
    Result text = ok("db", "property", kv.toString(), "strata.estimated-keys");
    assertTrue(text.out.matches("strata.estimated-keys\\s+\\d+\\n"), text.out);
    Result unknown = run("db", "property", kv.toString(), "strata.nope");
    assertEquals(2, unknown.code);
    assertTrue(unknown.err.contains("strata.levels"), unknown.err);
  }

  // ------------------------------------------------------------------ files

  @Test
  void sst() throws IOException {
    Path table = tables(kv).get(0);
    Map<String, Object> j = ok("sst", table.toString(), "--entries", "--limit", "5", "--json")
        .json();
    @SuppressWarnings("unchecked")
    Map<String, Object> props = (Map<String, Object>) j.get("properties");
    long entries = (Long) props.get("entries");
    assertTrue(entries > 0);
    long blockEntries = rows(j, "blocks").stream().mapToLong(r -> (Long) r.get("entries")).sum();
    assertEquals(entries, blockEntries);
    assertTrue(rows(j, "blocks").stream().allMatch(r -> r.get("checksum").equals("ok")));
    assertEquals(5, rows(j, "entries").size());
    assertEquals(0L, j.get("damagedBlocks"));
    Result text = ok("sst", table.toString());
    assertTrue(text.out.contains("properties:") && text.out.contains("footer:")
        && text.out.contains("blocks:"), text.out);
  }

  @Test
  void manifest() {
    Map<String, Object> j = ok("manifest", kv.toString(), "--json").json();
    assertTrue(((String) j.get("current")).startsWith("MANIFEST-"));
    assertFalse(rows(j, "edits").isEmpty());
    long tables = rows(j, "levels").stream().mapToLong(r -> (Long) r.get("tables")).sum();
    try (Db db = Db.openReadOnly(kv)) {
      assertEquals(db.stats().tables(), tables);
    }
    Result text = ok("manifest", kv.toString());
    assertTrue(text.out.contains("edits:"), text.out);
  }

  @Test
  void walRecordsAndATornTailLeftAlone() throws IOException {
    Map<String, Object> j = ok("wal", kv.toString(), "--ops", "--json").json();
    List<Map<String, Object>> records = rows(j, "records");
    assertEquals(2, records.size(), j.toString()); // the overwrite and the delete
    assertEquals(List.of("put key00001 = new"), records.get(0).get("ops"));
    assertEquals(List.of("delete key00002"), records.get(1).get("ops"));
    assertEquals((Long) records.get(0).get("sequence") + 1, records.get(1).get("sequence"));
    // a torn tail: garbage after the last record is reported, and left as it is
    Path segment;
    try (Stream<Path> files = Files.list(kv)) {
      segment = files.filter(p -> p.toString().endsWith(".wal")).sorted()
          .reduce((a, c) -> c).orElseThrow();
    }
    byte[] whole = Files.readAllBytes(segment);
    // the last record cut short, as a crash in the middle of its write leaves it
    Files.write(segment, java.util.Arrays.copyOf(whole, whole.length - 3));
    Map<String, byte[]> before = listing(kv);
    Map<String, Object> torn = ok("wal", kv.toString(), "--json").json();
    String tail = rows(torn, "segments").stream().map(s -> (String) s.get("tornTail"))
        .filter(t -> t != null).findFirst().orElse(null);
    assertTrue(tail != null && tail.contains("bytes dropped"), torn.toString());
    assertEquals(1, rows(torn, "records").size(), torn.toString()); // the delete is torn off
    assertSameListing(before, listing(kv));
    // damage no interrupted write can cause (a bad fragment type): exit 1, the segment named
    byte[] damaged = whole.clone();
    Files.write(segment, damaged);
    Files.write(segment, new byte[] {1, 2, 3, 4, 5, 6, 7}, java.nio.file.StandardOpenOption.APPEND);
    Result bad = run("wal", kv.toString());
    assertEquals(1, bad.code, bad.out + bad.err);
    assertTrue(bad.err.contains(segment.getFileName().toString()), bad.err);
  }

  // ------------------------------------------------------------------ trie

  @Test
  void trieRootsGetProveDiffStats() {
    Map<String, Object> j = ok("trie", "roots", state.toString(), "--json").json();
    assertEquals(3L, j.get("latestBlock"));
    List<Map<String, Object>> r = rows(j, "roots");
    assertEquals(4, r.size());
    assertEquals(roots.get(3).toString(), r.get(0).get("root"));
    assertEquals(3L, r.get(0).get("block"));

    j = ok("trie", "get", state.toString(), "acct5", "--block", "0", "--json").json();
    assertEquals("bal0-5", j.get("value"));
    j = ok("trie", "get", state.toString(), "acct35", "--json").json(); // latest
    assertEquals("bal1-5", j.get("value"));
    j = ok("trie", "get", state.toString(), "acct200", "--root", roots.get(1).toString(),
        "--json").json();
    assertEquals(false, j.get("found"));

    j = ok("trie", "prove", state.toString(), "acct7", "--block", "2", "--json").json();
    assertEquals(true, j.get("found"));
    Proof proof = Proof.fromBytes(HexFormat.of().parseHex((String) j.get("proof")));
    assertEquals("bal0-7", new String(Proof.verify(roots.get(2), b("acct7"), proof)
        .orElseThrow(), UTF_8));

    j = ok("trie", "diff", state.toString(), "--from-block", "2", "--to-block", "3", "--limit",
        "0", "--json").json();
    List<Map<String, Object>> diff = rows(j, "differences");
    // block 3 writes acct90..acct189: acct90..acct159 changed (written in block 2), the rest added
    assertEquals(100, diff.size());
    assertEquals(30, diff.stream().filter(d -> d.get("change").equals("added")).count());
    assertEquals(70, diff.stream().filter(d -> d.get("change").equals("changed")).count());

    j = ok("trie", "stats", state.toString(), "--json").json();
    List<Map<String, Object>> depths = rows(j, "depths");
    long leaves = depths.stream().mapToLong(d -> (Long) d.get("leaves")).sum();
    long nodes = (Long) j.get("nodes");
    assertTrue(leaves > 0 && nodes > leaves);
    assertEquals(1L, depths.get(0).get("stored"));

    for (String[] args : new String[][] {{"roots"}, {"get", "acct5"}, {"prove", "acct5"},
        {"diff", "--from-block", "0"}, {"stats"}}) {
      String[] full = new String[args.length + 2];
      full[0] = "trie";
      full[1] = args[0];
      full[2] = state.toString();
      System.arraycopy(args, 1, full, 3, args.length - 1);
      Result text = ok(full);
      assertFalse(text.out.isBlank(), String.join(" ", full));
      assertFalse(text.out.startsWith("{"), text.out);
    }
  }

  // ------------------------------------------------------------------ usage

  @Test
  void badArgumentsExit2WithUsage() {
    String[][] bad = {
        {},
        {"nope"},
        {"db"},
        {"db", "scan"},
        {"db", "get", kv.toString()},
        {"db", "get", kv.toString(), "zz", "--hex"},
        {"db", "scan", kv.toString(), "--limit", "-1"},
        {"db", "scan", kv.toString(), "--limit", "many"},
        {"db", "get", kv.toString(), "k", "--hex", "--utf8"},
        {"db", "stats", tmp.resolve("absent").toString()},
        {"trie", "get", state.toString(), "k", "--block", "99"},
        {"trie", "diff", state.toString()},
        {"sst", tmp.resolve("absent.sst").toString()},
    };
    for (String[] args : bad) {
      Result r = run(args);
      assertEquals(2, r.code, String.join(" ", args) + ": " + r.out + r.err);
      assertTrue(r.err.contains("Usage:"), String.join(" ", args) + ": " + r.err);
    }
  }

  @Test
  void aDirectoryWithoutAStoreExits1() throws IOException {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    Result r = run("db", "stats", empty.toString(), "--json");
    assertEquals(1, r.code, r.err);
    assertEquals("error", r.json().get("error"));
    assertTrue(r.err.contains("no store"), r.err);
  }

  @Test
  void readCommandsChangeNothing() throws IOException {
    Map<String, byte[]> kvBefore = listing(kv);
    Map<String, byte[]> stateBefore = listing(state);
    Path table = tables(kv).get(0);
    ok("db", "stats", kv.toString());
    ok("db", "get", kv.toString(), "key00001");
    ok("db", "scan", kv.toString());
    ok("db", "verify", kv.toString());
    ok("db", "property", kv.toString());
    ok("sst", table.toString(), "--entries");
    ok("manifest", kv.toString());
    ok("wal", kv.toString(), "--ops");
    ok("trie", "roots", state.toString());
    ok("trie", "stats", state.toString());
    ok("trie", "prove", state.toString(), "acct1");
    assertSameListing(kvBefore, listing(kv));
    assertSameListing(stateBefore, listing(state));
  }
}

package io.strata.reliability;

import io.strata.StrataException;
import static io.strata.reliability.HostileFiles.DIR;
import static io.strata.reliability.HostileFiles.requireCorruption;
import static io.strata.reliability.HostileFiles.requireCorruptionOrFailedBackground;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.ReadOptions;
import io.strata.reliability.HostileFiles.Mutation;
import io.strata.reliability.HostileFiles.TableLayout;
import io.strata.reliability.HostileFiles.Template;
import io.strata.wal.LogWriter;
import io.strata.wal.RecoveryMode;
import io.strata.wal.Wal;
import io.strata.wal.WalOptions;
import io.strata.fs.MemFileSystem;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Guarantee 5 for the key-value store's files, through the public API only: a valid store on the
 * crash-simulating file system has one file (a write-ahead log segment, the manifest, {@code
 * CURRENT} or a table) replaced by random bytes, by a mutation of its valid bytes, or by a forgery
 * whose checksums are right (so that the record, edit, block, LZ4, index, filter and properties
 * decoders behind the checksums see hostile input); then the store is opened and read in full
 * (gets, cursor scans both ways, seeks, {@code verifyChecksums}, the background compactions the
 * open starts). The only acceptable outcomes are the true contents (for unforged damage that
 * misses what was read, or a cut-off log tail, which may drop the last records but never leave a
 * hole) and a {@link CorruptionException} naming the file and an offset; every try runs under a
 * watchdog, so a hang fails it, as do an index exception, an {@link OutOfMemoryError} or a stack
 * overflow. The log is also fed hostile segments directly through {@link Wal#open}.
 */
class HostileInputProperties {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  private static final AtomicLong tries = new AtomicLong();
  private static final AtomicLong corruptAtOpen = new AtomicLong();
  private static final AtomicLong corruptAtRead = new AtomicLong();
  private static final AtomicLong readTrue = new AtomicLong();
  private static final AtomicLong readForged = new AtomicLong();
  private static final AtomicLong checksumProblems = new AtomicLong();
  private static final AtomicLong operationsVerified = new AtomicLong();
  private static final AtomicLong walTries = new AtomicLong();
  private static final AtomicLong walRecordsChecked = new AtomicLong();
  private static final AtomicLong silentSegmentCuts = new AtomicLong();
  private static final AtomicLong violations = new AtomicLong();

  @AfterContainer
  static void report() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("store inputs tried", tries.get());
    f.put("corruption at open", corruptAtOpen.get());
    f.put("corruption while reading", corruptAtRead.get());
    f.put("opened and read the true contents", readTrue.get());
    f.put("opened and read a forgery without error", readForged.get());
    f.put("verifyChecksums problems reported", checksumProblems.get());
    f.put("reads verified", operationsVerified.get());
    f.put("log segments tried through Wal.open", walTries.get());
    f.put("log records checked", walRecordsChecked.get());
    f.put("non-last segments cut at a record boundary, read without error",
        silentSegmentCuts.get());
    f.put("violations", violations.get());
    ReliabilityReport.record("hostile store files", f);
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return Combinators.combine(Arbitraries.integers().between(0, 1 << 20),
            Arbitraries.integers().between(0, Mutation.KINDS - 1),
            Arbitraries.integers().between(0, 255))
        .as(Mutation::new).list().ofMinSize(1).ofMaxSize(6);
  }

  /** Which file of the store to replace. */
  enum Victim { WAL, MANIFEST, CURRENT, TABLE }

  private static Path victimPath(Template t, Victim v, int which) {
    return switch (v) {
      case WAL -> DIR.resolve(String.format("%06d.wal", t.walNumber()));
      case MANIFEST -> DIR.resolve(String.format("MANIFEST-%06d", t.manifestNumber()));
      case CURRENT -> DIR.resolve("CURRENT");
      case TABLE -> DIR.resolve(t.tableNames().get(Math.floorMod(which, t.tableNames().size())));
    };
  }

  // ------------------------------------------------------------------ properties

  /** Unforged damage: either a CorruptionException or exactly what the store holds. */
  @Property
  void damagedStoreFilesGiveCorruptionOrTheTruth(@ForAll Victim victim,
      @ForAll @IntRange(min = 0, max = 15) int which,
      @ForAll("mutations") List<Mutation> mutations) throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    Path file = victimPath(t, victim, which);
    byte[] original = fs.contents(file);
    byte[] damaged = HostileFiles.mutate(original, mutations);
    fs.setContents(file, damaged);
    boolean changed = !Arrays.equals(original, damaged);
    tryStore(fs, victim + " " + file.getFileName() + " " + mutations, t, false,
        victim == Victim.TABLE && changed && damaged.length == original.length);
  }

  /** Random bytes in place of a file. */
  @Property
  void randomBytesAsStoreFilesGiveCorruption(@ForAll Victim victim,
      @ForAll @IntRange(min = 0, max = 15) int which, @ForAll @Size(max = 400) byte[] junk,
      @ForAll boolean validLogHeader) throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    Path file = victimPath(t, victim, which);
    byte[] bytes = junk;
    if (validLogHeader && (victim == Victim.WAL || victim == Victim.MANIFEST)) {
      // a right header, so that the fragment reader runs over the junk
      byte[] header = Arrays.copyOf(fs.contents(file), 16);
      bytes = Arrays.copyOf(header, 16 + junk.length);
      System.arraycopy(junk, 0, bytes, 16, junk.length);
    }
    fs.setContents(file, bytes);
    tryStore(fs, victim + " " + file.getFileName() + " random " + bytes.length + " bytes", t,
        true, false);
  }

  /** {@code CURRENT} naming other files, malformed numbers, or nothing. */
  @Property
  void forgedCurrentFilesFailCleanly(@ForAll @IntRange(min = 0, max = 11) int shape,
      @ForAll @IntRange(min = 0, max = 15) int which) throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    String table = t.tableNames().get(which % t.tableNames().size());
    String text = switch (shape) {
      case 0 -> "MANIFEST-" + table.substring(0, table.length() - 4) + "\n"; // a table
      case 1 -> String.format("MANIFEST-%06d%n", t.walNumber()); // a log segment's number
      case 2 -> "MANIFEST-999999999999999999\n";
      case 3 -> "MANIFEST-9999999999999999999\n"; // past a long
      case 4 -> "MANIFEST--00001\n";
      case 5 -> "MANIFEST-\n";
      case 6 -> "\n";
      case 7 -> "MANIFEST-" + "0".repeat(240) + "1\n";
      case 8 -> "MANIFEST-" + "0".repeat(250) + "\n"; // 260 bytes: over the size limit
      case 9 -> String.format("MANIFEST-%06d", t.manifestNumber()); // no newline
      case 10 -> String.format("MANIFEST-%06d\n\n", t.manifestNumber());
      default -> String.format("../MANIFEST-%06d%n", t.manifestNumber());
    };
    fs.setContents(DIR.resolve("CURRENT"), text.getBytes(UTF_8));
    tryStore(fs, "CURRENT = " + text.strip(), t, true, false);
  }

  /**
   * One file's bytes in place of another's: a table for another table (valid, checksums right,
   * but not what the manifest recorded), a log segment or manifest for a table, and so on. A
   * table swapped for another of a different size must be reported, at the latest by
   * verifyChecksums.
   */
  @Property
  void swappedFilesFailCleanly(@ForAll Victim victim, @ForAll Victim source,
      @ForAll @IntRange(min = 0, max = 15) int which, @ForAll @IntRange(min = 0, max = 15) int from)
      throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    Path file = victimPath(t, victim, which);
    Path other = victimPath(t, source, from);
    byte[] original = fs.contents(file);
    byte[] replacement = fs.contents(other);
    fs.setContents(file, replacement);
    tryStore(fs, file.getFileName() + " holds " + other.getFileName(), t, true,
        victim == Victim.TABLE && source == Victim.TABLE
            && original.length != replacement.length);
  }

  /**
   * Tables changed inside one block (data, index, filter, properties) or the footer, with every
   * checksum made right again: the block, LZ4, index, filter and properties decoders must reject
   * what they cannot read with a CorruptionException.
   */
  @Property
  void forgedTablesWithRightChecksumsFailCleanly(@ForAll @IntRange(min = 0, max = 15) int which,
      @ForAll @IntRange(min = 0, max = 4) int region, @ForAll @IntRange(min = 0, max = 63) int pick,
      @ForAll("mutations") List<Mutation> mutations) throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    Path file = victimPath(t, Victim.TABLE, which);
    byte[] bytes = fs.contents(file);
    TableLayout layout = TableLayout.of(bytes);
    int[] r = layout.region(region, pick);
    HostileFiles.mutateInPlace(bytes, r[0], r[1], mutations);
    layout.repairChecksums(bytes);
    fs.setContents(file, bytes);
    tryStore(fs, "forged " + file.getFileName() + " region " + region + " " + mutations, t, true,
        false);
  }

  /** Footers whose handles hold edge values (overflowing sums included), checksum right. */
  @Property
  void forgedFooterHandlesFailCleanly(@ForAll @IntRange(min = 0, max = 15) int which,
      @ForAll @IntRange(min = 0, max = 5) int field,
      @ForAll @IntRange(min = 0, max = 11) int edge,
      @ForAll @IntRange(min = -70, max = 70) int delta) throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    Path file = victimPath(t, Victim.TABLE, which);
    byte[] bytes = fs.contents(file);
    TableLayout layout = TableLayout.of(bytes);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long value = edge < HostileFiles.EDGE_LONGS.length - 2
        ? HostileFiles.EDGE_LONGS[edge] : bytes.length + (long) delta;
    b.putLong(layout.footer() + 8 * field, value);
    layout.repairChecksums(bytes);
    fs.setContents(file, bytes);
    tryStore(fs, "footer of " + file.getFileName() + " field " + field + " = " + value, t, true,
        false);
  }

  /**
   * A write-ahead log segment with right framing and checksums whose records are hostile: huge
   * operation counts, huge key and value lengths, impossible sequences, unknown kinds, trailing
   * bytes, random and mutated records.
   */
  @Property
  void forgedLogRecordsFailCleanly(@ForAll @IntRange(min = 0, max = 19) int at,
      @ForAll @IntRange(min = 0, max = 9) int kind, @ForAll @IntRange(min = 0, max = 7) int edge,
      @ForAll @Size(max = 40) byte[] junk, @ForAll("mutations") List<Mutation> mutations,
      @ForAll boolean keepRest) throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    List<byte[]> records = new ArrayList<>(t.walRecords());
    int i = Math.min(at, records.size() - 1);
    byte[] hostile = hostileLogRecord(kind, edge, junk, mutations, records.get(i));
    if (keepRest) {
      records.set(i, hostile);
    } else {
      records = new ArrayList<>(records.subList(0, i));
      records.add(hostile);
    }
    Path file = victimPath(t, Victim.WAL, 0);
    fs.setContents(file, HostileFiles.logFile(t.walNumber(), records));
    tryStore(fs, "log record " + i + " kind " + kind + " edge " + edge, t, true, false);
  }

  private static final long[] COUNTS = {Integer.MAX_VALUE, 100_000_000, 1 << 24, 1 << 20, 17, 16,
      2, 0};
  private static final long[] LENGTHS = {Db.MAX_KEY_BYTES + 1, Db.MAX_VALUE_BYTES,
      Db.MAX_VALUE_BYTES + 1L, 1L << 31, 1L << 32, Long.MAX_VALUE, -1L, 1000};
  private static final long[] SEQUENCES = {0, 1, (1L << 56) - 1, 1L << 56, Long.MAX_VALUE, -1,
      (1L << 56) - 2, 5};

  static byte[] hostileLogRecord(int kind, int edge, byte[] junk, List<Mutation> mutations,
      byte[] valid) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    switch (kind) {
      case 0 -> out.writeBytes(junk);
      case 1 -> { // a huge count over a small body
        HostileFiles.putLE(out, 100, 8);
        HostileFiles.putLE(out, COUNTS[edge], 4);
        out.write(1);
        HostileFiles.putBytes(out, "k".getBytes(UTF_8));
        HostileFiles.putBytes(out, junk);
      }
      case 2 -> { // a key length past every limit
        HostileFiles.putLE(out, 100, 8);
        HostileFiles.putLE(out, 1, 4);
        out.write(1);
        HostileFiles.putVarint(out, LENGTHS[edge]);
        out.writeBytes(junk);
      }
      case 3 -> { // a value length past every limit
        HostileFiles.putLE(out, 100, 8);
        HostileFiles.putLE(out, 1, 4);
        out.write(1);
        HostileFiles.putBytes(out, "key".getBytes(UTF_8));
        HostileFiles.putVarint(out, LENGTHS[edge]);
        out.writeBytes(junk);
      }
      case 4 -> { // sequences at and past the 56-bit limit
        HostileFiles.putLE(out, SEQUENCES[edge], 8);
        HostileFiles.putLE(out, COUNTS[7 - edge] % 20, 4);
        for (int i = 0; i < COUNTS[7 - edge] % 20; i++) {
          out.write(1);
          HostileFiles.putBytes(out, ("s" + i).getBytes(UTF_8));
          HostileFiles.putBytes(out, junk);
        }
      }
      case 5 -> { // an unknown operation kind
        HostileFiles.putLE(out, 100, 8);
        HostileFiles.putLE(out, 1, 4);
        out.write(2 + edge);
        HostileFiles.putBytes(out, "key".getBytes(UTF_8));
      }
      case 6 -> { // a valid record with bytes after its last operation
        out.writeBytes(valid);
        out.writeBytes(junk);
        out.write(0);
      }
      case 7 -> { // a varint that never ends
        HostileFiles.putLE(out, 100, 8);
        HostileFiles.putLE(out, 1, 4);
        out.write(1);
        for (int i = 0; i < 11 + edge; i++) {
          out.write(0xff);
        }
      }
      case 8 -> { // many empty-key deletions: the smallest operations there are
        HostileFiles.putLE(out, 100, 8);
        HostileFiles.putLE(out, 40 + edge, 4);
        for (int i = 0; i < 40 + edge; i++) {
          out.write(0);
          out.write(0);
        }
      }
      default -> out.writeBytes(HostileFiles.mutate(valid, mutations));
    }
    return out.toByteArray();
  }

  /**
   * A manifest with right framing and checksums holding hostile edits: random and mutated
   * records, and edits built field by field with edge values (overlapping tables, tables added
   * twice or deleted without being there, missing tables, wrong levels, keys in the wrong order,
   * counters at their limits, unknown tags).
   */
  @Property
  void forgedManifestEditsFailCleanly(
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 47) Integer> fields,
      @ForAll @IntRange(min = 0, max = 5) int shape, @ForAll @Size(max = 40) byte[] junk,
      @ForAll("mutations") List<Mutation> mutations) throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    byte[] first = t.manifestRecords().get(0);
    byte[] hostile = switch (shape) {
      case 0 -> junk;
      case 1 -> HostileFiles.mutate(first, mutations);
      default -> hostileEdit(fields, t);
    };
    List<byte[]> records = new ArrayList<>();
    if (shape == 5) {
      records.add(hostile); // the hostile edit is the whole state
    } else {
      records.add(first);
      records.add(hostile);
    }
    Path file = victimPath(t, Victim.MANIFEST, 0);
    fs.setContents(file, HostileFiles.logFile(t.manifestNumber(), records));
    tryStore(fs, "manifest shape " + shape + " fields " + fields, t, true, false);
  }

  private static final long[] NUMBERS = {0, 1, 2, 5, 1L << 40, Long.MAX_VALUE / 2,
      Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE};

  static byte[] hostileEdit(List<Integer> fields, Template t) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Long> tables = new ArrayList<>();
    for (String n : t.tableNames()) {
      tables.add(Long.parseLong(n.substring(0, n.length() - 4)));
    }
    List<Long> free = new ArrayList<>();
    for (long n = 2; n < t.manifestNumber(); n++) {
      if (!tables.contains(n)) {
        free.add(n);
      }
    }
    for (int f : fields) {
      int tag = f % 8; // 0 and 7 are unknown tags
      int v = f / 8;   // 0..5: which edge value
      switch (tag) {
        case 1, 2, 3 -> {
          HostileFiles.putVarint(out, tag);
          HostileFiles.putVarint(out, tag == 3 && v == 0 ? (1L << 56) : NUMBERS[v]);
        }
        case 4 -> {
          HostileFiles.putVarint(out, 4);
          HostileFiles.putVarint(out, v + 3); // levels 3..8
          HostileFiles.putBytes(out, Arrays.copyOf("k00100".getBytes(UTF_8), 4 + 2 * v));
        }
        case 5 -> {
          HostileFiles.putVarint(out, 5);
          HostileFiles.putVarint(out, v % 7);
          HostileFiles.putVarint(out, v < tables.size() ? tables.get(v) : NUMBERS[v]);
        }
        case 6 -> { // a new table: a real number or not, overlapping ranges, reversed keys
          HostileFiles.putVarint(out, 6);
          HostileFiles.putVarint(out, v == 5 ? 9 : v == 4 ? 0 : 6);
          // v = 0: a table the first record already adds; else a number no file has
          HostileFiles.putVarint(out, v == 0 ? tables.get(0) : free.get(v % free.size()));
          HostileFiles.putVarint(out, v == 4 ? Long.MAX_VALUE : 2000 + v);
          byte[] lo = HostileFiles.internalKey(HostileFiles.key(100 * v).getBytes(UTF_8), 5, 1);
          byte[] hi = HostileFiles.internalKey(HostileFiles.key(900).getBytes(UTF_8), 5, 1);
          HostileFiles.putBytes(out, v == 2 ? hi : lo);
          HostileFiles.putBytes(out, v == 2 ? lo : hi);
          HostileFiles.putVarint(out, v == 1 ? 9 : 1);
          HostileFiles.putVarint(out, 7);
          HostileFiles.putVarint(out, v == 0 ? Long.MAX_VALUE : 50);
        }
        default -> {
          HostileFiles.putVarint(out, tag == 0 ? 0 : 7 + (long) v * 1000);
          HostileFiles.putVarint(out, 1);
        }
      }
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ the check

  /**
   * Opens the store and reads all of it under a watchdog.
   *
   * @param forged whether the damage may have produced a well-formed file with other contents,
   *     so that answers cannot be compared with the template's
   * @param mustDetect whether the damage changed table bytes a checksum covers, so that opening,
   *     reading or verifyChecksums must report it
   */
  private static void tryStore(MemFileSystem fs, String context, Template t, boolean forged,
      boolean mustDetect) {
    tries.incrementAndGet();
    try {
      assertTimeoutPreemptively(LIMIT, () -> openAndReadAll(fs, context, t, forged, mustDetect),
          context + ": hung");
    } catch (AssertionError | RuntimeException e) {
      violations.incrementAndGet();
      throw e;
    }
  }

  private static void openAndReadAll(MemFileSystem fs, String context, Template t,
      boolean forged, boolean mustDetect) {
    Db db;
    try {
      db = Db.open(DIR, HostileFiles.options(fs));
    } catch (Throwable e) {
      requireCorruption(context + " (open)", e);
      corruptAtOpen.incrementAndGet();
      return;
    }
    boolean detected = false;
    try {
      try {
        detected = readAll(db, context, t, forged);
      } catch (Throwable e) {
        requireCorruption(context + " (read)", e);
        corruptAtRead.incrementAndGet();
        detected = true;
      }
      try {
        db.waitForCompactions();
      } catch (Throwable e) {
        requireCorruptionOrFailedBackground(context + " (background work)", e);
        detected = true;
      }
    } finally {
      try {
        db.close();
      } catch (Throwable e) {
        requireCorruptionOrFailedBackground(context + " (close)", e);
      }
    }
    if (mustDetect) {
      assertTrue(detected, context + ": a changed table read back without any report");
    }
  }

  /** Reads everything; returns whether verifyChecksums reported damage. */
  private static boolean readAll(Db db, String context, Template t, boolean forged) {
    // forward scan, with gets of every key it finds
    List<byte[][]> forward = new ArrayList<>();
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        forward.add(new byte[][] {c.key(), c.value()});
        if (forward.size() > 100_000) {
          throw new AssertionError(context + ": a scan of a 1,500-key store did not end");
        }
      }
    }
    List<byte[][]> backward = new ArrayList<>();
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      for (c.seekToLast(); c.isValid(); c.prev()) {
        backward.add(new byte[][] {c.key(), c.value()});
        if (backward.size() > 100_000) {
          throw new AssertionError(context + ": a backward scan did not end");
        }
      }
    }
    TreeMap<String, String> got = new TreeMap<>();
    for (byte[][] kv : forward) {
      got.put(new String(kv[0], UTF_8), new String(kv[1], UTF_8));
    }
    List<String> probes = new ArrayList<>(t.tables().keySet());
    for (int i = 0; i < 1500; i += 7) {
      probes.add(HostileFiles.key(i));
    }
    for (String[] kv : t.logTail()) {
      probes.add(kv[0]);
    }
    probes.add("");
    probes.add("zzz");
    Map<String, byte[]> gets = new LinkedHashMap<>();
    for (String k : probes) {
      gets.put(k, db.get(k.getBytes(UTF_8)));
    }
    // seeks from both sides, bounded
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound("k00500".getBytes(UTF_8))
        .upperBound("k00900".getBytes(UTF_8)).build())) {
      c.seek("k00700".getBytes(UTF_8));
      for (int i = 0; i < 20 && c.isValid(); i++) {
        c.prev();
      }
      c.seekForPrev("k00650".getBytes(UTF_8));
      for (int i = 0; i < 20 && c.isValid(); i++) {
        c.next();
      }
    }
    List<CorruptionException> problems = db.verifyChecksums();
    for (CorruptionException p : problems) {
      requireCorruption(context + " (verifyChecksums)", p);
    }
    checksumProblems.addAndGet(problems.size());
    operationsVerified.addAndGet(forward.size() + backward.size() + gets.size());
    if (forged) {
      readForged.incrementAndGet();
      return !problems.isEmpty();
    }
    // unforged damage that nothing reported: the answers must be the truth
    assertEquals(forward.size(), backward.size(), context + ": scans disagree");
    for (int i = 0; i < forward.size(); i++) {
      assertArrayEquals(forward.get(i)[0], backward.get(forward.size() - 1 - i)[0], context);
      assertArrayEquals(forward.get(i)[1], backward.get(forward.size() - 1 - i)[1], context);
    }
    // unforged damage: whatever was answered is the truth, even when verifyChecksums found
    // something (the full scan read every data block, so what it found is not in them)
    TreeMap<String, String> want = new TreeMap<>(t.tables());
    int kept = 0;
    while (kept < t.logTail().size() && got.containsKey(t.logTail().get(kept)[0])) {
      kept++;
    }
    // a cut-off log may drop its last records, never one in the middle
    for (int i = 0; i < kept; i++) {
      want.put(t.logTail().get(i)[0], t.logTail().get(i)[1]);
    }
    assertEquals(want, got, context + ": wrong contents after undetected damage");
    for (Map.Entry<String, byte[]> e : gets.entrySet()) {
      String w = want.get(e.getKey());
      assertEquals(w, e.getValue() == null ? null : new String(e.getValue(), UTF_8),
          context + ": get " + e.getKey());
    }
    readTrue.incrementAndGet();
    return !problems.isEmpty();
  }

  // ------------------------------------------------------------------ bugs these found

  /** A footer handle near Long.MAX_VALUE overflowed the bounds check (IndexOutOfBounds). */
  @Example
  void footerHandleThatOverflowsTheBoundsCheckIsCorruption() throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    Path file = victimPath(t, Victim.TABLE, 0);
    byte[] bytes = fs.contents(file);
    TableLayout layout = TableLayout.of(bytes);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(layout.footer(), Long.MAX_VALUE - 4).putLong(layout.footer() + 8, 100);
    layout.repairChecksums(bytes);
    fs.setContents(file, bytes);
    try (Db db = Db.open(DIR, HostileFiles.options(fs, 8))) {
      List<CorruptionException> problems = db.verifyChecksums();
      assertEquals(1, problems.size(), problems.toString());
      assertEquals(file, problems.get(0).file());
      assertTrue(problems.get(0).problem().contains("footer names a block"), problems.toString());
    }
  }

  /** A log record claiming 2^31-1 operations made replay allocate arrays of that size (OOM). */
  @Example
  void logRecordWithAHugeOperationCountIsCorruption() throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    // the record continues the sequence numbers of the log, so only its count is hostile
    byte[] previous = t.walRecords().get(t.walRecords().size() - 1);
    java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(previous)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    long next = header.getLong(0) + header.getInt(8);
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    HostileFiles.putLE(rec, next, 8);
    HostileFiles.putLE(rec, Integer.MAX_VALUE, 4);
    for (int i = 0; i < 20; i++) {
      rec.write(0); // deletions of the empty key, two bytes each
      rec.write(0);
    }
    List<byte[]> records = new ArrayList<>(t.walRecords());
    records.add(rec.toByteArray());
    Path file = victimPath(t, Victim.WAL, 0);
    fs.setContents(file, HostileFiles.logFile(t.walNumber(), records));
    Throwable thrown = null;
    try {
      Db.open(DIR, HostileFiles.options(fs)).close();
    } catch (Throwable e) { // an OutOfMemoryError too: the failure this example guards against
      thrown = e;
    }
    CorruptionException e = assertInstanceOf(CorruptionException.class, thrown);
    assertEquals(file, e.file());
    assertTrue(e.problem().contains("cannot fit"), e.getMessage());
  }

  /**
   * A data block whose keys are out of order behind a right checksum made compaction fail inside
   * the table builder with an IllegalStateException; it is a CorruptionException naming the
   * block.
   */
  @Example
  void compactingATableWithKeysOutOfOrderIsCorruption() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    fs.createDirectories(DIR);
    io.strata.lsm.Options options = io.strata.lsm.Options.builder().fileSystem(fs)
        .compression(io.strata.lsm.Compression.NONE).build();
    Path file = smallTableWithFirstKeyChanged(fs, options, (byte) 'z'); // after every other key
    try (Db db = Db.open(DIR, options)) {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> db.compactRange(null, null));
      assertEquals(file, e.file());
      assertEquals(TableLayout.of(fs.contents(file)).dataBlocks()[0][0], e.offset());
    }
  }

  /**
   * A data block whose first key was changed to sort before the table's recorded smallest key
   * (block order intact, checksums right) made compaction write it out, so outputs could overlap
   * their neighbours in the level (IllegalStateException from the version builder).
   */
  @Example
  void compactingATableHoldingAKeyOutsideItsRecordedRangeIsCorruption() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    fs.createDirectories(DIR);
    io.strata.lsm.Options options = io.strata.lsm.Options.builder().fileSystem(fs)
        .compression(io.strata.lsm.Compression.NONE).build();
    Path file = smallTableWithFirstKeyChanged(fs, options, (byte) 'j'); // before every key
    try (Db db = Db.open(DIR, options)) {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> db.compactRange(null, null));
      assertEquals(file, e.file());
      assertTrue(e.problem().contains("outside the range"), e.getMessage());
    }
  }

  /** A one-table store of keys k00000..k00099 whose first key's first byte is {@code to}. */
  private static Path smallTableWithFirstKeyChanged(MemFileSystem fs,
      io.strata.lsm.Options options, byte to) throws Exception {
    try (Db db = Db.open(DIR, options)) {
      for (int i = 0; i < 100; i++) {
        db.put(HostileFiles.key(i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
      }
      db.flush();
    }
    String name = fs.list(DIR).stream().filter(n -> n.endsWith(".sst")).findFirst().orElseThrow();
    Path file = DIR.resolve(name);
    byte[] bytes = fs.contents(file);
    TableLayout layout = TableLayout.of(bytes);
    // the first entry: shared 0, unshared, value length (one byte each), then its key "k00000"
    int first = (int) layout.dataBlocks()[0][0];
    assertEquals('k', bytes[first + 3]);
    bytes[first + 3] = to;
    layout.repairChecksums(bytes);
    fs.setContents(file, bytes);
    return file;
  }

  /** A manifest whose level-6 tables overlap made open throw IllegalStateException. */
  @Example
  void manifestWithOverlappingTablesInASortedLevelIsCorruption() throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    List<byte[]> records = new ArrayList<>();
    records.add(t.manifestRecords().get(0));
    records.add(hostileEdit(List.of(30), t)); // a new level-6 table over k00300..k00900
    Path file = victimPath(t, Victim.MANIFEST, 0);
    fs.setContents(file, HostileFiles.logFile(t.manifestNumber(), records));
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Db.open(DIR, HostileFiles.options(fs)));
    assertEquals(file, e.file());
    assertTrue(e.problem().contains("overlap"), e.getMessage());
  }

  /**
   * A manifest naming a table file that does not exist gave a bare StrataException on read; the
   * open now refuses it, naming the table.
   */
  @Example
  void manifestNamingAMissingTableIsCorruption() throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    List<byte[]> records = new ArrayList<>();
    records.add(t.manifestRecords().get(0));
    records.add(hostileEdit(List.of(38), t)); // a level-0 table under a number no file has
    Path file = victimPath(t, Victim.MANIFEST, 0);
    fs.setContents(file, HostileFiles.logFile(t.manifestNumber(), records));
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Db.open(DIR, HostileFiles.options(fs, 8)).close());
    assertTrue(e.file().getFileName().toString().endsWith(".sst"), e.getMessage());
    assertTrue(e.problem().contains("missing"), e.getMessage());
  }

  /**
   * A table file holding another table's bytes (valid, but not the keys and size the manifest
   * recorded) made a compaction write outputs overlapping their neighbours, and the version
   * builder's IllegalStateException stopped the store; compaction now refuses such an input.
   */
  @Example
  void compactingATableThatIsNotWhatTheManifestRecordedIsCorruption() throws Exception {
    Template t = HostileFiles.template();
    MemFileSystem fs = t.copy();
    Path file = victimPath(t, Victim.TABLE, 0);
    fs.setContents(file, fs.contents(victimPath(t, Victim.TABLE, 1)));
    // no background compaction: this one must be the first to meet the swapped table
    io.strata.lsm.Options quiet = HostileFiles.options(fs, 8).toBuilder()
        .maxBytesForLevelBase(1L << 40).build();
    try (Db db = Db.open(DIR, quiet)) {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> db.compactRange(null, null));
      assertEquals(file, e.file());
      assertTrue(e.problem().contains("the manifest recorded"), e.getMessage());
    }
  }

  // ------------------------------------------------------------------ the log on its own

  /**
   * Two log segments, one of them damaged (unforged mutations or random bytes behind a right
   * header), opened with each recovery mode: a CorruptionException naming the file and an offset
   * inside it, or a prefix of the records written, whole and in order.
   */
  @Property
  void hostileSegmentsThroughWalOpen(@ForAll @IntRange(min = 0, max = 1) int victim,
      @ForAll RecoveryMode mode, @ForAll("mutations") List<Mutation> mutations,
      @ForAll @Size(max = 300) byte[] junk, @ForAll boolean useJunk,
      @ForAll @IntRange(min = 0, max = 1000) int seed) throws Exception {
    walTries.incrementAndGet();
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/hostile-wal");
    fs.createDirectories(dir);
    Random r = new Random(seed);
    List<byte[]> written = new ArrayList<>();
    int inFirst = 0;
    for (long segment = 1; segment <= 2; segment++) {
      if (segment == 2) {
        inFirst = written.size();
      }
      try (LogWriter w = LogWriter.create(fs, Wal.segmentPath(dir, segment), segment)) {
        for (int i = 0, n = 1 + r.nextInt(12); i < n; i++) {
          byte[] rec = new byte[r.nextInt(4) == 0 ? r.nextInt(70_000) : r.nextInt(200)];
          r.nextBytes(rec);
          w.append(rec);
          written.add(rec);
        }
      }
    }
    Path file = Wal.segmentPath(dir, victim + 1);
    byte[] bytes = fs.contents(file);
    byte[] hostile;
    if (useJunk) {
      hostile = Arrays.copyOf(bytes, 16 + junk.length);
      System.arraycopy(junk, 0, hostile, 16, junk.length);
    } else {
      hostile = HostileFiles.mutate(bytes, mutations);
    }
    fs.setContents(file, hostile);
    int firstCount = inFirst;
    String context = "segment " + (victim + 1) + " " + mode + " "
        + (useJunk ? "junk " + junk.length : mutations.toString());
    try {
      assertTimeoutPreemptively(LIMIT, () -> {
        List<byte[]> got = new ArrayList<>();
        Wal wal;
        try {
          wal = Wal.open(fs, dir, WalOptions.builder().recoveryMode(mode).build(),
              (position, record) -> got.add(record));
        } catch (Throwable e) {
          requireCorruption(context, e);
          if (e instanceof CorruptionException c) {
            long size = fs.contents(c.file()).length;
            assertTrue(c.offset() <= size, context + ": offset past the file: " + c);
          }
          return;
        }
        wal.close();
        walRecordsChecked.addAndGet(got.size());
        if (useJunk) {
          return; // junk may hold valid fragments by chance only if it copied them: skip
        }
        // a prefix of each segment's records, in order; the first segment may come up short
        // without an error only when it was cut at a record boundary (the format cannot tell:
        // counted, and reported as a limitation)
        int a = 0;
        while (a < got.size() && a < firstCount && Arrays.equals(written.get(a), got.get(a))) {
          a++;
        }
        for (int i = a; i < got.size(); i++) {
          int w = firstCount + (i - a);
          assertTrue(w < written.size(), context + ": more records than written");
          assertArrayEquals(written.get(w), got.get(i), context + ": record " + i);
        }
        if (a < firstCount && got.size() > a) {
          assertTrue(victim == 0, context + ": records of the first segment missing");
          silentSegmentCuts.incrementAndGet();
        }
      }, context + ": hung");
    } catch (AssertionError | RuntimeException e) {
      violations.incrementAndGet();
      throw e;
    }
  }
}

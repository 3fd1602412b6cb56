package io.strata.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.strata.CorruptionException;
import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.ReadOptions;
import io.strata.StrataException;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import io.strata.wal.LogReader;
import io.strata.wal.LogWriter;
import io.strata.wal.RecoveryMode;
import io.strata.fs.MemFileSystem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Tools of the hostile-input campaigns, written from the formats in {@code wal/FORMAT.md} and
 * {@code lsm/FORMAT.md} (nothing here uses the engine's internals): a small valid store to damage,
 * byte mutations, a table-layout reader that can put checksums right again after a change (so the
 * decoders behind the checksums see the hostile bytes), encoders of write-ahead log records and
 * manifest edits, and the rule for which exceptions are acceptable.
 */
final class HostileFiles {
  private HostileFiles() {}

  static final Path DIR = Path.of("/hostile-db");

  // ------------------------------------------------------------------ the exception rule

  /** Thrown (as an {@link AssertionError}) when an outcome breaks guarantee 5. */
  static AssertionError violation(String context, Throwable t) {
    return new AssertionError(context + ": not an acceptable outcome: " + t, t);
  }

  /**
   * Whether {@code t} is the clear report of damage the store promises: a {@link
   * CorruptionException} naming a file and an offset {@code >= 0}. Anything else is a violation.
   */
  static void requireCorruption(String context, Throwable t) {
    if (t instanceof CorruptionException c) {
      if (c.file() == null || c.offset() < 0 || c.problem() == null || c.problem().isEmpty()) {
        throw new AssertionError(context + ": corruption without file or offset: " + c, c);
      }
      return;
    }
    throw violation(context, t);
  }

  /**
   * For calls that report background work (waitForCompactions, close): a {@link StrataException}
   * is acceptable when what failed in the background was a {@link CorruptionException}.
   */
  static void requireCorruptionOrFailedBackground(String context, Throwable t) {
    if (t instanceof CorruptionException) {
      requireCorruption(context, t);
      return;
    }
    // "background work failed" wrapping "compaction failed" wrapping the corruption it met
    Throwable c = t;
    for (int depth = 0; depth < 4 && c instanceof StrataException
        && !(c instanceof CorruptionException) && c.getCause() != null; depth++) {
      c = c.getCause();
    }
    if (c != t) {
      requireCorruption(context + " (background failure " + t.getMessage() + ")", c);
      return;
    }
    throw violation(context, t);
  }

  // ------------------------------------------------------------------ mutations

  /** One change to a byte array; {@code where} is taken modulo the length. */
  record Mutation(int where, int kind, int value) {
    static final int KINDS = 8;
  }

  /** Applies the mutations in order; kinds 0-2 and 6-7 keep the length, 3-5 change it. */
  static byte[] mutate(byte[] in, List<Mutation> mutations) {
    byte[] b = in.clone();
    for (Mutation m : mutations) {
      int len = b.length;
      switch (m.kind()) {
        case 0 -> { if (len > 0) { b[m.where() % len] ^= (byte) (1 << (m.value() & 7)); } }
        case 1 -> { if (len > 0) { b[m.where() % len] = (byte) m.value(); } }
        case 2 -> { if (len > 0) { b[m.where() % len] = 0; } }
        case 3 -> b = Arrays.copyOf(b, m.where() % (len + 1));
        case 4 -> {
          int at = m.where() % (len + 1);
          byte[] c = new byte[len + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = (byte) m.value();
          System.arraycopy(b, at, c, at + 1, len - at);
          b = c;
        }
        case 5 -> {
          if (len > 0) {
            int at = m.where() % len;
            byte[] c = new byte[len - 1];
            System.arraycopy(b, 0, c, 0, at);
            System.arraycopy(b, at + 1, c, at, len - at - 1);
            b = c;
          }
        }
        case 6 -> { // a huge length: four 0xff bytes (a varint continuation run, or -1 as an int)
          for (int i = 0; i < 4 && len > 0; i++) {
            b[(m.where() + i) % len] = (byte) 0xff;
          }
        }
        default -> { // swap with a neighbour region: a block of 16 bytes copied elsewhere
          if (len > 32) {
            int from = m.where() % (len - 16);
            int to = (m.where() / 7 + m.value()) % (len - 16);
            System.arraycopy(b, from, b, to, 16);
          }
        }
      }
    }
    return b;
  }

  /** Applies only length-preserving changes (kinds 0, 1, 2, 6, 7) inside {@code [from, to)}. */
  static void mutateInPlace(byte[] b, int from, int to, List<Mutation> mutations) {
    int len = to - from;
    if (len <= 0) {
      return;
    }
    for (Mutation m : mutations) {
      int at = from + m.where() % len;
      switch (m.kind() % 5) {
        case 0 -> b[at] ^= (byte) (1 << (m.value() & 7));
        case 1 -> b[at] = (byte) m.value();
        case 2 -> b[at] = 0;
        case 3 -> {
          for (int i = 0; i < 4; i++) {
            b[from + (at - from + i) % len] = (byte) 0xff;
          }
        }
        default -> { // a large little-endian int, as a restart count or length field would hold
          int v = m.value() << 20 | 0x7ffff;
          for (int i = 0; i < 4; i++) {
            b[from + (at - from + i) % len] = (byte) (v >>> (8 * i));
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ checksums and encodings

  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  static int crc32c(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  static void putVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  static void putLE(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (v >>> (8 * i)));
    }
  }

  static void putBytes(ByteArrayOutputStream out, byte[] b) {
    putVarint(out, b.length);
    out.writeBytes(b);
  }

  /** An internal key: user key, then the 8-byte big-endian trailer {@code seq << 8 | kind}. */
  static byte[] internalKey(byte[] user, long sequence, int kind) {
    byte[] k = Arrays.copyOf(user, user.length + 8);
    long trailer = sequence << 8 | kind;
    for (int i = 0; i < 8; i++) {
      k[user.length + i] = (byte) (trailer >>> (8 * (7 - i)));
    }
    return k;
  }

  /** Reads every record of a log file (strictly: the input is a valid file). */
  static List<byte[]> records(MemFileSystem fs, Path file, long number) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (LogReader r = LogReader.open(fs, file, number, RecoveryMode.STRICT, true)) {
      for (byte[] rec = r.next(); rec != null; rec = r.next()) {
        out.add(rec);
      }
    }
    return out;
  }

  /** A log file numbered {@code number} holding these records, framed and checksummed. */
  static byte[] logFile(long number, List<byte[]> records) {
    try {
      MemFileSystem scratch = new MemFileSystem();
      Path p = Path.of("/scratch/log");
      scratch.createDirectories(p.getParent());
      try (LogWriter w = LogWriter.create(scratch, p, number)) {
        for (byte[] r : records) {
          w.append(r);
        }
      }
      return scratch.contents(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ table layout

  /** Where the checksummed parts of a table lie: each block's stored bytes (trailer excluded). */
  record TableLayout(long[][] dataBlocks, long[] index, long[] filter, long[] properties,
      int footer) {

    /** Parses a valid table. */
    static TableLayout of(byte[] t) {
      ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
      int footer = t.length - 64;
      long[] index = {b.getLong(footer), b.getLong(footer + 8)};
      long[] filter = {b.getLong(footer + 16), b.getLong(footer + 24)};
      long[] props = {b.getLong(footer + 32), b.getLong(footer + 40)};
      // index block: raw; entries of varint shared, unshared, value length, key tail, value
      int start = (int) index[0];
      int size = (int) index[1];
      int restarts = b.getInt(start + size - 4);
      int limit = start + size - 4 - 4 * restarts;
      List<long[]> handles = new ArrayList<>();
      int[] p = {start};
      while (p[0] < limit) {
        varint(t, p);
        long unshared = varint(t, p);
        long valueLength = varint(t, p);
        p[0] += (int) unshared;
        int valueEnd = p[0] + (int) valueLength;
        long off = varint(t, p);
        long sz = varint(t, p);
        handles.add(new long[] {off, sz});
        p[0] = valueEnd;
      }
      return new TableLayout(handles.toArray(new long[0][]), index, filter, props, footer);
    }

    private static long varint(byte[] t, int[] p) {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        byte x = t[p[0]++];
        v |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          return v;
        }
      }
    }

    /** Makes every block's trailer checksum and the footer checksum right again. */
    void repairChecksums(byte[] t) {
      List<long[]> all = new ArrayList<>(Arrays.asList(dataBlocks));
      all.add(index);
      if (filter[1] > 0) {
        all.add(filter);
      }
      all.add(properties);
      ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
      for (long[] h : all) {
        int off = (int) h[0];
        int n = (int) h[1];
        CRC32C c = new CRC32C();
        c.update(t, off, n);
        c.update(t[off + n]); // the type byte
        b.putInt(off + n + 1, mask((int) c.getValue()));
      }
      b.putInt(footer + 52, mask(crc32c(t, footer, 52)));
    }

    /** The byte range {@code [from, to)} of region {@code which}: 0 data, 1 index, 2 filter, ... */
    int[] region(int which, int pick) {
      return switch (which) {
        case 0 -> {
          long[] h = dataBlocks[Math.floorMod(pick, dataBlocks.length)];
          yield new int[] {(int) h[0], (int) (h[0] + h[1])};
        }
        case 1 -> new int[] {(int) index[0], (int) (index[0] + index[1])};
        case 2 -> new int[] {(int) filter[0], (int) (filter[0] + filter[1])};
        case 3 -> new int[] {(int) properties[0], (int) (properties[0] + properties[1])};
        default -> new int[] {footer, footer + 52};
      };
    }
  }

  /** Footer handle values that test the bounds checks, overflow included. */
  static final long[] EDGE_LONGS = {Long.MAX_VALUE, Long.MAX_VALUE - 4, Long.MAX_VALUE - 64,
      Long.MIN_VALUE, -1, 1L << 31, (1L << 31) - 1, 1L << 32, 0, 1, 1L << 62, (1L << 62) + 1};

  // ------------------------------------------------------------------ the template store

  /** A small valid store: its files, what it holds, and which keys only its log holds. */
  record Template(Map<String, byte[]> files, TreeMap<String, String> tables,
      List<String[]> logTail, long walNumber, long manifestNumber, List<String> tableNames,
      List<byte[]> walRecords, List<byte[]> manifestRecords) {

    /** A fresh file system holding the template's files. */
    MemFileSystem copy() throws IOException {
      MemFileSystem fs = new MemFileSystem();
      fs.createDirectories(DIR);
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        fs.setContents(DIR.resolve(e.getKey()), e.getValue());
      }
      return fs;
    }
  }

  /** Options of the opens under test: level 0 compacts at two tables, so compactions run. */
  static Options options(MemFileSystem fs) {
    return options(fs, 2);
  }

  static Options options(MemFileSystem fs, int level0Trigger) {
    return Options.builder().fileSystem(fs).writeBufferSize(16 << 10).blockSize(512)
        .targetFileSize(16 << 10).maxBytesForLevelBase(32 << 10)
        .level0CompactionTrigger(level0Trigger).level0SlowdownTrigger(8).level0StopTrigger(12)
        .blockCacheBytes(1 << 20).build();
  }

  private static String letters(Random r, int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append((char) ('a' + r.nextInt(26)));
    }
    return b.toString();
  }

  static String key(int i) {
    return String.format("k%05d", i);
  }

  private static volatile Template template;

  /**
   * Builds (once) a store with tables in level 0 and in the last level, some keys deleted, and
   * a write-ahead log segment that holds the last twenty batches (keys {@code w000..w019}).
   */
  static Template template() throws IOException {
    Template t = template;
    if (t != null) {
      return t;
    }
    synchronized (HostileFiles.class) {
      if (template == null) {
        template = buildTemplate();
      }
      return template;
    }
  }

  private static Template buildTemplate() throws IOException {
    MemFileSystem fs = new MemFileSystem();
    Random r = new Random(7);
    TreeMap<String, String> model = new TreeMap<>();
    try (Db db = Db.open(DIR, options(fs, 8))) {
      for (int i = 0; i < 1200; i += 10) {
        WriteBatch b = new WriteBatch();
        for (int j = i; j < i + 10; j++) {
          String v = "value-" + j + "-" + "abc".repeat(r.nextInt(20)) + letters(r, r.nextInt(40));
          b.put(key(j).getBytes(UTF_8), v.getBytes(UTF_8));
          model.put(key(j), v);
        }
        db.write(b, WriteOptions.defaults());
      }
      db.compactRange(null, null);
      for (int i = 0; i < 300; i++) {
        int k = r.nextInt(1400);
        if (r.nextInt(5) == 0) {
          db.delete(key(k).getBytes(UTF_8));
          model.remove(key(k));
        } else {
          String v = "again-" + i + "-" + "xy".repeat(r.nextInt(30)) + letters(r, r.nextInt(40));
          db.put(key(k).getBytes(UTF_8), v.getBytes(UTF_8));
          model.put(key(k), v);
        }
      }
      db.flush();
      db.waitForCompactions();
    }
    // reopen: flushes nothing new, deletes every obsolete file; then twenty batches stay in the log
    List<String[]> tail = new ArrayList<>();
    try (Db db = Db.open(DIR, options(fs, 8))) {
      db.waitForCompactions();
      for (int i = 0; i < 20; i++) {
        String k = String.format("w%03d", i);
        String v = "logged-" + i + "-" + "q".repeat(r.nextInt(300));
        db.write(new WriteBatch().put(k.getBytes(UTF_8), v.getBytes(UTF_8)),
            i % 5 == 0 ? WriteOptions.sync() : WriteOptions.defaults());
        tail.add(new String[] {k, v});
      }
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    long wal = -1;
    long manifest = -1;
    List<String> tableNames = new ArrayList<>();
    for (String name : fs.list(DIR)) {
      if (name.equals("LOCK")) {
        continue;
      }
      files.put(name, fs.contents(DIR.resolve(name)));
      if (name.endsWith(".wal")) {
        wal = Long.parseLong(name.substring(0, name.length() - 4));
      } else if (name.endsWith(".sst")) {
        tableNames.add(name);
      }
    }
    String current = new String(files.get("CURRENT"), UTF_8).strip();
    manifest = Long.parseLong(current.substring("MANIFEST-".length()));
    if (wal < 0 || tableNames.size() < 3) {
      throw new IllegalStateException("template store lacks a log segment or tables: "
          + files.keySet());
    }
    List<byte[]> walRecords = records(fs, DIR.resolve(String.format("%06d.wal", wal)), wal);
    List<byte[]> manifestRecords = records(fs, DIR.resolve(current), manifest);
    // the template must read back exactly
    TreeMap<String, String> expected = new TreeMap<>(model);
    tail.forEach(kv -> expected.put(kv[0], kv[1]));
    MemFileSystem check = new MemFileSystem();
    check.createDirectories(DIR);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      check.setContents(DIR.resolve(e.getKey()), e.getValue());
    }
    try (Db db = Db.open(DIR, options(check))) {
      if (!scan(db).equals(expected) || !db.verifyChecksums().isEmpty()) {
        throw new IllegalStateException("the template store does not read back");
      }
    }
    return new Template(files, model, tail, wal, manifest, tableNames, walRecords,
        manifestRecords);
  }

  /** Every key and value, by a forward cursor. */
  static TreeMap<String, String> scan(Db db) {
    TreeMap<String, String> out = new TreeMap<>();
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        out.put(new String(c.key(), UTF_8), new String(c.value(), UTF_8));
      }
    }
    return out;
  }
}

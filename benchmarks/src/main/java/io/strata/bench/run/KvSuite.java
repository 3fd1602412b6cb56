package io.strata.bench.run;

import io.strata.bench.kv.KvEngine;
import io.strata.bench.kv.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The db_bench-style key-value workloads for one engine, in the order a child JVM runs them:
 * fillseq (a store of its own), then on a second store fillrandom, overwrite (every key again, in
 * another order, with new values), a flush and full compaction (not timed), readrandom (present
 * keys, each value compared with the one last written), readmissing (keys between present ones,
 * each must be absent), seekrandom (seek + 10 entries, the bytes seen must be exact), readseq (a
 * full scan, timed after an untimed one, the counts must be exact) and fillsync (new keys, each
 * write fsynced). Workloads not selected still run when a later one needs their data, untimed
 * and unreported. Keys are 16 bytes, values 100 bytes that compress to half ({@link Workload}).
 *
 * <p>A failed sanity check marks that workload's result failed; the run goes on.
 */
final class KvSuite {
  private KvSuite() {}

  static final String NAME = "kv";
  static final List<String> ENGINES = List.of("strata", "rocksdb", "leveldb", "mvstore");
  static final List<String> WORKLOADS = List.of("fillseq", "fillrandom", "overwrite",
      "readrandom", "readmissing", "seekrandom", "readseq", "fillsync");
  static final int SEEK_NEXT = 10;
  private static final int ENTRY = 16 + Workload.VALUE_SIZE;

  /** What one pass runs. */
  record Params(String engine, int n, int syncOps, long capNanos, Set<String> workloads,
      Path base, int round) {}

  static void run(Params p, ChildOutput out) {
    if (p.workloads().contains("fillseq")) {
      Path dir = fresh(p.base(), p.engine() + "-seq-");
      try (KvEngine e = KvEngine.open(p.engine(), dir)) {
        RunResult r = result(p, "fillseq");
        Meter m = new Meter("fillseq", p.n(), Long.MAX_VALUE, out);
        for (int i = 0; i < p.n(); i++) {
          long t0 = System.nanoTime();
          e.put(Workload.key(i), Workload.value(i));
          m.done(t0, ENTRY);
        }
        m.finish(r, "put");
        checkSample(e, p.n(), 0, r);
        r.diskBytes = du(dir);
        r.writeAmplification = writeAmp(e, (long) p.n() * ENTRY);
        out.result(r);
      } finally {
        delete(dir);
      }
    }
    Path dir = fresh(p.base(), p.engine() + "-");
    KvEngine e = KvEngine.open(p.engine(), dir);
    try {
      long tablesBeforeReopen = 0;
      long written = 0;
      long valueOffset = 0;
      // fillrandom: needed by everything after it
      if (needs(p, "fillrandom", "overwrite", "readrandom", "readmissing", "seekrandom",
          "readseq")) {
        written += fill(p, e, dir, "fillrandom", Workload.shuffled(p.n(), 1), 0, written, out);
      }
      if (p.workloads().contains("overwrite")) {
        valueOffset = p.n();
        written += fill(p, e, dir, "overwrite", Workload.shuffled(p.n(), 2), valueOffset, written,
            out);
      }
      if (needs(p, "readrandom", "readmissing", "seekrandom", "readseq")) {
        // reads after a full compaction and a reopen (untimed): cold caches, nothing in memtables
        e.flushAndCompact();
        long tables = e.tableBytesWritten();
        tablesBeforeReopen = tables < 0 ? 0 : tables;
        KvEngine closing = e;
        e = null;
        closing.close();
        e = KvEngine.open(p.engine(), dir);
      }
      if (p.workloads().contains("readrandom")) {
        readRandom(p, e, dir, valueOffset, out);
      }
      if (p.workloads().contains("readmissing")) {
        readMissing(p, e, dir, out);
      }
      if (p.workloads().contains("seekrandom")) {
        seekRandom(p, e, dir, out);
      }
      if (p.workloads().contains("readseq")) {
        RunResult r = result(p, "readseq");
        // one untimed scan first: a single timed pass of a few hundred milliseconds otherwise
        // measures how far the JIT has got with the engine's scan path as much as the scan
        long untimed = e.scanAll();
        Meter m = new Meter("readseq", p.n(), Long.MAX_VALUE, out);
        long count = e.scanAll();
        m.add(count, count * ENTRY);
        m.finish(r, "");
        r.checks = "entries=" + count + "/" + p.n() + " (untimed scan before: " + untimed + ")";
        if (count != p.n() || untimed != p.n()) {
          r.fail("the scans saw " + untimed + " and " + count + " entries, expected " + p.n());
        }
        r.diskBytes = du(dir);
        out.result(r);
      }
      if (p.workloads().contains("fillsync")) {
        RunResult r = result(p, "fillsync");
        Meter m = new Meter("fillsync", p.syncOps(), p.capNanos(), out);
        int i = 0;
        while (i < p.syncOps()) {
          long t0 = System.nanoTime();
          e.putSync(Workload.key(p.n() + i), Workload.value(p.n() + i));
          i++;
          if (!m.done(t0, ENTRY)) {
            break;
          }
        }
        m.finish(r, "synced put");
        written += (long) i * ENTRY;
        int found = 0;
        for (int j = 0; j < i; j++) {
          byte[] v = e.get(Workload.key(p.n() + j));
          if (v != null && Arrays.equals(v, Workload.value(p.n() + j))) {
            found++;
          }
        }
        r.checks = "readback=" + found + "/" + i;
        if (found != i) {
          r.fail((i - found) + " of " + i + " synced keys read back wrong or missing");
        }
        r.diskBytes = du(dir);
        r.writeAmplification = writeAmp(e, tablesBeforeReopen, written);
        out.result(r);
      }
    } finally {
      if (e != null) {
        e.close();
      }
      delete(dir);
    }
  }

  private static boolean needs(Params p, String... workloads) {
    for (String w : workloads) {
      if (p.workloads().contains(w)) {
        return true;
      }
    }
    return false;
  }

  /** Puts key(k) = value(k + valueOffset) in {@code order}; reports only if selected. */
  private static long fill(Params p, KvEngine e, Path dir, String name, int[] order,
      long valueOffset, long writtenBefore, ChildOutput out) {
    boolean report = p.workloads().contains(name);
    RunResult r = result(p, name);
    Meter m = new Meter(name, order.length, Long.MAX_VALUE, report ? out : ChildOutput.NONE);
    for (int k : order) {
      long t0 = System.nanoTime();
      e.put(Workload.key(k), Workload.value(k + valueOffset));
      m.done(t0, ENTRY);
    }
    m.finish(r, "put");
    long written = (long) order.length * ENTRY;
    if (report) {
      checkSample(e, p.n(), valueOffset, r);
      r.diskBytes = du(dir);
      r.writeAmplification = writeAmp(e, writtenBefore + written);
      out.result(r);
    }
    return written;
  }

  /** Reads back up to 1,000 random keys after a fill: each must hold its latest value. */
  private static void checkSample(KvEngine e, int n, long valueOffset, RunResult r) {
    SplittableRandom random = new SplittableRandom(11);
    int samples = Math.min(n, 1000);
    int good = 0;
    for (int i = 0; i < samples; i++) {
      int k = random.nextInt(n);
      byte[] v = e.get(Workload.key(k));
      if (v != null && v.length == Workload.VALUE_SIZE
          && Arrays.equals(v, Workload.value(k + valueOffset))) {
        good++;
      }
    }
    r.checks = "readback=" + good + "/" + samples;
    if (good != samples) {
      r.fail((samples - good) + " of " + samples + " keys read back after the fill were wrong");
    }
  }

  private static void readRandom(Params p, KvEngine e, Path dir, long valueOffset,
      ChildOutput out) {
    RunResult r = result(p, "readrandom");
    SplittableRandom random = new SplittableRandom(7);
    Meter m = new Meter("readrandom", p.n(), p.capNanos(), out);
    long hits = 0;
    long wrong = 0;
    for (int i = 0; i < p.n(); i++) {
      int k = random.nextInt(p.n());
      long t0 = System.nanoTime();
      byte[] v = e.get(Workload.key(k));
      boolean more = m.done(t0, v == null ? 16 : 16 + v.length);
      if (v != null) {
        hits++;
        if (v.length != Workload.VALUE_SIZE || !Arrays.equals(v, Workload.value(k + valueOffset))) {
          wrong++;
        }
      }
      if (!more) {
        break;
      }
    }
    m.finish(r, "get");
    r.checkReads(hits, m.ops(), wrong, "keys");
    r.diskBytes = du(dir);
    out.result(r);
  }

  private static void readMissing(Params p, KvEngine e, Path dir, ChildOutput out) {
    RunResult r = result(p, "readmissing");
    SplittableRandom random = new SplittableRandom(8);
    Meter m = new Meter("readmissing", p.n(), p.capNanos(), out);
    long misses = 0;
    for (int i = 0; i < p.n(); i++) {
      int k = random.nextInt(p.n());
      long t0 = System.nanoTime();
      byte[] v = e.get(Workload.missingKey(k));
      boolean more = m.done(t0, 17);
      if (v == null) {
        misses++;
      }
      if (!more) {
        break;
      }
    }
    m.finish(r, "get");
    r.checks = "misses=" + misses + "/" + m.ops();
    if (misses != m.ops()) {
      r.fail((m.ops() - misses) + " absent keys were found");
    }
    r.diskBytes = du(dir);
    out.result(r);
  }

  private static void seekRandom(Params p, KvEngine e, Path dir, ChildOutput out) {
    RunResult r = result(p, "seekrandom");
    SplittableRandom random = new SplittableRandom(9);
    Meter m = new Meter("seekrandom", p.n(), p.capNanos(), out);
    long wrong = 0;
    for (int i = 0; i < p.n(); i++) {
      int k = random.nextInt(p.n());
      long t0 = System.nanoTime();
      long bytes = e.seek(Workload.key(k), SEEK_NEXT);
      boolean more = m.done(t0, bytes);
      if (bytes != (long) Math.min(SEEK_NEXT, p.n() - k) * ENTRY) {
        wrong++;
      }
      if (!more) {
        break;
      }
    }
    m.finish(r, "seek + " + SEEK_NEXT + " entries");
    r.checks = "exact=" + (m.ops() - wrong) + "/" + m.ops();
    if (wrong != 0) {
      r.fail(wrong + " seeks saw the wrong number of bytes");
    }
    r.diskBytes = du(dir);
    out.result(r);
  }

  private static double writeAmp(KvEngine e, long userBytes) {
    return writeAmp(e, 0, userBytes);
  }

  /**
   * Table bytes written / user bytes; {@code before}: what an earlier open of the same store
   * wrote (the engines' counters start again at a reopen).
   */
  private static double writeAmp(KvEngine e, long before, long userBytes) {
    long tables = e.tableBytesWritten();
    return tables < 0 || userBytes == 0 ? Double.NaN : (double) (before + tables) / userBytes;
  }

  private static RunResult result(Params p, String workload) {
    RunResult r = new RunResult();
    r.suite = NAME;
    r.engine = p.engine();
    r.workload = workload;
    r.round = p.round();
    r.n = p.n();
    return r;
  }

  static Path fresh(Path base, String prefix) {
    try {
      Files.createDirectories(base);
      return Files.createTempDirectory(base, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path dir) {
    KvEngine.deleteRecursively(dir);
  }

  /** Bytes of all files under {@code dir}. */
  static long du(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0; // deleted by a background compaction meanwhile
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (UncheckedIOException e) {
      return du(dir); // a file vanished while walking: walk again
    }
  }

  static String describe() {
    return String.format(Locale.ROOT, "%s; reads after a flush and full compaction",
        Workload.describe());
  }
}

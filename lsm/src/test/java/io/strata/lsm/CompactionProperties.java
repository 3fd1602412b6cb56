package io.strata.lsm;

import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import static io.strata.lsm.DbModelProperties.b;
import static io.strata.lsm.DbModelProperties.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The compaction invariants, under random operation sequences with tiny tables (16 KiB write
 * buffer, 16 KiB target tables, a 16 to 64 KiB base level) so that one sequence runs dozens of
 * flushes and compactions in the background while it writes, and different settings per sequence
 * (level multiplier, level-0 trigger, background threads, compaction priority). Checked:
 *
 * <ul>
 *   <li>after every flush and compaction (from the listener, on the version it installed): in
 *       levels 1 and below tables are sorted and do not overlap, and every table's recorded key
 *       range, sequence range and entry count match its contents;
 *   <li>after every operation: the store reads exactly like the model (gets, scans both ways), no
 *       deleted key reappears and no overwritten value comes back; every open snapshot and cursor
 *       still reads exactly what it read when it was opened;
 *   <li>whenever background work has settled: the version rebuilt by replaying the manifest from
 *       disk equals the version in memory (compaction pointers included), no referenced table
 *       file is missing, and no table file is unreferenced.
 * </ul>
 *
 * <p>Run longer with {@code -Djqwik.tries=N}; a failure shrinks to a short operation list.
 */
class CompactionProperties {

  sealed interface Op {}

  /** Puts {@code count} keys of the fill alphabet, values of {@code valueLength} bytes. */
  record Fill(int first, int count, int valueLength, int seed) implements Op {}

  record Put(String key, int valueLength, int seed) implements Op {}

  record Delete(String key) implements Op {}

  /** Deletes every {@code step}-th key of the fill alphabet from {@code first}, in one batch. */
  record DeleteRange(int first, int step) implements Op {}

  record OpenSnapshot() implements Op {}

  record CloseSnapshot(int index) implements Op {}

  record OpenCursor() implements Op {}

  record CloseCursor(int index) implements Op {}

  record Flush() implements Op {}

  record CompactRange(String from, String to) implements Op {}

  /** Waits for background work, then checks the manifest and the files. */
  record Settle() implements Op {}

  record Reopen() implements Op {}

  record Setup(int multiplier, int level0Trigger, int threads, long baseBytes,
      CompactionPriority priority) {}

  static final int FILL_KEYS = 400;

  static String fillKey(int i) {
    return String.format("f%03d", i % FILL_KEYS);
  }

  static String value(String key, int length, int seed) {
    StringBuilder s = new StringBuilder(key).append('#').append(seed).append(':');
    while (s.length() < length) {
      s.append((char) ('a' + (s.length() * 31 + seed) % 26));
    }
    return s.toString();
  }

  @Provide
  Arbitrary<Setup> setups() {
    return Combinators.combine(Arbitraries.of(2, 4, 10), Arbitraries.of(1, 2, 4),
        Arbitraries.of(1, 2, 3), Arbitraries.of(16L << 10, 64L << 10),
        Arbitraries.of(CompactionPriority.class)).as(Setup::new);
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<String> keys = Arbitraries.of(DbModelProperties.KEYS);
    Arbitrary<Op> fill = Combinators.combine(Arbitraries.integers().between(0, FILL_KEYS - 1),
        Arbitraries.integers().between(20, 300), Arbitraries.integers().between(10, 600),
        Arbitraries.integers().between(0, 999)).as(Fill::new);
    Arbitrary<Op> put = Combinators.combine(keys, Arbitraries.integers().between(0, 2000),
        Arbitraries.integers().between(0, 999)).as(Put::new);
    Arbitrary<Op> ops = Arbitraries.frequencyOf(
        Tuple.of(12, fill),
        Tuple.of(8, put),
        Tuple.of(4, keys.map(Delete::new)),
        Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, FILL_KEYS - 1),
            Arbitraries.integers().between(1, 5)).as(DeleteRange::new)),
        Tuple.of(2, Arbitraries.just(new OpenSnapshot())),
        Tuple.of(1, Arbitraries.integers().between(0, 5).map(CloseSnapshot::new)),
        Tuple.of(2, Arbitraries.just(new OpenCursor())),
        Tuple.of(1, Arbitraries.integers().between(0, 5).map(CloseCursor::new)),
        Tuple.of(2, Arbitraries.just(new Flush())),
        Tuple.of(1, Combinators.combine(keys.injectNull(0.3), keys.injectNull(0.3))
            .as(CompactRange::new)),
        Tuple.of(3, Arbitraries.just(new Settle())),
        Tuple.of(1, Arbitraries.just(new Reopen())));
    return ops.list().ofMinSize(1).ofMaxSize(60);
  }

  private record Snap(Snapshot snapshot, TreeMap<String, String> state) {}

  private record OpenCursorState(Cursor cursor, List<String> contents) {}

  @Property
  void compactionKeepsEveryInvariant(@ForAll("setups") Setup setup,
      @ForAll("operations") List<Op> ops) throws IOException {
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/db");
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    Options options = Options.builder().writeBufferSize(16 << 10).targetFileSize(16 << 10)
        .maxBytesForLevelBase(setup.baseBytes()).levelSizeMultiplier(setup.multiplier())
        .level0CompactionTrigger(setup.level0Trigger()).level0SlowdownTrigger(8)
        .level0StopTrigger(12).backgroundThreads(setup.threads()).blockSize(512)
        .compactionPriority(setup.priority())
        .blockCacheBytes(64 << 10).fileSystem(fs).build();
    TreeMap<String, String> model = new TreeMap<>();
    List<Snap> snaps = new ArrayList<>();
    List<OpenCursorState> cursors = new ArrayList<>();
    Db db = openChecked(dir, options, problems);
    try {
      for (int step = 0; step < ops.size(); step++) {
        Op op = ops.get(step);
        String where = "step " + step + " " + op + " with " + setup;
        if (op instanceof Fill f) {
          WriteBatch batch = new WriteBatch();
          for (int i = 0; i < f.count(); i++) {
            String k = fillKey(f.first() + i * 7);
            String v = value(k, f.valueLength(), f.seed() + i);
            if (i % 3 == 0) {
              db.put(b(k), b(v));
            } else {
              batch.put(b(k), b(v));
            }
            model.put(k, v);
          }
          db.write(batch, WriteOptions.defaults());
        } else if (op instanceof Put p) {
          String v = value(p.key(), p.valueLength(), p.seed());
          db.put(b(p.key()), b(v));
          model.put(p.key(), v);
        } else if (op instanceof Delete d) {
          db.delete(b(d.key()));
          model.remove(d.key());
        } else if (op instanceof DeleteRange d) {
          WriteBatch batch = new WriteBatch();
          for (int i = d.first(); i < d.first() + 100; i += d.step()) {
            batch.delete(b(fillKey(i)));
            model.remove(fillKey(i));
          }
          db.write(batch, WriteOptions.defaults());
        } else if (op instanceof OpenSnapshot) {
          snaps.add(new Snap(db.snapshot(), new TreeMap<>(model)));
        } else if (op instanceof CloseSnapshot c) {
          if (!snaps.isEmpty()) {
            snaps.remove(c.index() % snaps.size()).snapshot().close();
          }
        } else if (op instanceof OpenCursor) {
          cursors.add(new OpenCursorState(db.cursor(ReadOptions.defaults()), entries(model)));
        } else if (op instanceof CloseCursor c) {
          if (!cursors.isEmpty()) {
            cursors.remove(c.index() % cursors.size()).cursor().close();
          }
        } else if (op instanceof Flush) {
          db.flush();
        } else if (op instanceof CompactRange c) {
          db.compactRange(c.from() == null ? null : b(c.from()), c.to() == null ? null : b(c.to()));
        } else if (op instanceof Settle) {
          settleAndCheck(db, fs, dir, cursors.isEmpty(), where);
        } else if (op instanceof Reopen) {
          snaps.forEach(sn -> sn.snapshot().close());
          snaps.clear();
          cursors.forEach(c -> c.cursor().close());
          cursors.clear();
          db.close();
          db = openChecked(dir, options, problems);
        }
        assertTrue(problems.isEmpty(), where + ": " + problems);
        DbModelProperties.checkAll(db, ReadOptions.defaults(), model, where);
        for (Snap sn : snaps) {
          DbModelProperties.checkAll(db, ReadOptions.builder().snapshot(sn.snapshot()).build(),
              sn.state(), where + " (snapshot still stable)");
        }
        for (OpenCursorState c : cursors) {
          List<String> got = new ArrayList<>();
          for (c.cursor().seekToFirst(); c.cursor().isValid(); c.cursor().next()) {
            got.add(s(c.cursor().key()) + "=" + s(c.cursor().value()));
          }
          assertEquals(c.contents(), got, where + " (open cursor still stable)");
        }
      }
      cursors.forEach(c -> c.cursor().close());
      cursors.clear();
      settleAndCheck(db, fs, dir, true, "at the end with " + setup);
      assertTrue(problems.isEmpty(), "at the end: " + problems);
    } finally {
      cursors.forEach(c -> c.cursor().close());
      db.close();
    }
  }

  /**
   * Opens the store with a listener that checks the tables after every flush and compaction of
   * this Db and collects what it finds wrong.
   */
  static Db openChecked(Path dir, Options options, ConcurrentLinkedQueue<String> problems) {
    CompletableFuture<Db> opened = new CompletableFuture<>();
    EventListener listener = new EventListener() {
      @Override
      public void onFlushCompleted(FlushInfo info) {
        check("flush " + info);
      }

      @Override
      public void onCompactionCompleted(CompactionInfo info) {
        check("compaction " + info);
      }

      private void check(String event) {
        try {
          // compactions may start during open: wait for it to return the Db
          DbModelProperties.checkTables(opened.get(), "after " + event);
        } catch (AssertionError | RuntimeException | InterruptedException
            | java.util.concurrent.ExecutionException e) {
          problems.add(e.toString());
        }
      }
    };
    Db db = Db.open(dir, options.toBuilder().listener(listener).build());
    opened.complete(db);
    return db;
  }

  static List<String> entries(TreeMap<String, String> model) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : model.entrySet()) {
      out.add(e.getKey() + "=" + e.getValue());
    }
    return out;
  }

  /**
   * Waits for background work; then the manifest on disk describes the version in memory, every
   * table it names exists, and (when no cursor pins an older version) no other table exists.
   */
  static void settleAndCheck(Db db, MemFileSystem fs, Path dir, boolean noCursors, String where)
      throws IOException {
    db.waitForCompactions();
    DbModelProperties.checkTables(db, where);
    TestAccess inside = db.testAccess();
    Version inMemory = inside.currentVersion();
    VersionSet replayed = inside.readManifest();
    for (int level = 0; level < VersionEdit.LEVELS; level++) {
      assertEquals(inMemory.files(level), replayed.current().files(level),
          where + ": manifest replay, level " + level);
      assertTrue(Arrays.equals(inside.compactPointer(level), replayed.compactPointer(level)),
          where + ": manifest replay, compaction pointer of level " + level);
    }
    inside.deleteObsoleteFilesNow();
    Set<Long> referenced = inMemory.fileNumbers();
    Set<Long> onDisk = new TreeSet<>();
    for (String name : fs.list(dir)) {
      FileNames.Parsed p = FileNames.parse(name);
      if (p.kind() == FileNames.Kind.TABLE) {
        onDisk.add(p.number());
      }
    }
    Set<Long> missing = new HashSet<>(referenced);
    missing.removeAll(onDisk);
    assertTrue(missing.isEmpty(), where + ": referenced tables missing: " + missing);
    if (noCursors) {
      Set<Long> unreferenced = new HashSet<>(onDisk);
      unreferenced.removeAll(referenced);
      assertTrue(unreferenced.isEmpty(), where + ": unreferenced tables: " + unreferenced);
    }
  }
}

package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.wal.LogReader;
import io.strata.wal.RecoveryMode;
import io.strata.fs.FileSystem;
import io.strata.fs.ForwardingFileSystem;
import io.strata.fs.MemFileSystem;
import io.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The manifest rolls over while the store is open: once it reaches {@code maxManifestBytes} (and
 * twice its snapshot), the next edit goes into a new manifest holding a snapshot, {@code CURRENT}
 * is switched atomically and the old manifest is deleted only after. Reopening after many
 * rollovers gives the same state, and a power cut before any disk call of one rollover leaves a
 * store that opens with every synced write.
 */
class ManifestRolloverTest {
  private static final Path DIR = Path.of("/db");
  private static final int LIMIT = 1024;

  private static Options.Builder options(FileSystem fs) {
    return Options.builder().fileSystem(fs).writeBufferSize(16 * 1024).blockSize(512)
        .targetFileSize(16 * 1024).maxBytesForLevelBase(64 * 1024).levelSizeMultiplier(4)
        .maxManifestBytes(LIMIT);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static TreeSet<Long> manifests(MemFileSystem fs) throws IOException {
    TreeSet<Long> numbers = new TreeSet<>();
    for (String name : fs.list(DIR)) {
      if (name.startsWith("MANIFEST-")) {
        numbers.add(Long.parseLong(name.substring("MANIFEST-".length())));
      }
    }
    return numbers;
  }

  /**
   * The live manifest stays within its bound: every record after the snapshot was appended while
   * the file was below the limit or below twice the snapshot (block padding allowed for).
   */
  private static void checkBound(MemFileSystem fs, long number) throws IOException {
    Path path = DIR.resolve(String.format("MANIFEST-%06d", number));
    try (LogReader r = LogReader.open(fs, path, number, RecoveryMode.STRICT, true)) {
      assertNotNull(r.next(), "the snapshot");
      long afterSnapshot = -1;
      long lastStart = -1;
      while (r.next() != null) {
        if (afterSnapshot < 0) {
          afterSnapshot = r.recordOffset();
        }
        lastStart = r.recordOffset();
      }
      if (lastStart >= 0) {
        long bound = Math.max(LIMIT, 2 * afterSnapshot);
        assertTrue(lastStart - 6 < bound, path + ": an edit was appended at " + lastStart
            + ", past the rollover bound " + bound);
      }
    }
  }

  @Test
  void theManifestRollsOverManyTimesAndTheStoreReopensWithEverything() throws IOException {
    MemFileSystem fs = new MemFileSystem();
    Random random = new Random(16);
    TreeMap<String, String> model = new TreeMap<>();
    Set<Long> seen = new TreeSet<>();
    for (int session = 0; session < 3; session++) {
      try (Db db = Db.open(DIR, options(fs).build())) {
        seen.addAll(manifests(fs));
        for (int round = 0; round < 60; round++) {
          for (int i = 0; i < 20; i++) {
            String k = "k" + random.nextInt(300);
            String v = session + "." + round + "." + "v".repeat(random.nextInt(200));
            db.put(bytes(k), bytes(v));
            model.put(k, v);
          }
          db.flush();
          seen.addAll(manifests(fs));
          if (round % 10 == 9) {
            db.waitForCompactions();
            TreeSet<Long> now = manifests(fs);
            assertEquals(1, now.size(), "old manifests are deleted once CURRENT moved: " + now);
            checkBound(fs, now.first());
          }
        }
      }
    }
    // each open writes one manifest; the rest are rollovers
    assertTrue(seen.size() >= 3 + 8, "the manifest rolled over only " + (seen.size() - 3)
        + " times in 180 flushes and their compactions: " + seen);
    try (Db db = Db.open(DIR, options(fs).build())) {
      for (Map.Entry<String, String> e : model.entrySet()) {
        assertArrayEquals(bytes(e.getValue()), db.get(bytes(e.getKey())), e.getKey());
      }
      int count = 0;
      try (Cursor c = db.cursor(ReadOptions.defaults())) {
        for (c.seekToFirst(); c.isValid(); c.next()) {
          count++;
        }
      }
      assertEquals(model.size(), count);
      assertEquals(List.of(), db.verifyChecksums());
    }
  }

  @Test
  void theLimitIsValidated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Options.builder().maxManifestBytes(1023));
    assertTrue(e.getMessage().contains("maxManifestBytes") && e.getMessage().contains("1023"),
        e.getMessage());
    assertEquals(64L << 20, Options.defaults().maxManifestBytes());
    assertEquals(4096, Options.builder().maxManifestBytes(4096).build().toBuilder().build()
        .maxManifestBytes());
  }

  /** One crash copy: the disk a power cut before a call would leave, and that call. */
  private record Point(MemFileSystem disk, String call) {}

  /**
   * Power cut before every disk call of one flush whose edit rolls the manifest over (new
   * manifest, its sync, its directory entry, the temporary CURRENT, its sync, the rename, the
   * directory sync, the deletion of the old manifest), with only synced data kept and with
   * unsynced pages kept at random: each copy opens with every synced write.
   */
  @Test
  void aPowerCutAtEveryStepOfARolloverLeavesAStoreThatOpensWithEverySyncedWrite()
      throws IOException {
    MemFileSystem mem = new MemFileSystem();
    Recording fs = new Recording(mem);
    // no compactions: the flush alone edits the manifest in the recorded window
    Options options = options(fs).level0CompactionTrigger(100).level0SlowdownTrigger(200)
        .level0StopTrigger(300).build();
    TreeMap<String, String> model = new TreeMap<>();
    Random random = new Random(6);
    List<Point> points = null;
    try (Db db = Db.open(DIR, options)) {
      for (int attempt = 0; attempt < 200 && points == null; attempt++) {
        for (int i = 0; i < 10; i++) {
          String k = "k" + random.nextInt(100);
          String v = attempt + "." + "v".repeat(random.nextInt(100));
          db.write(new WriteBatch().put(bytes(k), bytes(v)), WriteOptions.sync());
          model.put(k, v);
        }
        long before = manifests(mem).last();
        fs.recording = new ArrayList<>();
        db.flush();
        List<Point> taken = fs.recording;
        fs.recording = null;
        if (manifests(mem).last() > before) {
          points = taken;
        }
      }
    }
    assertNotNull(points, "no flush rolled the manifest over");
    Set<String> calls = new TreeSet<>();
    for (Point p : points) {
      calls.add(p.call().replaceAll("[0-9]+", "N"));
    }
    for (String step : List.of("create MANIFEST-N", "append MANIFEST-N", "sync MANIFEST-N",
        "create N.tmp", "sync N.tmp", "rename CURRENT", "sync-directory db",
        "delete MANIFEST-N")) {
      assertTrue(calls.contains(step), "no crash point before " + step + ": " + calls);
    }
    for (Point p : points) {
      try (Db db = Db.open(DIR, options.toBuilder().fileSystem(p.disk()).build())) {
        for (Map.Entry<String, String> e : model.entrySet()) {
          assertArrayEquals(bytes(e.getValue()), db.get(bytes(e.getKey())),
              "power cut before " + p.call() + ": key " + e.getKey());
        }
        db.put(bytes("after"), bytes(p.call()));
        db.flush();
      }
      try (Db db = Db.open(DIR, options.toBuilder().fileSystem(p.disk()).build())) {
        assertArrayEquals(bytes(p.call()), db.get(bytes("after")), p.call());
        assertEquals(1, manifests(p.disk()).size(), "after " + p.call());
      }
    }
  }

  /**
   * A file system over {@link MemFileSystem} that, while {@code recording} is set, takes two
   * crash copies before each call that changes the disk: synced data only, and synced data plus
   * a random subset of the unsynced pages.
   */
  private static final class Recording extends ForwardingFileSystem {
    final MemFileSystem mem;
    final Random random = new Random(3);
    volatile List<Point> recording;

    Recording(MemFileSystem mem) {
      super(mem);
      this.mem = mem;
    }

    private void before(String call, Path file) {
      List<Point> r = recording;
      if (r != null) {
        synchronized (r) {
          String label = call + " " + file.getFileName();
          r.add(new Point(mem.crashCopy(), label));
          r.add(new Point(mem.crashCopyLosingPages(random), label + " (some pages)"));
        }
      }
    }

    @Override
    protected WritableFile writable(Path file, WritableFile f) {
      return new WritableFile() {
        @Override
        public void append(ByteBuffer src) throws IOException {
          before("append", file);
          f.append(src);
        }

        @Override
        public void sync() throws IOException {
          before("sync", file);
          f.sync();
        }

        @Override
        public void truncate(long size) throws IOException {
          before("truncate", file);
          f.truncate(size);
        }

        @Override
        public long size() {
          return f.size();
        }

        @Override
        public void close() throws IOException {
          f.close();
        }
      };
    }

    @Override
    public WritableFile create(Path file) throws IOException {
      before("create", file);
      return super.create(file);
    }

    @Override
    public WritableFile createLog(Path file) throws IOException {
      before("create", file);
      return super.createLog(file);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
      before("rename", target);
      super.rename(source, target);
    }

    @Override
    public boolean delete(Path file) throws IOException {
      before("delete", file);
      return super.delete(file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      before("sync-directory", dir);
      super.syncDirectory(dir);
    }
  }
}

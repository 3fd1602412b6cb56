package io.strata.wal;

import static io.strata.wal.LogFiles.DIR;
import static io.strata.wal.LogFiles.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.FaultInjectingFileSystem;
import io.strata.fs.FaultInjectingFileSystem.Fault;
import io.strata.fs.FaultInjectingFileSystem.Op;
import io.strata.fs.FileSystem;
import io.strata.fs.MemFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {

  private static List<byte[]> replayAll(FileSystem fs) throws IOException {
    List<byte[]> out = new ArrayList<>();
    Wal.replay(fs, DIR, 1, RecoveryMode.STRICT, (p, r) -> out.add(r));
    return out;
  }

  @Test
  void rotatesAtTheSegmentSizeAndReplaysAcrossSegments() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    WalOptions options = WalOptions.builder().segmentSize(64 * 1024).build();
    List<RecordPosition> positions = new ArrayList<>();
    try (Wal wal = Wal.open(fs, DIR, options, (p, r) -> {})) {
      for (int i = 0; i < 200; i++) {
        positions.add(wal.append(record(i, 1000), Durability.NONE));
      }
      // a record larger than a segment gets one of its own
      positions.add(wal.append(record(999, 200_000), Durability.NONE));
      positions.add(wal.append(record(1000, 10), Durability.NONE));
    }
    List<Long> segments = Wal.segments(fs, DIR);
    assertTrue(segments.size() >= 4, "segments " + segments);
    for (long n : segments) {
      long size = fs.contents(Wal.segmentPath(DIR, n)).length;
      assertTrue(size <= 64 * 1024 || size > 200_000, "segment " + n + " has " + size + " bytes");
    }
    List<RecordPosition> replayed = new ArrayList<>();
    List<byte[]> records = new ArrayList<>();
    Wal.replay(fs, DIR, 1, RecoveryMode.STRICT, (p, r) -> {
      replayed.add(p);
      records.add(r);
    });
    assertEquals(positions, replayed);
    for (int i = 0; i < 200; i++) {
      assertArrayEquals(record(i, 1000), records.get(i));
    }
    assertArrayEquals(record(999, 200_000), records.get(200));
    List<RecordPosition> sorted = new ArrayList<>(replayed);
    Collections.sort(sorted);
    assertEquals(replayed, sorted, "positions follow append order");
  }

  @Test
  void reopeningContinuesInANewSegmentAndDeletesOldOnesOnRequest() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    try (Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> {})) {
      wal.append(record(1, 10), Durability.SYNC);
      assertEquals(1, wal.currentSegment());
    }
    List<byte[]> seen = new ArrayList<>();
    try (Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> seen.add(r))) {
      assertEquals(1, seen.size());
      assertEquals(2, wal.currentSegment());
      wal.append(record(2, 10), Durability.SYNC);
      long third = wal.rotate();
      assertEquals(3, third);
      wal.append(record(3, 10), Durability.SYNC);
      assertEquals(2, wal.deleteSegmentsBefore(3));
      assertEquals(List.of(3L), Wal.segments(fs, DIR));
      assertEquals(0, wal.deleteSegmentsBefore(100), "the current segment is never deleted");
    }
    assertEquals(1, replayAll(fs).size());
  }

  @Test
  void syncedRecordsSurviveAPowerLossAndRecoveryIsAPrefix() throws Exception {
    for (int round = 0; round < 30; round++) {
      Random random = new Random(round);
      MemFileSystem fs = new MemFileSystem();
      List<byte[]> appended = new ArrayList<>();
      int lastSynced = -1;
      WalOptions options = WalOptions.builder().segmentSize(64 * 1024).build();
      Wal wal = Wal.open(fs, DIR, options, (p, r) -> {});
      int n = 50 + random.nextInt(200);
      for (int i = 0; i < n; i++) {
        byte[] rec = record(round * 1000 + i, random.nextInt(3000));
        boolean sync = random.nextInt(5) == 0;
        wal.append(rec, sync ? Durability.SYNC : Durability.NONE);
        appended.add(rec);
        if (sync) {
          lastSynced = i;
        }
      }
      // power loss: the process dies with the log open; the disk keeps what was synced
      MemFileSystem after = round % 2 == 0 ? fs.crashCopy() : fs.crashCopy(random);
      List<byte[]> recovered = new ArrayList<>();
      try (Wal reopened = Wal.open(after, DIR, options, (p, r) -> recovered.add(r))) {
        assertTrue(recovered.size() > lastSynced, "round " + round + ": recovered "
            + recovered.size() + " records, but record " + lastSynced + " was synced");
        for (int i = 0; i < recovered.size(); i++) {
          assertArrayEquals(appended.get(i), recovered.get(i), "round " + round + " record " + i);
        }
        reopened.append(record(-1, 5), Durability.SYNC);
      }
      // after recovery the log is clean again, even strictly
      assertEquals(recovered.size() + 1, replayAll(after).size());
    }
  }

  /**
   * A power cut after the operating system wrote back some unsynced pages of the last segment in
   * no particular order: a page of zeros can sit between records that reached the disk. Nothing at
   * or after an unwritten page was synced (a sync writes every page before it), so recovery keeps
   * the records before the first one it damaged, in the strict-about-damage mode the LSM engine
   * uses too.
   */
  @Test
  void pagesWrittenBackOutOfOrderRecoverAPrefixHoldingEverySyncedRecord() throws Exception {
    int gaps = 0;
    for (int round = 0; round < 200; round++) {
      Random random = new Random(round);
      MemFileSystem fs = new MemFileSystem();
      List<byte[]> appended = new ArrayList<>();
      int lastSynced = -1;
      RecoveryMode mode = round % 2 == 0 ? RecoveryMode.TOLERATE_TRUNCATED_TAIL
          : RecoveryMode.TOLERATE_TORN_TAIL;
      WalOptions options = WalOptions.builder().segmentSize(64 * 1024).recoveryMode(mode).build();
      Wal wal = Wal.open(fs, DIR, options, (p, r) -> {});
      int n = 20 + random.nextInt(200);
      for (int i = 0; i < n; i++) {
        byte[] rec = record(round * 1000 + i, random.nextInt(random.nextBoolean() ? 300 : 9000));
        boolean sync = random.nextInt(8) == 0;
        wal.append(rec, sync ? Durability.SYNC : Durability.NONE);
        appended.add(rec);
        if (sync) {
          lastSynced = i;
        }
      }
      MemFileSystem after = fs.crashCopyLosingPages(random);
      List<byte[]> recovered = new ArrayList<>();
      try (Wal reopened = Wal.open(after, DIR, options, (p, r) -> recovered.add(r))) {
        assertTrue(recovered.size() > lastSynced, "round " + round + ": recovered "
            + recovered.size() + " records, but record " + lastSynced + " was synced");
        for (int i = 0; i < recovered.size(); i++) {
          assertArrayEquals(appended.get(i), recovered.get(i), "round " + round + " record " + i);
        }
        if (reopened.recoveryReport().droppedBytes() > 0
            && !reopened.recoveryReport().droppedOnlyZeros()) {
          gaps++;
        }
        reopened.append(record(-1, 5), Durability.SYNC);
      }
      assertEquals(recovered.size() + 1, replayAll(after).size());
    }
    assertTrue(gaps > 20, "only " + gaps + " rounds had records after a gap");
  }

  @Test
  void concurrentSyncAppendersShareFsyncs() throws Exception {
    MemFileSystem mem = new MemFileSystem();
    FileSystem fs = new FaultInjectingFileSystem(mem).delay(Op.SYNC, 2); // a disk's slow fsync
    int threads = 16;
    int perThread = 40;
    try (Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> {})) {
      long syncsBefore = wal.syncCount();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            wal.append(record(id * 1000 + i, 100), Durability.SYNC);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      long syncs = wal.syncCount() - syncsBefore;
      int appends = threads * perThread;
      assertTrue(syncs <= appends / 4,
          appends + " synced appends took " + syncs + " fsyncs: group commit is not grouping");
    }
    assertEquals(threads * perThread, replayAll(mem).size());
  }

  @Test
  void aFailedAppendStopsTheLogAndLosesNothingAcknowledged() throws Exception {
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> {});
    for (int i = 0; i < 10; i++) {
      wal.append(record(i, 5000), Durability.NONE);
    }
    fs.failNth(Op.APPEND, 1, Fault.NO_SPACE); // writes half the record, then fails
    IOException e = assertThrows(IOException.class,
        () -> wal.append(record(10, 5000), Durability.NONE));
    assertTrue(e.getMessage().contains("accepts no more records"), e.getMessage());
    fs.clearFaults();
    IOException again = assertThrows(IOException.class,
        () -> wal.append(record(11, 10), Durability.NONE));
    assertTrue(again.getMessage().contains("failed earlier"), again.getMessage());
    assertThrows(IOException.class, wal::sync, "no sync after a failure either");
    wal.close();
    // reopen: the half-written record is a torn tail; the ten acknowledged ones are all there
    List<byte[]> seen = new ArrayList<>();
    try (Wal reopened = Wal.open(mem, DIR, WalOptions.defaults(), (p, r) -> seen.add(r))) {
      assertEquals(10, seen.size());
      assertTrue(reopened.recoveryReport().droppedBytes() > 0);
    }
  }

  @Test
  void aFailedFsyncIsNeverRetriedAsIfItHadSucceeded() throws Exception {
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> {});
    wal.append(record(0, 100), Durability.SYNC);
    fs.failNth(Op.SYNC, 1, Fault.IO_ERROR);
    assertThrows(IOException.class, () -> wal.append(record(1, 100), Durability.SYNC));
    fs.clearFaults();
    long syncs = fs.count(Op.SYNC);
    assertThrows(IOException.class, () -> wal.append(record(2, 100), Durability.SYNC));
    assertThrows(IOException.class, wal::sync);
    assertEquals(syncs, fs.count(Op.SYNC), "no fsync attempted after one failed");
    wal.close();
    // a power loss now keeps the synced record only
    List<byte[]> seen = new ArrayList<>();
    Wal.replay(mem.crashCopy(), DIR, 1, RecoveryMode.TOLERATE_TORN_TAIL, (p, r) -> seen.add(r));
    assertEquals(1, seen.size());
  }

  @Test
  void failingToCreateTheNextSegmentFailsTheAppendThatNeededIt() throws Exception {
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    WalOptions options = WalOptions.builder().segmentSize(64 * 1024).build();
    Wal wal = Wal.open(fs, DIR, options, (p, r) -> {});
    fs.failNth(Op.CREATE, 1, Fault.NO_SPACE);
    int acknowledged = 0;
    try {
      for (int i = 0; i < 100; i++) {
        wal.append(record(i, 1000), Durability.NONE);
        acknowledged++;
      }
    } catch (IOException expected) {
      assertTrue(expected.getMessage().contains("creating WAL segment 2"), expected.getMessage());
    }
    assertTrue(acknowledged > 10 && acknowledged < 100);
    wal.close();
    List<byte[]> seen = new ArrayList<>();
    Wal.replay(mem.crashCopy(), DIR, 1, RecoveryMode.STRICT, (p, r) -> seen.add(r));
    assertEquals(acknowledged, seen.size(), "segment 1 was synced before rotation");
  }

  @Test
  void closedLogRefusesAppendsAndCloseIsIdempotent() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> {});
    wal.close();
    wal.close();
    assertThrows(IllegalStateException.class, () -> wal.append(new byte[1], Durability.NONE));
    assertThrows(NullPointerException.class, () -> Wal.open(fs, DIR, WalOptions.defaults(), null));
  }

  @Test
  void worksOnTheRealFileSystem(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("wal");
    Set<String> expected = new HashSet<>();
    try (Wal wal = Wal.open(FileSystem.real(), dir, WalOptions.defaults(), (p, r) -> {})) {
      for (int i = 0; i < 100; i++) {
        wal.append(("record " + i).getBytes(), i % 10 == 0 ? Durability.SYNC : Durability.NONE);
        expected.add("record " + i);
      }
    }
    assertTrue(Files.exists(Wal.segmentPath(dir, 1)));
    Set<String> seen = new HashSet<>();
    try (Wal wal = Wal.open(FileSystem.real(), dir, WalOptions.defaults(),
        (p, r) -> seen.add(new String(r)))) {
      assertEquals(expected, seen);
      assertEquals(2, wal.currentSegment());
    }
    // the real lock refuses a second holder
    var lock = FileSystem.real().lock(dir.resolve("LOCK"));
    IOException e = assertThrows(IOException.class,
        () -> FileSystem.real().lock(dir.resolve("LOCK")));
    assertTrue(e.getMessage().contains("already held"), e.getMessage());
    lock.close();
    FileSystem.real().lock(dir.resolve("LOCK")).close(); // released
  }
}

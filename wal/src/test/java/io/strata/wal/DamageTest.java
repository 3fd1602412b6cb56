package io.strata.wal;

import io.strata.CorruptionException;
import static io.strata.wal.LogFiles.DIR;
import static io.strata.wal.LogFiles.readAll;
import static io.strata.wal.LogFiles.record;
import static io.strata.wal.LogFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cuts and bit flips: what a crash or a bad disk does to a log file. */
class DamageTest {
  private final MemFileSystem fs = new MemFileSystem();
  private final Path file = DIR.resolve("000001.wal");

  /** How many records end at or before {@code cut}. */
  private static int completeBefore(long[] ends, long cut) {
    int n = 0;
    while (n < ends.length && ends[n] <= cut) {
      n++;
    }
    return n;
  }

  /** Where each record's last fragment ends (a record may be followed by block padding). */
  private static long[] ends(long[] offsets, List<byte[]> records) {
    int block = LogFormat.BLOCK_SIZE;
    int h = LogFormat.FRAGMENT_HEADER_SIZE;
    long[] ends = new long[offsets.length];
    for (int i = 0; i < offsets.length; i++) {
      long pos = offsets[i];
      int remaining = records.get(i).length;
      while (true) {
        int fragment = (int) Math.min(remaining, block - pos % block - h);
        pos += h + fragment;
        remaining -= fragment;
        if (remaining == 0) {
          break;
        }
      }
      ends[i] = pos;
    }
    return ends;
  }

  @Test
  void cutAtEveryByteOfTheLastRecordsRecoversExactlyTheCompleteOnes() throws Exception {
    // the last records: a small one, one whose FIRST and LAST fragments straddle the end of block
    // 0, an empty one, one that leaves 3 bytes of padding in block 1, and a last small one
    List<byte[]> records = new ArrayList<>();
    records.add(record(0, 100));
    records.add(record(1, 32_500)); // ends at 32630, 138 bytes before the end of block 0
    records.add(record(2, 17));
    records.add(record(3, 300));
    records.add(record(4, 0));
    int leaveThree = 2 * LogFormat.BLOCK_SIZE - (32_630 + 24 + 7 + 300 + 7 + 7) - 7 - 3;
    records.add(record(5, leaveThree));
    records.add(record(6, 40));
    long[] offsets = write(fs, file, 1, records);
    long[] ends = ends(offsets, records);
    byte[] whole = fs.contents(file);
    assertEquals(whole.length, ends[ends.length - 1]);
    assertEquals(2 * LogFormat.BLOCK_SIZE - 3, ends[5], "record 5 leaves 3 bytes of padding");
    int from = (int) offsets[2] - 1;
    for (int cut = from; cut <= whole.length; cut++) {
      fs.setContents(file, Arrays.copyOf(whole, cut));
      long[] end = new long[2];
      List<byte[]> back = readAll(fs, file, 1, RecoveryMode.TOLERATE_TORN_TAIL, end);
      int expected = completeBefore(ends, cut);
      assertEquals(expected, back.size(), "records recovered at cut " + cut);
      for (int i = 0; i < expected; i++) {
        assertArrayEquals(records.get(i), back.get(i), "record " + i + " at cut " + cut);
      }
      assertEquals(cut, end[0] + end[1], "valid + dropped = file length at cut " + cut);
      if (end[1] > 0) {
        assertEquals(offsets[expected], end[0], "truncated at the torn record's start, cut " + cut);
        assertThrows(CorruptionException.class,
            () -> readAll(fs, file, 1, RecoveryMode.STRICT, null), "STRICT at cut " + cut);
      } else {
        assertEquals(expected, readAll(fs, file, 1, RecoveryMode.STRICT, null).size());
      }
    }
  }

  @Test
  void tornTailIsTruncatedSoLaterAppendsAreReadable() throws Exception {
    fs.createDirectories(DIR);
    try (Wal wal = Wal.create(fs, DIR, 1, WalOptions.defaults())) {
      for (int i = 0; i < 5; i++) {
        wal.append(record(i, 1000), Durability.NONE);
      }
    }
    Path seg = Wal.segmentPath(DIR, 1);
    byte[] whole = fs.contents(seg);
    fs.setContents(seg, Arrays.copyOf(whole, whole.length - 300)); // tear the last record
    List<byte[]> seen = new ArrayList<>();
    try (Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> seen.add(r))) {
      assertEquals(4, seen.size());
      RecoveryReport report = wal.recoveryReport();
      assertTrue(report.tornTail());
      assertEquals(1, report.tornSegment());
      assertEquals(1000 + 7 - 300, report.droppedBytes());
      assertNotNull(report.tornProblem());
      wal.append(record(99, 10), Durability.SYNC);
    }
    seen.clear();
    try (Wal wal = Wal.open(fs, DIR, WalOptions.builder().recoveryMode(RecoveryMode.STRICT).build(),
        (p, r) -> seen.add(r))) {
      assertEquals(5, seen.size(), "4 old records and the new one, read strictly");
      assertArrayEquals(record(99, 10), seen.get(4));
      assertEquals(0, wal.recoveryReport().droppedBytes());
    }
  }

  @Test
  void everySingleBitFlipIsDetected() throws Exception {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      records.add(record(i, 40 + i * 13));
    }
    records.add(record(9, 33_000)); // spans a block boundary
    records.add(record(10, 25));
    long[] offsets = write(fs, file, 1, records);
    byte[] whole = fs.contents(file);
    long[] ends = ends(offsets, records);
    for (int bit = 0; bit < whole.length * 8; bit += (bit / 8 > 600 && bit / 8 < whole.length - 400 ? 61 : 1)) {
      byte[] damaged = whole.clone();
      damaged[bit / 8] ^= (byte) (1 << (bit % 8));
      fs.setContents(file, damaged);
      int byteAt = bit / 8;
      CorruptionException strict =
          assertThrows(CorruptionException.class,
              () -> readAll(fs, file, 1, RecoveryMode.STRICT, null), "STRICT, bit " + bit);
      assertEquals(file, strict.file());
      assertFoundAt(strict, byteAt);
      try {
        long[] end = new long[2];
        List<byte[]> back = readAll(fs, file, 1, RecoveryMode.TOLERATE_TORN_TAIL, end);
        // tolerated only as a torn tail: the damaged record is the last, and is dropped, reported
        int damagedRecord = completeBefore(ends, byteAt);
        assertEquals(records.size() - 1, damagedRecord, "only the last record may be dropped, bit " + bit);
        assertEquals(damagedRecord, back.size());
        assertTrue(end[1] > 0, "dropped bytes reported");
        for (int i = 0; i < back.size(); i++) {
          assertArrayEquals(records.get(i), back.get(i));
        }
      } catch (CorruptionException e) {
        assertEquals(file, e.file());
        assertFoundAt(e, byteAt);
      }
    }
  }

  /** Damage is reported at the fragment (or header) holding the damaged byte. */
  private static void assertFoundAt(CorruptionException e, int byteAt) {
    long blockStart = byteAt - byteAt % LogFormat.BLOCK_SIZE;
    assertTrue(e.offset() >= blockStart && e.offset() <= byteAt,
        "damage at " + byteAt + " reported at " + e.offset() + ": " + e.getMessage());
  }

  @Test
  void truncatedTailModeDropsCutsButReportsDamagedCompleteRecords() throws Exception {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      records.add(record(i, 3000));
    }
    long[] offsets = write(fs, file, 1, records);
    byte[] whole = fs.contents(file);
    // a cut inside the last record, and zeros in place of its end: what a crash leaves
    fs.setContents(file, Arrays.copyOf(whole, whole.length - 100));
    assertEquals(4, readAll(fs, file, 1, RecoveryMode.TOLERATE_TRUNCATED_TAIL, null).size());
    byte[] zeroed = whole.clone();
    Arrays.fill(zeroed, (int) offsets[4], zeroed.length, (byte) 0);
    fs.setContents(file, zeroed);
    assertEquals(4, readAll(fs, file, 1, RecoveryMode.TOLERATE_TRUNCATED_TAIL, null).size());
    // a crash in the middle of copying the last record into a mapped log: its first bytes, then
    // zeros through the end of the (preallocated) file
    byte[] tornCopy = Arrays.copyOf(whole, whole.length + 5000);
    Arrays.fill(tornCopy, (int) offsets[4] + 7 + 1000, tornCopy.length, (byte) 0);
    fs.setContents(file, tornCopy);
    assertEquals(4, readAll(fs, file, 1, RecoveryMode.TOLERATE_TRUNCATED_TAIL, null).size());
    // a flipped bit in the last, complete record: bit rot, not a crash
    byte[] flipped = whole.clone();
    flipped[(int) offsets[4] + 500] ^= 1;
    fs.setContents(file, flipped);
    assertEquals(4, readAll(fs, file, 1, RecoveryMode.TOLERATE_TORN_TAIL, null).size());
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> readAll(fs, file, 1, RecoveryMode.TOLERATE_TRUNCATED_TAIL, null));
    assertEquals(offsets[4], e.offset());
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void damageFollowedByValidRecordsIsNeverSkipped() throws Exception {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(record(i, 2000));
    }
    long[] offsets = write(fs, file, 1, records);
    byte[] whole = fs.contents(file);
    // damage the payload, the length, the type of record 10, and zero out a whole record
    int[] targets = {(int) offsets[10] + 20, (int) offsets[10] + 4, (int) offsets[10] + 6};
    for (int t : targets) {
      byte[] damaged = whole.clone();
      damaged[t] ^= 0x40;
      fs.setContents(file, damaged);
      for (RecoveryMode mode : RecoveryMode.values()) {
        CorruptionException e = assertThrows(CorruptionException.class,
            () -> readAll(fs, file, 1, mode, null), mode + " at " + t);
        assertEquals(offsets[10], e.offset(), e.getMessage());
      }
    }
    // zeros inside a page, followed by valid records: damage, not bytes never written
    int i = 5;
    while (offsets[i] % LogReader.PAGE + 64 >= LogReader.PAGE) {
      i++;
    }
    byte[] zeroed = whole.clone();
    Arrays.fill(zeroed, (int) offsets[i], (int) offsets[i] + 64, (byte) 0);
    fs.setContents(file, zeroed);
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> readAll(fs, file, 1, RecoveryMode.TOLERATE_TORN_TAIL, null));
    assertTrue(e.getMessage().contains("not a torn tail"), e.getMessage());
  }

  /**
   * Zeros from a record to the end of its 4 KiB page, followed by valid records, are what a power
   * cut leaves when the operating system had written later unsynced pages back but not that one:
   * none of it was synced, so the tolerant modes end the log there. Damage that zeroes bytes up to
   * a page end reads the same way; that is the price (the record there and every later one in the
   * last file are dropped, and reported).
   */
  @Test
  void anUnwrittenPageEndsTheLastFileEvenWhenValidRecordsFollow() throws Exception {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(record(i, 2000));
    }
    long[] offsets = write(fs, file, 1, records);
    byte[] whole = fs.contents(file);
    long page = (offsets[10] / LogReader.PAGE + 1) * LogReader.PAGE;
    byte[] lost = whole.clone();
    Arrays.fill(lost, (int) page, (int) page + LogReader.PAGE, (byte) 0);
    fs.setContents(file, lost);
    int firstHit = 0;
    while (offsets[firstHit + 1] <= page) {
      firstHit++;
    }
    for (RecoveryMode mode : new RecoveryMode[] {RecoveryMode.TOLERATE_TORN_TAIL,
        RecoveryMode.TOLERATE_TRUNCATED_TAIL}) {
      List<byte[]> read = new ArrayList<>();
      LogReader r = LogReader.open(fs, file, 1, mode, true);
      byte[] rec;
      while ((rec = r.next()) != null) {
        read.add(rec);
      }
      assertEquals(firstHit, read.size(), mode.toString());
      assertEquals(offsets[firstHit], r.validLength());
      assertTrue(r.tailProblem().contains("never written from offset"), r.tailProblem());
      r.close();
    }
    assertThrows(CorruptionException.class,
        () -> readAll(fs, file, 1, RecoveryMode.STRICT, null));
    // in a file that is not the last, it is damage
    assertThrows(CorruptionException.class, () -> {
      try (LogReader r = LogReader.open(fs, file, 1, RecoveryMode.TOLERATE_TORN_TAIL, false)) {
        while (r.next() != null) {
          // read on
        }
      }
    });
  }

  @Test
  void damageInASegmentThatIsNotTheLastIsCorruptionEvenAtItsEnd() throws Exception {
    fs.createDirectories(DIR);
    try (Wal wal = Wal.create(fs, DIR, 1, WalOptions.defaults())) {
      wal.append(record(1, 500), Durability.NONE);
      wal.rotate();
      wal.append(record(2, 500), Durability.NONE);
    }
    Path first = Wal.segmentPath(DIR, 1);
    byte[] b = fs.contents(first);
    fs.setContents(first, Arrays.copyOf(b, b.length - 10));
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Wal.replay(fs, DIR, 1, RecoveryMode.TOLERATE_TORN_TAIL, (p, r) -> {}));
    assertEquals(first, e.file());
    assertTrue(e.getMessage().contains("later log files follow"), e.getMessage());
  }

  @Test
  void aMissingSegmentIsCorruption() throws Exception {
    fs.createDirectories(DIR);
    try (Wal wal = Wal.create(fs, DIR, 1, WalOptions.defaults())) {
      for (int i = 0; i < 3; i++) {
        wal.append(record(i, 100), Durability.NONE);
        wal.rotate();
      }
    }
    fs.delete(Wal.segmentPath(DIR, 2));
    CorruptionException e = assertThrows(CorruptionException.class,
        () -> Wal.replay(fs, DIR, 1, RecoveryMode.TOLERATE_TORN_TAIL, (p, r) -> {}));
    assertEquals(Wal.segmentPath(DIR, 2), e.file());
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void aSegmentTornWhileBeingCreatedIsRepairedOnlyWhenTolerated() throws Exception {
    fs.createDirectories(DIR);
    try (Wal wal = Wal.create(fs, DIR, 1, WalOptions.defaults())) {
      wal.append(record(1, 100), Durability.NONE);
    }
    byte[] header = LogFormat.fileHeader(2);
    for (int len = 0; len < 16; len++) {
      fs.setContents(Wal.segmentPath(DIR, 2), Arrays.copyOf(header, len));
      assertThrows(CorruptionException.class,
          () -> Wal.replay(fs, DIR, 1, RecoveryMode.STRICT, (p, r) -> {}));
      List<byte[]> seen = new ArrayList<>();
      RecoveryReport report =
          Wal.replay(fs, DIR, 1, RecoveryMode.TOLERATE_TORN_TAIL, (p, r) -> seen.add(r));
      assertEquals(1, seen.size());
      assertEquals(len, report.droppedBytes());
      assertArrayEquals(header, fs.contents(Wal.segmentPath(DIR, 2)), "header rewritten");
      // and now it reads strictly
      Wal.replay(fs, DIR, 1, RecoveryMode.STRICT, (p, r) -> {});
    }
    fs.setContents(Wal.segmentPath(DIR, 2), new byte[] {9, 9, 9});
    assertThrows(CorruptionException.class,
        () -> Wal.replay(fs, DIR, 1, RecoveryMode.TOLERATE_TORN_TAIL, (p, r) -> {}),
        "garbage is not a torn header");
  }
}

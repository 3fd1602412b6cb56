package io.strata.wal;

import io.strata.CorruptionException;
import static io.strata.wal.LogFiles.DIR;
import static io.strata.wal.LogFiles.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.fs.FileSystem;
import io.strata.fs.MemFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record size limit: the writer refuses what the reader would not reassemble, up front and
 * without failing the log, and the reader reassembles every record up to the limit. A small
 * configured bound stands in for the real one ({@link WalOptions#MAX_RECORD_BYTES}, near 2 GiB).
 */
class RecordLimitTest {
  private static final int BOUND = 100_000; // four fragments

  @Test
  void recordsUpToTheBoundAreWrittenAndReplayedAndALargerOneIsRefusedUpFront() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    WalOptions options = WalOptions.builder().maxRecordBytes(BOUND).build();
    List<byte[]> written = new ArrayList<>();
    try (Wal wal = Wal.open(fs, DIR, options, (p, r) -> { })) {
      for (int size : new int[] {BOUND - 1, BOUND}) {
        byte[] r = record(size, size);
        wal.append(r, Durability.SYNC);
        written.add(r);
      }
      long bytes = wal.bytesWritten();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> wal.append(record(1, BOUND + 1), Durability.SYNC));
      assertTrue(e.getMessage().contains("maxRecordBytes") && e.getMessage().contains("100000")
          && e.getMessage().contains("100001"), e.getMessage());
      assertEquals(bytes, wal.bytesWritten(), "nothing of the refused record was written");
      assertNull(wal.failure(), "a refused record does not fail the log");
      byte[] after = record(2, 5000);
      wal.append(after, Durability.SYNC); // still usable
      written.add(after);
    }
    List<byte[]> replayed = new ArrayList<>();
    try (Wal wal = Wal.open(fs, DIR, options, (p, r) -> replayed.add(r))) {
      assertEquals(written.size(), replayed.size());
      for (int i = 0; i < written.size(); i++) {
        assertArrayEquals(written.get(i), replayed.get(i), "record " + i);
      }
      assertEquals(0, wal.recoveryReport().droppedBytes());
    }
  }

  @Test
  void theBoundIsValidated() {
    assertThrows(IllegalArgumentException.class, () -> WalOptions.builder().maxRecordBytes(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WalOptions.builder().maxRecordBytes(WalOptions.MAX_RECORD_BYTES + 1L));
    assertTrue(e.getMessage().contains("maxRecordBytes"), e.getMessage());
    assertEquals(WalOptions.MAX_RECORD_BYTES, WalOptions.defaults().maxRecordBytes());
    assertEquals(Integer.MAX_VALUE - 8, WalOptions.MAX_RECORD_BYTES);
  }

  /**
   * A reader reassembles a record exactly at its limit, however many pieces it takes; one byte
   * more is damage no writer makes, reported with the record's offset and the limit.
   */
  @Test
  void theReaderReassemblesRecordsUpToItsLimitAcrossPieces() throws IOException {
    int limit = 2 * LogReader.PIECE + 12345;
    MemFileSystem fs = new MemFileSystem();
    Path file = DIR.resolve("000001.wal");
    byte[] atLimit = record(3, limit);
    byte[] small = record(4, 10);
    byte[] over = record(5, limit + 1);
    long[] offsets = LogFiles.write(fs, file, 1, List.of(small, atLimit, small, over));
    try (LogReader r = LogReader.open(fs, file, 1, RecoveryMode.STRICT, true, limit)) {
      assertArrayEquals(small, r.next());
      assertArrayEquals(atLimit, r.next());
      assertArrayEquals(small, r.next(), "the pieces are reset between records");
      CorruptionException e = assertThrows(CorruptionException.class, r::next);
      assertEquals(offsets[3], e.offset(), e.getMessage());
      assertTrue(e.getMessage().contains(String.valueOf(limit)), e.getMessage());
    }
    // the default reader takes all of them
    List<byte[]> all = LogFiles.readAll(fs, file, 1, RecoveryMode.STRICT, null);
    assertEquals(4, all.size());
    assertArrayEquals(over, all.get(3));
  }

  /**
   * The real thing, past 2^30 bytes (where the old reader's doubling gave up): about 4 GiB of
   * heap, so only with {@code -Dstrata.wal.hugeRecords=true} and a large {@code -Xmx} (for
   * example {@code -DargLine=-Xmx6g}).
   */
  @Test
  void aRecordOfMoreThanAGibibyteIsReplayed(@TempDir Path tmp) throws IOException {
    assumeTrue(Boolean.getBoolean("strata.wal.hugeRecords"),
        "needs -Dstrata.wal.hugeRecords=true and about 4 GiB of heap");
    byte[] big = new byte[5 << 28]; // 1.25 GiB: the batch of five 256 MiB values
    for (int i = 0; i < big.length; i += 4093) {
      big[i] = (byte) (i >>> 12);
    }
    big[big.length - 1] = 42;
    Path dir = tmp.resolve("wal");
    // one segment for both; the first record leaves 300 bytes of payload room in block 0, so the
    // big one starts with a small fragment (the old reader's buffer then doubled from 512 bytes
    // and gave up at 2^30)
    WalOptions options = WalOptions.builder().segmentSize(4L << 30).build();
    byte[] first = new byte[LogFormat.BLOCK_SIZE - LogFormat.FILE_HEADER_SIZE
        - 2 * LogFormat.FRAGMENT_HEADER_SIZE - 300];
    try (Wal wal = Wal.open(FileSystem.real(), dir, options, (p, r) -> { })) {
      wal.append(first, Durability.NONE);
      wal.append(big, Durability.SYNC);
    }
    List<byte[]> replayed = new ArrayList<>();
    try (Wal wal = Wal.open(FileSystem.real(), dir, options, (p, r) -> replayed.add(r))) {
      assertEquals(2, replayed.size());
      assertArrayEquals(big, replayed.get(1));
    }
  }
}

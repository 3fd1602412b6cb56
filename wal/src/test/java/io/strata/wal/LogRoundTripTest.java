package io.strata.wal;

import io.strata.CorruptionException;
import static io.strata.wal.LogFiles.DIR;
import static io.strata.wal.LogFiles.readAll;
import static io.strata.wal.LogFiles.record;
import static io.strata.wal.LogFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogRoundTripTest {
  private static final int BLOCK = LogFormat.BLOCK_SIZE;
  private static final int H = LogFormat.FRAGMENT_HEADER_SIZE;
  private final MemFileSystem fs = new MemFileSystem();
  private final Path file = DIR.resolve("000001.wal");

  @Test
  void recordsOfAwkwardSizesComeBackExactly() throws Exception {
    List<byte[]> records = new ArrayList<>();
    int[] sizes = {
      0, 1, 100, BLOCK - 16 - H, // exactly fills block 0 after the header
      0, BLOCK - H, BLOCK - H + 1, BLOCK, 3 * BLOCK + 5, 0, 0, 200_000, 1, BLOCK - H - 3
    };
    for (int i = 0; i < sizes.length; i++) {
      records.add(record(i, sizes[i]));
    }
    // records that leave 0..7 bytes at the end of a block, exercising the zero padding
    for (int leave = 0; leave <= 8; leave++) {
      records.add(record(100 + leave, BLOCK - H - leave));
      records.add(record(200 + leave, 10));
    }
    long[] offsets = write(fs, file, 1, records);
    long[] end = new long[2];
    List<byte[]> back = readAll(fs, file, 1, RecoveryMode.STRICT, end);
    assertEquals(records.size(), back.size());
    for (int i = 0; i < records.size(); i++) {
      assertArrayEquals(records.get(i), back.get(i), "record " + i);
    }
    assertEquals(fs.contents(file).length, end[0], "whole file valid");
    assertEquals(0, end[1]);
    // offsets are where each record's first fragment starts, inside the block it was written in
    for (int i = 1; i < offsets.length; i++) {
      assertTrue(offsets[i] > offsets[i - 1]);
      assertTrue(offsets[i] % BLOCK <= BLOCK - H, "fragment header fits its block");
    }
    assertEquals(16, offsets[0], "first record follows the 16-byte header");
  }

  @Test
  void positionsReportedByTheReaderMatchTheWriter() throws Exception {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(record(i, i * 1999 % 70_000));
    }
    long[] offsets = write(fs, file, 1, records);
    try (LogReader r = LogReader.open(fs, file, 1, RecoveryMode.STRICT, true)) {
      for (long offset : offsets) {
        r.next();
        assertEquals(offset, r.recordOffset());
      }
      assertEquals(null, r.next());
    }
  }

  @Test
  void wrongFileNumberOrMagicIsCorruptionInBothModes() throws Exception {
    write(fs, file, 7, List.of(record(1, 10)));
    for (RecoveryMode mode : RecoveryMode.values()) {
      CorruptionException e =
          assertThrows(CorruptionException.class, () -> readAll(fs, file, 8, mode, null));
      assertTrue(e.getMessage().contains("file number 7"), e.getMessage());
      assertEquals(file, e.file());
    }
    byte[] bytes = fs.contents(file);
    bytes[0] = 'X';
    fs.setContents(file, bytes);
    CorruptionException e =
        assertThrows(CorruptionException.class,
            () -> readAll(fs, file, 7, RecoveryMode.TOLERATE_TORN_TAIL, null));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
    assertEquals(0, e.offset());
  }

  @Test
  void emptyLogHasNoRecords() throws Exception {
    write(fs, file, 1, List.of());
    assertEquals(0, readAll(fs, file, 1, RecoveryMode.STRICT, null).size());
  }
}

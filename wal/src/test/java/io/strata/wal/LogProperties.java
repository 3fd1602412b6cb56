package io.strata.wal;

import static io.strata.wal.LogFiles.DIR;
import static io.strata.wal.LogFiles.readAll;
import static io.strata.wal.LogFiles.record;
import static io.strata.wal.LogFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LogProperties {

  /**
   * Any sizes from 0 to 100 KiB, any cut point: tolerant recovery returns exactly the records that
   * were complete before the cut, byte for byte, and says how much it dropped.
   */
  @Property
  void cutAnywhereRecoversExactlyTheCompleteRecords(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 100 * 1024) Integer> sizes,
      @ForAll @DoubleRange(min = 0.0, max = 1.0) double cutFraction)
      throws Exception {
    MemFileSystem fs = new MemFileSystem();
    Path file = DIR.resolve("000003.wal");
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      records.add(record(i, sizes.get(i)));
    }
    long[] offsets = write(fs, file, 3, records);
    byte[] whole = fs.contents(file);
    int cut = (int) Math.round(cutFraction * whole.length);
    fs.setContents(file, Arrays.copyOf(whole, cut));

    long[] end = new long[2];
    List<byte[]> back = readAll(fs, file, 3, RecoveryMode.TOLERATE_TORN_TAIL, end);

    int complete = 0;
    while (complete < records.size() && endOf(offsets[complete], sizes.get(complete)) <= cut) {
      complete++; // complete when the cut leaves all its fragments; padding after it is irrelevant
    }
    assertEquals(complete, back.size(), "records before cut " + cut + " of " + whole.length);
    for (int i = 0; i < complete; i++) {
      assertArrayEquals(records.get(i), back.get(i));
    }
    assertEquals(cut, end[0] + end[1]);
  }

  private static long endOf(long offset, int length) {
    long pos = offset;
    int remaining = length;
    while (true) {
      int fragment = (int) Math.min(remaining,
          LogFormat.BLOCK_SIZE - pos % LogFormat.BLOCK_SIZE - LogFormat.FRAGMENT_HEADER_SIZE);
      pos += LogFormat.FRAGMENT_HEADER_SIZE + fragment;
      remaining -= fragment;
      if (remaining == 0) {
        return pos;
      }
    }
  }
}

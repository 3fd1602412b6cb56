package io.strata.wal;

import io.strata.fs.MemFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test helpers: deterministic records, and writing and reading whole log files. */
final class LogFiles {
  private LogFiles() {}

  static final Path DIR = Path.of("/log");

  /** A record of {@code size} bytes whose contents identify {@code id}. */
  static byte[] record(int id, int size) {
    byte[] b = new byte[size];
    Random r = new Random(id * 7919L + size);
    r.nextBytes(b);
    return b;
  }

  /** Writes the records to a fresh single log file and returns where each starts. */
  static long[] write(MemFileSystem fs, Path file, long number, List<byte[]> records)
      throws IOException {
    fs.createDirectories(file.getParent());
    long[] offsets = new long[records.size()];
    try (LogWriter w = LogWriter.create(fs, file, number)) {
      for (int i = 0; i < records.size(); i++) {
        offsets[i] = w.append(records.get(i));
      }
      w.sync();
    }
    return offsets;
  }

  /** Reads every record of a single file; the reader's final state is in {@code end}. */
  static List<byte[]> readAll(
      MemFileSystem fs, Path file, long number, RecoveryMode mode, long[] end) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (LogReader r = LogReader.open(fs, file, number, mode, true)) {
      byte[] rec;
      while ((rec = r.next()) != null) {
        out.add(rec);
      }
      if (end != null) {
        end[0] = r.validLength();
        end[1] = r.droppedBytes();
      }
    }
    return out;
  }
}

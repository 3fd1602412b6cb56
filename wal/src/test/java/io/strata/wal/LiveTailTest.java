package io.strata.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.CorruptionException;
import io.strata.fs.FileLock;
import io.strata.fs.FileSystem;
import io.strata.fs.MemFileSystem;
import io.strata.fs.ReadableFile;
import io.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A log segment that a writer in another process appends to while a read-only reader reads it:
 * the reader must see a prefix of the records, never call the live tail damage.
 */
class LiveTailTest {
  private static final Path FILE = LogFiles.DIR.resolve("000007.wal");
  /** Where the third record starts: the end of what the writer had appended at first. */
  private static int tail;

  /**
   * The segment as a memory-mapped writer leaves it: two records, then zeros to 64 KiB (the
   * mapped chunk); {@code later} is the same segment once the writer appended a third record.
   */
  private static byte[][] versions() throws IOException {
    MemFileSystem fs = new MemFileSystem();
    List<byte[]> records = List.of(LogFiles.record(1, 300), LogFiles.record(2, 500),
        LogFiles.record(3, 400));
    LogFiles.write(fs, FILE, 7, records);
    byte[] full = read(fs);
    byte[] later = Arrays.copyOf(full, 64 << 10);
    MemFileSystem two = new MemFileSystem();
    LogFiles.write(two, FILE, 7, records.subList(0, 2));
    byte[] written = read(two);
    tail = written.length;
    byte[] earlier = Arrays.copyOf(written, 64 << 10);
    return new byte[][] {earlier, later};
  }

  private static byte[] read(FileSystem fs) throws IOException {
    try (ReadableFile f = fs.openForRead(FILE)) {
      byte[] b = new byte[(int) f.size()];
      f.readFully(0, ByteBuffer.wrap(b));
      return b;
    }
  }

  /**
   * A file whose first read reaching the third record's offset sees {@code earlier} (the writer
   * has not appended it yet); every read after that sees {@code later}.
   */
  private static FileSystem live(byte[] earlier, byte[] later) {
    return new FileSystem() {
      @Override
      public ReadableFile openForRead(Path file) {
        return new ReadableFile() {
          boolean appended;

          @Override
          public void readFully(long position, ByteBuffer dst) {
            byte[] now = appended ? later : earlier;
            if (position + dst.remaining() > tail) {
              appended = true;
            }
            dst.put(now, (int) position, dst.remaining());
          }

          @Override
          public long size() {
            return later.length;
          }

          @Override
          public void close() {}
        };
      }

      @Override
      public WritableFile create(Path file) {
        throw new UnsupportedOperationException();
      }

      @Override
      public WritableFile openForAppend(Path file) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void rename(Path source, Path target) {
        throw new UnsupportedOperationException();
      }

      @Override
      public boolean delete(Path file) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<String> list(Path dir) {
        return List.of(FILE.getFileName().toString());
      }

      @Override
      public void createDirectories(Path dir) {}

      @Override
      public boolean exists(Path path) {
        return true;
      }

      @Override
      public void syncDirectory(Path dir) {}

      @Override
      public FileLock lock(Path file) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private static List<byte[]> readAll(LogReader r) throws IOException {
    List<byte[]> out = new ArrayList<>();
    byte[] rec;
    while ((rec = r.next()) != null) {
      out.add(rec);
    }
    return out;
  }

  @Test
  void readInPlaceALiveTailLooksLikeDamage() throws IOException {
    // the reason for openSnapshot: the check past the tail sees the record appended meanwhile
    byte[][] v = versions();
    try (LogReader r = LogReader.open(live(v[0], v[1]), FILE, 7,
        RecoveryMode.TOLERATE_TRUNCATED_TAIL, true)) {
      assertThrows(CorruptionException.class, () -> readAll(r));
    }
  }

  @Test
  void aSnapshotOfALiveSegmentReadsThePrefixItSaw() throws IOException {
    byte[][] v = versions();
    try (LogReader r = LogReader.openSnapshot(live(v[0], v[1]), FILE, 7,
        RecoveryMode.TOLERATE_TRUNCATED_TAIL, true)) {
      List<byte[]> got = readAll(r);
      assertEquals(2, got.size());
      assertArrayEquals(LogFiles.record(1, 300), got.get(0));
      assertArrayEquals(LogFiles.record(2, 500), got.get(1));
    }
  }

  @Test
  void aSnapshotStillRefusesRealDamage() throws IOException {
    byte[][] v = versions();
    byte[] damaged = v[1].clone();
    damaged[LogFormat.FILE_HEADER_SIZE + 20] ^= 1; // inside the first record, records follow
    try (LogReader r = LogReader.openSnapshot(live(damaged, damaged), FILE, 7,
        RecoveryMode.TOLERATE_TRUNCATED_TAIL, true)) {
      assertThrows(CorruptionException.class, () -> readAll(r));
    }
  }
}

package io.strata.wal;

import static io.strata.wal.LogFormat.BLOCK_SIZE;
import static io.strata.wal.LogFormat.FILE_HEADER_SIZE;
import static io.strata.wal.LogFormat.FRAGMENT_HEADER_SIZE;

import io.strata.fs.FileSystem;
import io.strata.fs.WritableFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Appends framed records to one log file (format in {@code wal/FORMAT.md}). A record is cut into
 * fragments that never cross a 32 KiB block boundary, each with a length, a type and a CRC32C.
 *
 * <p>Not thread-safe: one thread appends at a time (the caller serializes). {@link #sync()} may be
 * called from another thread concurrently with appends; it then makes durable at least what was
 * appended before it started. After an append or sync fails (with any {@link Throwable}), the
 * writer refuses further appends and syncs: the file may hold a partial record, or an fsync may
 * have dropped data, and only recovery may decide what to keep.
 */
public final class LogWriter implements Closeable {

  /** Bytes gathered before one write to the file. */
  private static final int SCRATCH_BYTES = 2 * BLOCK_SIZE;

  private final WritableFile file;
  private final Path path;
  private final ByteBuffer scratch =
      ByteBuffer.allocate(SCRATCH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private long size;
  private volatile IOException failure;

  private LogWriter(WritableFile file, Path path, long size) {
    this.file = file;
    this.path = path;
    this.size = size;
  }

  /**
   * Creates a new log file holding only its header, numbered {@code number} (the number is checked
   * when the file is read back). The header is not synced; call {@link #sync()} when it must be.
   */
  public static LogWriter create(FileSystem fs, Path file, long number) throws IOException {
    return create(fs, file, number, false);
  }

  /**
   * Like {@link #create(FileSystem, Path, long)}; with {@code manyAppends} the file is made by
   * {@link FileSystem#createLog}, which may map it into memory so appends cost no system call.
   */
  public static LogWriter create(FileSystem fs, Path file, long number, boolean manyAppends)
      throws IOException {
    Objects.requireNonNull(fs, "fs");
    Objects.requireNonNull(file, "file");
    if (number < 0) {
      throw new IllegalArgumentException("file number must be >= 0, was " + number);
    }
    WritableFile f = manyAppends ? fs.createLog(file) : fs.create(file);
    try {
      f.append(ByteBuffer.wrap(LogFormat.fileHeader(number)));
    } catch (Throwable e) {
      try {
        f.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return new LogWriter(f, file, FILE_HEADER_SIZE);
  }

  /** Appends one record and returns the offset of its first fragment in the file. */
  public long append(byte[] record) throws IOException {
    return append(record, 0, record.length);
  }

  /**
   * Appends {@code record[offset, offset+length)} as one record; returns where it starts.
   *
   * @throws IllegalArgumentException when {@code length} exceeds {@link
   *     WalOptions#MAX_RECORD_BYTES}, the most a reader reassembles (the writer stays usable)
   */
  public long append(byte[] record, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, record.length);
    if (length > LogFormat.MAX_RECORD_BYTES) {
      throw new IllegalArgumentException("record of " + length + " bytes exceeds the log record"
          + " limit of " + LogFormat.MAX_RECORD_BYTES + " bytes");
    }
    if (failure != null) {
      throw new IOException("log " + path + " failed earlier and accepts no more records", failure);
    }
    try {
      return frame(record, offset, length);
    } catch (Throwable e) {
      // an Error too (an OutOfMemoryError for a direct buffer, an InternalError from a mapped
      // page): the file may hold part of the record and size no longer matches it
      failure = e instanceof IOException ? (IOException) e : new IOException(e);
      throw e;
    } finally {
      scratch.clear();
    }
  }

  private long frame(byte[] record, int offset, int length) throws IOException {
    long start = -1;
    int remaining = length;
    int at = offset;
    boolean first = true;
    do {
      int leftInBlock = BLOCK_SIZE - (int) (size % BLOCK_SIZE);
      if (leftInBlock < FRAGMENT_HEADER_SIZE) {
        ensureScratch(leftInBlock);
        for (int i = 0; i < leftInBlock; i++) {
          scratch.put((byte) 0);
        }
        size += leftInBlock;
        leftInBlock = BLOCK_SIZE;
      }
      if (start < 0) {
        start = size;
      }
      int fragment = Math.min(remaining, leftInBlock - FRAGMENT_HEADER_SIZE);
      boolean last = fragment == remaining;
      byte type =
          first
              ? (last ? LogFormat.FULL : LogFormat.FIRST)
              : (last ? LogFormat.LAST : LogFormat.MIDDLE);
      ensureScratch(FRAGMENT_HEADER_SIZE + fragment);
      scratch.putInt(LogFormat.checksum(type, record, at, fragment));
      scratch.putShort((short) fragment);
      scratch.put(type);
      scratch.put(record, at, fragment);
      size += FRAGMENT_HEADER_SIZE + fragment;
      at += fragment;
      remaining -= fragment;
      first = false;
    } while (remaining > 0);
    drain();
    return start;
  }

  private void ensureScratch(int bytes) throws IOException {
    if (scratch.remaining() < bytes) {
      drain();
    }
  }

  private void drain() throws IOException {
    scratch.flip();
    if (scratch.hasRemaining()) {
      file.append(scratch);
    }
    scratch.clear();
  }

  /** Forces everything appended so far to stable storage. */
  public void sync() throws IOException {
    if (failure != null) {
      throw new IOException("log " + path + " failed earlier; not syncing", failure);
    }
    try {
      file.sync();
    } catch (Throwable e) {
      // an fsync that failed (in any way) may have dropped dirty pages: never retry it as if it
      // could succeed
      failure = e instanceof IOException ? (IOException) e : new IOException(e);
      throw e;
    }
  }

  /** Bytes in the file, header and padding included. */
  public long size() {
    return size;
  }

  /** The file this writer appends to. */
  public Path path() {
    return path;
  }

  /** The error that stopped this writer, or null. */
  public IOException failure() {
    return failure;
  }

  /** Closes the file without syncing it. */
  @Override
  public void close() throws IOException {
    file.close();
  }
}

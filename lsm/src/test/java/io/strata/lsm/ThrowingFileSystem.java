package io.strata.lsm;

import io.strata.fs.FileSystem;
import io.strata.fs.ForwardingFileSystem;
import io.strata.fs.ReadableFile;
import io.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A test file system over another that throws any {@link Throwable} once (an {@link Error}, say,
 * which {@code FaultInjectingFileSystem}'s I/O faults cannot) at the n-th append, open for
 * reading or close of a file whose name ends in a given suffix, and counts the files open for
 * reading. Thread-safe.
 */
final class ThrowingFileSystem extends ForwardingFileSystem {
  enum Op { APPEND, OPEN_FOR_READ, CLOSE }

  private final AtomicInteger openReaders = new AtomicInteger();
  private Op op;
  private String suffix;
  private int remaining;
  private Supplier<? extends Throwable> thrown;

  ThrowingFileSystem(FileSystem delegate) {
    super(delegate);
  }

  /** The {@code nth} (from 1) {@code op} on a file named {@code *suffix} throws, once. */
  synchronized ThrowingFileSystem throwAt(Op op, String suffix, int nth,
      Supplier<? extends Throwable> thrown) {
    this.op = op;
    this.suffix = suffix;
    this.remaining = nth;
    this.thrown = thrown;
    return this;
  }

  /** The next append to a {@code .wal} file throws what {@code error} makes, once. */
  void throwOnNextLogAppend(Supplier<? extends Error> error) {
    throwAt(Op.APPEND, ".wal", 1, error);
  }

  /** Files opened for reading and not yet closed. */
  int openReaders() {
    return openReaders.get();
  }

  private void maybeThrow(Op at, Path file) throws IOException {
    Supplier<? extends Throwable> s;
    synchronized (this) {
      if (thrown == null || at != op || !file.getFileName().toString().endsWith(suffix)
          || --remaining > 0) {
        return;
      }
      s = thrown;
      thrown = null;
    }
    Throwable t = s.get();
    if (t instanceof IOException io) {
      throw io;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw (RuntimeException) t;
  }

  @Override
  protected WritableFile writable(Path path, WritableFile f) {
    return new WritableFile() {
      @Override
      public void append(ByteBuffer src) throws IOException {
        maybeThrow(Op.APPEND, path);
        f.append(src);
      }

      @Override
      public void sync() throws IOException {
        f.sync();
      }

      @Override
      public void truncate(long size) throws IOException {
        f.truncate(size);
      }

      @Override
      public long size() {
        return f.size();
      }

      @Override
      public void close() throws IOException {
        maybeThrow(Op.CLOSE, path);
        f.close();
      }
    };
  }

  @Override
  public ReadableFile openForRead(Path file) throws IOException {
    maybeThrow(Op.OPEN_FOR_READ, file);
    return super.openForRead(file);
  }

  @Override
  protected ReadableFile readable(Path file, ReadableFile f) {
    openReaders.incrementAndGet();
    return new ReadableFile() {
      private boolean closed;

      @Override
      public void readFully(long position, ByteBuffer dst) throws IOException {
        f.readFully(position, dst);
      }

      @Override
      public long size() throws IOException {
        return f.size();
      }

      @Override
      public synchronized void close() throws IOException {
        if (!closed) {
          closed = true;
          openReaders.decrementAndGet();
        }
        f.close();
      }
    };
  }
}

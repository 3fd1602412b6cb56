package io.strata.lsm;

import io.strata.wal.fs.FileLock;
import io.strata.wal.fs.FileSystem;
import io.strata.wal.fs.ReadableFile;
import io.strata.wal.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A test file system over another: it can throw an unchecked {@link Throwable} (an {@link Error},
 * say, which {@code FaultInjectingFileSystem}'s I/O faults cannot) from the next append to a log
 * segment, once, and it counts the files open for reading. Thread-safe.
 */
final class ThrowingFileSystem implements FileSystem {
  private final FileSystem delegate;
  private final AtomicReference<Supplier<? extends Error>> nextLogAppend = new AtomicReference<>();
  private final AtomicInteger openReaders = new AtomicInteger();

  ThrowingFileSystem(FileSystem delegate) {
    this.delegate = delegate;
  }

  /** The next append to a {@code .wal} file throws what {@code error} makes, once. */
  void throwOnNextLogAppend(Supplier<? extends Error> error) {
    nextLogAppend.set(error);
  }

  /** Files opened for reading and not yet closed. */
  int openReaders() {
    return openReaders.get();
  }

  @Override
  public WritableFile create(Path file) throws IOException {
    return wrap(file, delegate.create(file));
  }

  @Override
  public WritableFile createLog(Path file) throws IOException {
    return wrap(file, delegate.createLog(file));
  }

  @Override
  public WritableFile openForAppend(Path file) throws IOException {
    return wrap(file, delegate.openForAppend(file));
  }

  private WritableFile wrap(Path path, WritableFile f) {
    boolean log = path.getFileName().toString().endsWith(".wal");
    return new WritableFile() {
      @Override
      public void append(ByteBuffer src) throws IOException {
        if (log) {
          Supplier<? extends Error> e = nextLogAppend.getAndSet(null);
          if (e != null) {
            throw e.get();
          }
        }
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
        f.close();
      }
    };
  }

  @Override
  public ReadableFile openForRead(Path file) throws IOException {
    ReadableFile f = delegate.openForRead(file);
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

  @Override
  public void rename(Path source, Path target) throws IOException {
    delegate.rename(source, target);
  }

  @Override
  public boolean delete(Path file) throws IOException {
    return delegate.delete(file);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return delegate.exists(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    delegate.syncDirectory(dir);
  }

  @Override
  public FileLock lock(Path file) throws IOException {
    return delegate.lock(file);
  }
}

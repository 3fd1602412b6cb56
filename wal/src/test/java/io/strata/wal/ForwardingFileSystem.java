package io.strata.wal;

import io.strata.wal.fs.FileLock;
import io.strata.wal.fs.FileSystem;
import io.strata.wal.fs.ReadableFile;
import io.strata.wal.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** A file system that passes every call on, with a hook before each file sync. */
class ForwardingFileSystem implements FileSystem {
  private final FileSystem delegate;

  ForwardingFileSystem(FileSystem delegate) {
    this.delegate = delegate;
  }

  protected void beforeSync() {}

  private WritableFile wrap(WritableFile w) {
    return new WritableFile() {
      @Override
      public void append(ByteBuffer src) throws IOException {
        w.append(src);
      }

      @Override
      public void sync() throws IOException {
        beforeSync();
        w.sync();
      }

      @Override
      public void truncate(long size) throws IOException {
        w.truncate(size);
      }

      @Override
      public long size() {
        return w.size();
      }

      @Override
      public void close() throws IOException {
        w.close();
      }
    };
  }

  @Override
  public WritableFile create(Path file) throws IOException {
    return wrap(delegate.create(file));
  }

  @Override
  public WritableFile openForAppend(Path file) throws IOException {
    return wrap(delegate.openForAppend(file));
  }

  @Override
  public ReadableFile openForRead(Path file) throws IOException {
    return delegate.openForRead(file);
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

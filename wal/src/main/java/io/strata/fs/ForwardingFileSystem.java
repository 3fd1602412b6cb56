package io.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A file system that passes every call to another, for wrappers that observe or change a few
 * calls (fault injection, crash points, counting) and override only those. The files it opens go
 * through {@link #writable} and {@link #readable}, which return them unchanged unless overridden.
 * Thread-safe when the delegate is and the overrides are.
 */
public abstract class ForwardingFileSystem implements FileSystem {
  /** The file system every call goes to. */
  protected final FileSystem delegate;

  protected ForwardingFileSystem(FileSystem delegate) {
    this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
  }

  /** What {@link #create}, {@link #createLog} and {@link #openForAppend} return for a file. */
  protected WritableFile writable(Path file, WritableFile opened) {
    return opened;
  }

  /** What {@link #openForRead} returns for a file. */
  protected ReadableFile readable(Path file, ReadableFile opened) {
    return opened;
  }

  @Override
  public WritableFile create(Path file) throws IOException {
    return writable(file, delegate.create(file));
  }

  @Override
  public WritableFile createLog(Path file) throws IOException {
    return writable(file, delegate.createLog(file));
  }

  @Override
  public WritableFile openForAppend(Path file) throws IOException {
    return writable(file, delegate.openForAppend(file));
  }

  @Override
  public ReadableFile openForRead(Path file) throws IOException {
    return readable(file, delegate.openForRead(file));
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    delegate.rename(source, target);
  }

  @Override
  public void link(Path existing, Path link) throws IOException {
    delegate.link(existing, link);
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

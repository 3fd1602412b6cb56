package io.strata.fs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link FileSystem} over the operating system's files through {@link FileChannel}. */
final class RealFileSystem implements FileSystem {

  static final RealFileSystem INSTANCE = new RealFileSystem();

  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");

  private RealFileSystem() {}

  @Override
  public WritableFile create(Path file) throws IOException {
    return new Writable(
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 0);
  }

  /**
   * Logs are written through memory mappings of {@link MappedLogFile#CHUNK} bytes, except on
   * Windows, which cannot cut a mapped file to length: there they are plain files.
   */
  @Override
  public WritableFile createLog(Path file) throws IOException {
    if (WINDOWS) {
      return create(file);
    }
    return new MappedLogFile(FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE), file);
  }

  @Override
  public WritableFile openForAppend(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    long size = ch.size();
    ch.position(size);
    return new Writable(ch, size);
  }

  @Override
  public ReadableFile openForRead(Path file) throws IOException {
    return new Readable(FileChannel.open(file, StandardOpenOption.READ));
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void link(Path existing, Path link) throws IOException {
    Files.createLink(link, existing);
  }

  @Override
  public boolean delete(Path file) throws IOException {
    return Files.deleteIfExists(file);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    names.sort(null);
    return names;
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    List<Path> created = new ArrayList<>();
    for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
      created.add(p);
    }
    Files.createDirectories(absolute);
    for (Path p : created) {
      if (p.getParent() != null) {
        syncDirectory(p.getParent());
      }
    }
  }

  @Override
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return; // directories cannot be opened for fsync there; NTFS journals entries itself
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  @Override
  public FileLock lock(Path file) throws IOException {
    FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    java.nio.channels.FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      ch.close();
      throw new IOException("lock " + file + " is already held by this process", e);
    } catch (Throwable e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new IOException("lock " + file + " is held by another process");
    }
    return new FileLock() {
      private boolean released;

      @Override
      public synchronized void close() throws IOException {
        if (!released) {
          released = true;
          try {
            lock.release();
          } finally {
            ch.close();
          }
        }
      }
    };
  }

  private static final class Writable implements WritableFile {
    private final FileChannel ch;
    private volatile long size;

    Writable(FileChannel ch, long size) {
      this.ch = ch;
      this.size = size;
    }

    @Override
    public void append(ByteBuffer src) throws IOException {
      int n = src.remaining();
      while (src.hasRemaining()) {
        ch.write(src);
      }
      size += n;
    }

    @Override
    public void sync() throws IOException {
      ch.force(false);
    }

    @Override
    public void truncate(long newSize) throws IOException {
      ch.truncate(newSize);
      ch.position(newSize);
      size = newSize;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  /**
   * A file read through its channel, or through a read-only mapping once {@link #map()} was called.
   * Thread-safe; {@link #map()} and {@link #close()} synchronize on the file.
   */
  private static final class Readable implements ReadableFile {
    private final FileChannel ch;
    /** The mapping made by the first {@link #map()}; guarded by this. */
    private MappedByteBuffer mapped;
    private boolean mappedOnce;

    Readable(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public void readFully(long position, ByteBuffer dst) throws IOException {
      long pos = position;
      while (dst.hasRemaining()) {
        int n = ch.read(dst, pos);
        if (n < 0) {
          throw new EOFException(
              "end of file at " + pos + " with " + dst.remaining() + " bytes still to read");
        }
        pos += n;
      }
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public synchronized ByteBuffer map() throws IOException {
      if (!mappedOnce) {
        mappedOnce = true;
        long size = ch.size();
        if (size < Integer.MAX_VALUE) {
          mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
      }
      return mapped;
    }

    @Override
    public synchronized void close() throws IOException {
      MappedByteBuffer m = mapped;
      mapped = null;
      try {
        ch.close();
      } finally {
        if (m != null) {
          Unmapper.unmap(m);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "RealFileSystem";
  }

}

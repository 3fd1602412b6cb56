package io.strata.reliability;

import io.strata.fs.ForwardingFileSystem;
import io.strata.fs.MemFileSystem;
import io.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link MemFileSystem} that numbers every call that changes the disk (create, append, sync,
 * truncate, rename, delete, directory sync) and, before the calls chosen by a {@link Listener},
 * lets it take a crash copy: the disk as a power loss at that instant would leave it, with the
 * call that was about to run not run. Which thread made the call (a flush, a compaction, the
 * writer) and on which file tell where in the engine the crash point fell.
 *
 * <p>Thread-safe, as the file system underneath.
 */
final class CrashPointFileSystem extends ForwardingFileSystem {

  /** Told before each numbered call; runs on the calling thread. */
  interface Listener {
    void beforeCall(long number, String call, Path file);
  }

  private final MemFileSystem mem;
  private final AtomicLong calls = new AtomicLong();
  private volatile Listener listener = (n, call, file) -> { };

  CrashPointFileSystem(MemFileSystem mem) {
    super(mem);
    this.mem = mem;
  }

  MemFileSystem mem() {
    return mem;
  }

  long calls() {
    return calls.get();
  }

  void listener(Listener l) {
    this.listener = l;
  }

  private void call(String call, Path file) {
    listener.beforeCall(calls.incrementAndGet(), call, file);
  }

  /** What kind of file a path names, for crash-point labels. */
  static String kind(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    if (name.endsWith(".wal") || name.endsWith(".log")) {
      return "log";
    }
    if (name.endsWith(".sst")) {
      return "table";
    }
    if (name.startsWith("MANIFEST") || name.startsWith("CURRENT") || name.endsWith(".tmp")
        || name.endsWith(".dbtmp")) {
      return "manifest";
    }
    return name.isEmpty() ? "directory" : name.contains(".") ? name.substring(name.indexOf('.'))
        : "directory";
  }

  @Override
  protected WritableFile writable(Path file, WritableFile f) {
    return new WritableFile() {
      @Override
      public void append(ByteBuffer src) throws IOException {
        call("append", file);
        f.append(src);
      }

      @Override
      public void sync() throws IOException {
        call("sync", file);
        f.sync();
      }

      @Override
      public void truncate(long size) throws IOException {
        call("truncate", file);
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
  public WritableFile create(Path file) throws IOException {
    call("create", file);
    return super.create(file);
  }

  @Override
  public WritableFile createLog(Path file) throws IOException {
    call("create-log", file);
    return super.createLog(file);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    call("rename", target);
    super.rename(source, target);
  }

  @Override
  public boolean delete(Path file) throws IOException {
    call("delete", file);
    return super.delete(file);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    call("sync-directory", dir);
    super.syncDirectory(dir);
  }
}

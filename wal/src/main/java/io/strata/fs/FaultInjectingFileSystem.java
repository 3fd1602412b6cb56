package io.strata.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A {@link FileSystem} that passes every call to another one, except the calls chosen to fail.
 *
 * <p>A rule names an {@link Op}, optionally a predicate on the path, and which matching call fails:
 * the n-th from when the rule was added ({@link #failNth}) or every one ({@link #failAlways}). A
 * failed call throws an {@link IOException} and does not reach the delegate, except that a {@link
 * Fault#NO_SPACE} append first writes the leading half of its bytes, as a disk that fills up in the
 * middle of a write does. A failed sync leaves the data unsynced.
 *
 * <p>It can also slow chosen calls down ({@link #delay}), as a slow disk would.
 *
 * <p>Thread-safe. Rules and counters may be changed while other threads use the file system.
 */
public final class FaultInjectingFileSystem implements FileSystem {

  /** The kinds of call that can be failed. */
  public enum Op {
    CREATE,
    OPEN,
    APPEND,
    SYNC,
    TRUNCATE,
    READ,
    RENAME,
    DELETE,
    LIST,
    SYNC_DIRECTORY,
    CREATE_DIRECTORIES,
    LOCK,
    LINK
  }

  /** How a chosen call fails. */
  public enum Fault {
    /** An {@link IOException} saying an I/O error was injected. */
    IO_ERROR,
    /** An {@link IOException} saying "No space left on device"; an append writes half first. */
    NO_SPACE
  }

  /** Thrown by injected faults, so tests can tell them from real ones. */
  public static final class InjectedFault extends IOException {
    private final Op op;

    InjectedFault(Op op, Fault fault, Path path) {
      super(
          (fault == Fault.NO_SPACE ? "No space left on device" : "injected I/O error")
              + " during "
              + op
              + " of "
              + path);
      this.op = op;
    }

    /** The call that failed. */
    public Op op() {
      return op;
    }
  }

  private static final class Rule {
    final Op op;
    final Predicate<Path> paths;
    final long nth; // 0 = every call
    final Fault fault;
    long seen;

    Rule(Op op, Predicate<Path> paths, long nth, Fault fault) {
      this.op = op;
      this.paths = paths;
      this.nth = nth;
      this.fault = fault;
    }
  }

  private final FileSystem delegate;
  private final List<Rule> rules = new ArrayList<>();
  private final Map<Op, AtomicLong> counts = new EnumMap<>(Op.class);
  private final Map<Op, Long> delaysNanos = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong injected = new AtomicLong();

  /** Wraps {@code delegate}; with no rules it behaves exactly like it. */
  public FaultInjectingFileSystem(FileSystem delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    for (Op op : Op.values()) {
      counts.put(op, new AtomicLong());
    }
  }

  /** Fails the n-th call (1-based, counted from now) of {@code op} on any path. */
  public FaultInjectingFileSystem failNth(Op op, long n, Fault fault) {
    return failNth(op, p -> true, n, fault);
  }

  /** Fails the n-th call (1-based, counted from now) of {@code op} on a path matching {@code paths}. */
  public synchronized FaultInjectingFileSystem failNth(
      Op op, Predicate<Path> paths, long n, Fault fault) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    rules.add(new Rule(op, paths, n, fault));
    return this;
  }

  /** Fails every call of {@code op} from now on until {@link #clearFaults()}. */
  public synchronized FaultInjectingFileSystem failAlways(Op op, Fault fault) {
    rules.add(new Rule(op, p -> true, 0, fault));
    return this;
  }

  /**
   * Makes every call of {@code op} take at least {@code millis} longer, as a slow disk would (for
   * example a slow fsync, to see concurrent syncs grouped). Zero removes the delay.
   */
  public FaultInjectingFileSystem delay(Op op, long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("millis must be >= 0, was " + millis);
    }
    if (millis == 0) {
      delaysNanos.remove(op);
    } else {
      delaysNanos.put(op, millis * 1_000_000);
    }
    return this;
  }

  /** Removes every rule; calls pass through again. */
  public synchronized void clearFaults() {
    rules.clear();
  }

  /** How many calls of {@code op} were made (failed ones included) since creation. */
  public long count(Op op) {
    return counts.get(op).get();
  }

  /** How many calls failed on purpose. */
  public long injectedCount() {
    return injected.get();
  }

  /** Counts the call, applies any delay, and returns the fault it must fail with, or null. */
  private Fault check(Op op, Path path) {
    counts.get(op).incrementAndGet();
    Long delay = delaysNanos.get(op);
    if (delay != null) {
      java.util.concurrent.locks.LockSupport.parkNanos(delay);
    }
    synchronized (this) {
      for (Rule r : rules) {
        if (r.op == op && r.paths.test(path)) {
          r.seen++;
          if (r.nth == 0 || r.seen == r.nth) {
            injected.incrementAndGet();
            return r.fault;
          }
        }
      }
    }
    return null;
  }

  private void maybeFail(Op op, Path path) throws IOException {
    Fault f = check(op, path);
    if (f != null) {
      throw new InjectedFault(op, f, path);
    }
  }

  @Override
  public WritableFile create(Path file) throws IOException {
    maybeFail(Op.CREATE, file);
    return new Writable(delegate.create(file), file);
  }

  @Override
  public WritableFile createLog(Path file) throws IOException {
    maybeFail(Op.CREATE, file);
    return new Writable(delegate.createLog(file), file);
  }

  @Override
  public WritableFile openForAppend(Path file) throws IOException {
    maybeFail(Op.OPEN, file);
    return new Writable(delegate.openForAppend(file), file);
  }

  @Override
  public ReadableFile openForRead(Path file) throws IOException {
    maybeFail(Op.OPEN, file);
    ReadableFile r = delegate.openForRead(file);
    return new ReadableFile() {
      @Override
      public void readFully(long position, ByteBuffer dst) throws IOException {
        maybeFail(Op.READ, file);
        r.readFully(position, dst);
      }

      @Override
      public long size() throws IOException {
        return r.size();
      }

      @Override
      public void close() throws IOException {
        r.close();
      }
    };
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    maybeFail(Op.RENAME, target);
    delegate.rename(source, target);
  }

  @Override
  public void link(Path existing, Path link) throws IOException {
    maybeFail(Op.LINK, link);
    delegate.link(existing, link);
  }

  @Override
  public boolean delete(Path file) throws IOException {
    maybeFail(Op.DELETE, file);
    return delegate.delete(file);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    maybeFail(Op.LIST, dir);
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    maybeFail(Op.CREATE_DIRECTORIES, dir);
    delegate.createDirectories(dir);
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return delegate.exists(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    maybeFail(Op.SYNC_DIRECTORY, dir);
    delegate.syncDirectory(dir);
  }

  @Override
  public FileLock lock(Path file) throws IOException {
    maybeFail(Op.LOCK, file);
    return delegate.lock(file);
  }

  private final class Writable implements WritableFile {
    private final WritableFile w;
    private final Path path;

    Writable(WritableFile w, Path path) {
      this.w = w;
      this.path = path;
    }

    @Override
    public void append(ByteBuffer src) throws IOException {
      Fault f = check(Op.APPEND, path);
      if (f == Fault.NO_SPACE) {
        ByteBuffer half = src.duplicate();
        half.limit(half.position() + src.remaining() / 2);
        w.append(half);
      }
      if (f != null) {
        throw new InjectedFault(Op.APPEND, f, path);
      }
      w.append(src);
    }

    @Override
    public void sync() throws IOException {
      maybeFail(Op.SYNC, path);
      w.sync();
    }

    @Override
    public void truncate(long size) throws IOException {
      maybeFail(Op.TRUNCATE, path);
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
  }

  @Override
  public String toString() {
    return "FaultInjectingFileSystem(" + delegate + ")";
  }
}

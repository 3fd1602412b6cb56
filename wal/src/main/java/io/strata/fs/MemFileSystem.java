package io.strata.fs;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * An in-memory {@link FileSystem} that can simulate a power loss.
 *
 * <p>It keeps two states: the live one that reads see, and the durable one that a power loss would
 * leave. A file's bytes become durable at {@link WritableFile#sync()}; a creation, rename or
 * deletion becomes durable at {@link #syncDirectory(Path)} of its parent directory. Directories
 * themselves are durable as soon as they are created. {@link #crashCopy()} returns a new file
 * system holding exactly the durable state, as a machine would find its disk after a power cut;
 * {@link #crashCopy(Random)} also keeps a random prefix of each file's unsynced appended bytes, as
 * a disk that wrote part of its cache would.
 *
 * <p>Thread-safe: every operation takes one lock. Meant for tests, not for speed.
 */
public final class MemFileSystem implements FileSystem {

  /** A file's contents, shared by every handle open on it (like an inode). */
  private static final class Node {
    byte[] data = new byte[0];
    int length;
    /** When true the durable contents are data[0, durableLength); else they are durableData. */
    boolean durableIsPrefix = true;

    int durableLength;
    byte[] durableData;

    void append(ByteBuffer src) {
      int n = src.remaining();
      if (length + (long) n > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("in-memory file over 2 GiB");
      }
      if (length + n > data.length) {
        data = Arrays.copyOf(data, Math.max(length + n, Math.min(Integer.MAX_VALUE - 8, data.length * 2)));
      }
      src.get(data, length, n);
      length += n;
    }

    void sync() {
      durableIsPrefix = true;
      durableLength = length;
      durableData = null;
    }

    void truncate(long size) {
      if (size > length) {
        append(ByteBuffer.allocate((int) (size - length)));
        return;
      }
      if (durableIsPrefix && size < durableLength) {
        durableData = Arrays.copyOf(data, durableLength);
        durableIsPrefix = false;
      }
      length = (int) size;
      Arrays.fill(data, length, data.length, (byte) 0);
    }

    /**
     * What a power cut leaves when the disk wrote back some of the unsynced pages, in any order:
     * the synced bytes, then the unsynced region at full length with each 4 KiB page (by file
     * offset) either written or still zero.
     */
    byte[] durableContentsWithLostPages(Random random) {
      if (!durableIsPrefix || length == durableLength) {
        return durableContents(null);
      }
      byte[] out = Arrays.copyOf(data, length);
      long firstPage = durableLength / PAGE;
      for (long page = firstPage; page * PAGE < length; page++) {
        if (random.nextBoolean()) {
          continue;
        }
        int from = (int) Math.max(page * PAGE, durableLength);
        int to = (int) Math.min((page + 1) * PAGE, length);
        Arrays.fill(out, from, to, (byte) 0);
      }
      return out;
    }

    byte[] durableContents(Random random) {
      if (!durableIsPrefix) {
        return durableData.clone();
      }
      int keep = durableLength;
      if (random != null && length > durableLength) {
        keep += random.nextInt(length - durableLength + 1);
      }
      return Arrays.copyOf(data, keep);
    }

    static Node of(byte[] contents) {
      Node n = new Node();
      n.data = contents;
      n.length = contents.length;
      n.durableLength = contents.length;
      return n;
    }
  }

  /** The page size of {@link #crashCopyLosingPages}. */
  static final int PAGE = 4096;

  private final Map<Path, Node> live = new HashMap<>();
  private final Map<Path, Node> durable = new HashMap<>();
  private final Set<Path> directories = new HashSet<>();
  private final Set<Path> locked = new HashSet<>();

  /** An empty file system holding only the root directory. */
  public MemFileSystem() {}

  private static Path abs(Path p) {
    return p.toAbsolutePath().normalize();
  }

  private void requireParent(Path file) throws IOException {
    Path parent = file.getParent();
    if (parent != null && !directories.contains(parent)) {
      throw new NoSuchFileException(parent.toString(), null, "no such directory");
    }
  }

  private Node node(Path file) throws IOException {
    Node n = live.get(file);
    if (n == null) {
      throw new NoSuchFileException(file.toString());
    }
    return n;
  }

  @Override
  public synchronized WritableFile create(Path file) throws IOException {
    Path p = abs(file);
    requireParent(p);
    if (live.containsKey(p) || directories.contains(p)) {
      throw new FileAlreadyExistsException(p.toString());
    }
    Node n = new Node();
    live.put(p, n);
    return new Writable(n);
  }

  @Override
  public synchronized WritableFile openForAppend(Path file) throws IOException {
    return new Writable(node(abs(file)));
  }

  @Override
  public synchronized ReadableFile openForRead(Path file) throws IOException {
    return new Readable(node(abs(file)));
  }

  @Override
  public synchronized void rename(Path source, Path target) throws IOException {
    Path s = abs(source);
    Path t = abs(target);
    if (directories.contains(s) && !live.containsKey(s)) {
      renameDirectory(s, t);
      return;
    }
    Node n = node(s);
    requireParent(t);
    live.remove(s);
    live.put(t, n);
  }

  /**
   * Renames a directory holding files (no subdirectories) to a name that does not exist: its
   * files move with it. Durable like the files' own renames: once both parents' directories and
   * the moved files' directory are synced.
   */
  private void renameDirectory(Path s, Path t) throws IOException {
    requireParent(t);
    if (live.containsKey(t) || directories.contains(t)) {
      throw new FileAlreadyExistsException(t.toString());
    }
    for (Path d : directories) {
      if (d.startsWith(s) && !d.equals(s)) {
        throw new IOException("cannot rename " + s + ": it holds a directory");
      }
    }
    directories.remove(s);
    directories.add(t);
    Map<Path, Node> moved = new HashMap<>();
    live.entrySet().removeIf(e -> {
      if (s.equals(e.getKey().getParent())) {
        moved.put(t.resolve(e.getKey().getFileName()), e.getValue());
        return true;
      }
      return false;
    });
    live.putAll(moved);
  }

  /** The link shares the file's node: its bytes, synced or not, as a hard link does. */
  @Override
  public synchronized void link(Path existing, Path link) throws IOException {
    Path s = abs(existing);
    Path t = abs(link);
    Node n = node(s);
    requireParent(t);
    if (live.containsKey(t) || directories.contains(t)) {
      throw new FileAlreadyExistsException(t.toString());
    }
    live.put(t, n);
  }

  @Override
  public synchronized boolean delete(Path file) {
    return live.remove(abs(file)) != null;
  }

  @Override
  public synchronized List<String> list(Path dir) throws IOException {
    Path d = abs(dir);
    if (!directories.contains(d)) {
      throw new NoSuchFileException(d.toString(), null, "no such directory");
    }
    TreeSet<String> names = new TreeSet<>();
    for (Path p : live.keySet()) {
      if (d.equals(p.getParent())) {
        names.add(p.getFileName().toString());
      }
    }
    for (Path p : directories) {
      if (d.equals(p.getParent())) {
        names.add(p.getFileName().toString());
      }
    }
    return new ArrayList<>(names);
  }

  @Override
  public synchronized void createDirectories(Path dir) throws IOException {
    for (Path p = abs(dir); p != null; p = p.getParent()) {
      if (live.containsKey(p)) {
        throw new FileAlreadyExistsException(p.toString(), null, "a file is in the way");
      }
      directories.add(p);
    }
  }

  @Override
  public synchronized boolean exists(Path path) {
    Path p = abs(path);
    return live.containsKey(p) || directories.contains(p);
  }

  @Override
  public synchronized void syncDirectory(Path dir) throws IOException {
    Path d = abs(dir);
    if (!directories.contains(d)) {
      throw new NoSuchFileException(d.toString(), null, "no such directory");
    }
    durable.keySet().removeIf(p -> d.equals(p.getParent()));
    for (Map.Entry<Path, Node> e : live.entrySet()) {
      if (d.equals(e.getKey().getParent())) {
        durable.put(e.getKey(), e.getValue());
      }
    }
  }

  @Override
  public synchronized FileLock lock(Path file) throws IOException {
    Path p = abs(file);
    if (!live.containsKey(p)) {
      create(p).close();
    }
    if (!locked.add(p)) {
      throw new IOException("lock " + p + " is already held");
    }
    return new FileLock() {
      private boolean released;

      @Override
      public void close() {
        synchronized (MemFileSystem.this) {
          if (!released) {
            released = true;
            locked.remove(p);
          }
        }
      }
    };
  }

  /**
   * A new file system in the state a power loss would leave: only synced bytes, and only the
   * directory entries that were synced. This file system is unchanged and stays usable.
   */
  public MemFileSystem crashCopy() {
    return crashCopy(null);
  }

  /**
   * Like {@link #crashCopy()}, but each file whose unsynced changes are pure appends keeps a
   * random prefix (possibly empty, possibly all) of the unsynced bytes, as a disk that had written
   * part of its cache would.
   */
  public synchronized MemFileSystem crashCopy(Random random) {
    MemFileSystem copy = new MemFileSystem();
    copy.directories.addAll(directories);
    for (Map.Entry<Path, Node> e : durable.entrySet()) {
      Node n = Node.of(e.getValue().durableContents(random));
      copy.live.put(e.getKey(), n);
      copy.durable.put(e.getKey(), n);
    }
    return copy;
  }

  /**
   * Like {@link #crashCopy()}, but each file whose unsynced changes are pure appends keeps its
   * full length, with each 4 KiB page of the unsynced bytes either written or left zero at random:
   * what a power cut leaves when the operating system had written back some dirty pages, in no
   * particular order (a memory-mapped log is the common case).
   */
  public synchronized MemFileSystem crashCopyLosingPages(Random random) {
    Objects.requireNonNull(random, "random");
    MemFileSystem copy = new MemFileSystem();
    copy.directories.addAll(directories);
    for (Map.Entry<Path, Node> e : durable.entrySet()) {
      Node n = Node.of(e.getValue().durableContentsWithLostPages(random));
      copy.live.put(e.getKey(), n);
      copy.durable.put(e.getKey(), n);
    }
    return copy;
  }

  /** The live contents of a file (a copy), for tests that inspect or damage files. */
  public synchronized byte[] contents(Path file) throws IOException {
    Node n = node(abs(file));
    return Arrays.copyOf(n.data, n.length);
  }

  /** Replaces a file's contents, durably, creating it if needed (for tests that damage files). */
  public synchronized void setContents(Path file, byte[] contents) throws IOException {
    Path p = abs(file);
    requireParent(p);
    Node n = Node.of(contents.clone());
    live.put(p, n);
    durable.put(p, n);
  }

  private final class Writable implements WritableFile {
    private final Node node;
    private boolean closed;

    Writable(Node node) {
      this.node = node;
    }

    private void checkOpen() throws IOException {
      if (closed) {
        throw new IOException("file is closed");
      }
    }

    @Override
    public void append(ByteBuffer src) throws IOException {
      synchronized (MemFileSystem.this) {
        checkOpen();
        node.append(src);
      }
    }

    @Override
    public void sync() throws IOException {
      synchronized (MemFileSystem.this) {
        checkOpen();
        node.sync();
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      synchronized (MemFileSystem.this) {
        checkOpen();
        node.truncate(size);
      }
    }

    @Override
    public long size() {
      synchronized (MemFileSystem.this) {
        return node.length;
      }
    }

    @Override
    public void close() {
      synchronized (MemFileSystem.this) {
        closed = true;
      }
    }
  }

  private final class Readable implements ReadableFile {
    private final Node node;
    private boolean closed;

    Readable(Node node) {
      this.node = node;
    }

    @Override
    public void readFully(long position, ByteBuffer dst) throws IOException {
      synchronized (MemFileSystem.this) {
        if (closed) {
          throw new IOException("file is closed");
        }
        if (position < 0) {
          throw new IllegalArgumentException("negative position " + position);
        }
        int n = dst.remaining();
        if (position + n > node.length) {
          throw new EOFException(
              "end of file at " + node.length + ", read wanted " + n + " bytes at " + position);
        }
        dst.put(node.data, (int) position, n);
      }
    }

    @Override
    public long size() {
      synchronized (MemFileSystem.this) {
        return node.length;
      }
    }

    @Override
    public void close() {
      synchronized (MemFileSystem.this) {
        closed = true;
      }
    }
  }

  @Override
  public String toString() {
    return "MemFileSystem";
  }
}

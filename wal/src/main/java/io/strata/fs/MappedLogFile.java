package io.strata.fs;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A log file written through memory mappings: the file grows in {@link #CHUNK}-byte steps, each
 * mapped read-write, and an append is a copy into the mapping, with no system call. The pages
 * belong to the operating system's page cache, so a crash of the process loses nothing appended;
 * {@link #sync()} forces them to disk. After a crash the file ends in zeros up to the end of the
 * last chunk; {@link #close()} cuts it to the bytes appended and syncs that.
 *
 * <p>The next chunk is prepared ahead: the appender maps it when it starts the current one (one
 * system call) and a background thread touches each of its pages, so the page faults that give it
 * page-cache pages (several microseconds each, about 300 ns of every 130-byte append when the
 * appender takes them) are mostly off the appender's thread. The appender never waits for a
 * touch: each is an atomic add of zero to one aligned word, which leaves whatever the word holds,
 * so a touch that runs late, over bytes the appender has written meanwhile, changes nothing.
 * After a crash the file may end in zeros to the end of the prepared chunk, one chunk further.
 *
 * <p>Write-back: when a chunk is full, a shared background thread forces it to disk, so dirty
 * pages never pile up and a later {@link #sync()} or {@link #close()} (which a log rotation does
 * while writers wait) forces at most a chunk or two. A failed background force is not retried as
 * if it had worked: the next {@link #sync()} or {@link #close()} throws it.
 *
 * <p>Thread-safety as {@link WritableFile}: one appender; {@link #sync()} may run concurrently in
 * another thread and then covers at least every append that returned before it started. The
 * appender alone writes into {@code chunk}; the monitor of this object guards which chunk is
 * current and the list of chunks a sync must force, and both change together in one critical
 * section, so a sync always sees a current chunk that is in its list (or was forced after it was
 * written to).
 */
final class MappedLogFile implements WritableFile {
  /** Bytes mapped at a time. */
  static final int CHUNK = 4 << 20;

  private final FileChannel channel;
  private final Path path;
  private final int chunkSize;
  /** The chunk appends go into. Written by the appender holding this; read by it without. */
  private MappedByteBuffer chunk;
  /** Where {@code chunk} starts in the file; appender only. */
  private long chunkStart;
  private volatile long size;
  /** Test hook run by the appender after it mapped a new chunk and before it is published. */
  private volatile Runnable beforePublish = () -> { };
  /** Test hook run by the touch of the chunk at the given offset before it touches it. */
  private volatile java.util.function.LongConsumer prepareHook = start -> { };
  /** Test hook told of each chunk about to be forced. */
  private volatile java.util.function.Consumer<MappedByteBuffer> forceHook = b -> { };
  /** Chunks written since the last sync, which it must force. Guarded by this. */
  private final List<MappedByteBuffer> unsynced = new ArrayList<>();
  private boolean closed;
  /** The chunk after the current one, mapped ahead, or null; appender only. */
  private MappedByteBuffer prepared;
  /** Where {@code prepared} starts in the file; appender only. */
  private long preparedStart = -1;
  /**
   * The last touch submitted for this file, or null; appender only (and the close, once it
   * stopped). The touches of every file run in order on one thread, so once it is done so are the
   * earlier ones.
   */
  private Future<?> touching;
  /** Background forces of full chunks; guarded by this. */
  private final List<Future<?>> writeback = new ArrayList<>();
  /** The first background force that failed; guarded by this. */
  private IOException writebackFailure;

  /** Page size assumed for the preparation's touches (a larger page is touched more than once). */
  private static final int PAGE = 4096;

  /** Atomic access to the aligned longs of a mapped chunk, for the touches. */
  private static final VarHandle LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

  private static final ExecutorService PREPARE = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "strata-log-prepare");
    t.setDaemon(true);
    return t;
  });

  private static final ExecutorService WRITEBACK = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "strata-log-writeback");
    t.setDaemon(true);
    return t;
  });

  MappedLogFile(FileChannel channel, Path path) {
    this(channel, path, CHUNK);
  }

  /** With chunks of {@code chunkSize} bytes (tests use small ones). */
  MappedLogFile(FileChannel channel, Path path, int chunkSize) {
    this.channel = channel;
    this.path = path;
    this.chunkSize = chunkSize;
    prepare(0);
  }

  /** For tests: runs {@code hook} in the appender between mapping a chunk and publishing it. */
  void beforePublish(Runnable hook) {
    this.beforePublish = hook;
  }

  @Override
  public void append(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      if (chunk == null || !chunk.hasRemaining()) {
        nextChunk();
      }
      int n = Math.min(src.remaining(), chunk.remaining());
      if (src.hasArray()) {
        chunk.put(src.array(), src.arrayOffset() + src.position(), n);
      } else {
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + n);
        chunk.put(part);
      }
      src.position(src.position() + n);
      size += n;
    }
  }

  private void nextChunk() throws IOException {
    MappedByteBuffer full = chunk;
    long start = full == null ? 0 : chunkStart + chunkSize;
    MappedByteBuffer next = prepared != null && preparedStart == start
        ? prepared
        : channel.map(FileChannel.MapMode.READ_WRITE, start, chunkSize);
    prepare(start + chunkSize);
    beforePublish.run();
    // One step: a sync sees either the old chunk current (and forces it, and keeps it listed) or
    // the new one current and listed, so an append into the new chunk is forced by every sync
    // that starts after it returned.
    synchronized (this) {
      unsynced.add(next);
      chunk = next;
      chunkStart = start;
      if (full != null) {
        writeback.removeIf(Future::isDone);
        writeback.add(WRITEBACK.submit(() -> writeBack(full)));
      }
    }
  }

  /**
   * Maps the chunk at {@code start} and starts touching its pages in the background. Appender
   * only. A failed mapping leaves none prepared: the appender maps it again when it needs it and
   * then reports the failure.
   */
  private void prepare(long start) {
    prepared = null;
    MappedByteBuffer b;
    try {
      b = channel.map(FileChannel.MapMode.READ_WRITE, start, chunkSize);
    } catch (IOException | RuntimeException e) {
      return;
    }
    prepared = b;
    preparedStart = start;
    touching = PREPARE.submit(() -> {
      prepareHook.accept(start);
      for (int i = 0; i < chunkSize; i += PAGE) {
        // a write access (so the fault gives a writable page) that keeps the word's value, even
        // when the appender has already written there: a plain write of zero could erase a record
        LONGS.getAndAdd(b, i, 0L);
      }
    });
  }

  /** Waits for {@code f} to finish, interrupts kept for later; its failure is not this caller's. */
  private static void await(Future<?> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          return; // a failed touch: the appender's own write to that page reports the failure
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Background: forces a full chunk; a later sync need not. */
  private void writeBack(MappedByteBuffer full) {
    try {
      force(full);
      synchronized (this) {
        removeSame(unsynced, full);
      }
    } catch (Throwable e) { // an Error too: the chunk stays listed and the failure is sticky
      writebackFailed(e);
    }
  }

  /** Forces one chunk; the test hook sees it first. */
  private void force(MappedByteBuffer b) {
    forceHook.accept(b);
    b.force();
  }

  /**
   * Removes {@code b} itself from {@code list}. Never {@link List#remove(Object)}: buffers are
   * equal when their remaining bytes are, so that would remove another full chunk.
   */
  private static void removeSame(List<MappedByteBuffer> list, MappedByteBuffer b) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == b) {
        list.remove(i);
        return;
      }
    }
  }

  /** Records a failed force: every later sync and the close throw it. */
  synchronized void writebackFailed(Throwable e) {
    if (writebackFailure == null) {
      writebackFailure = new IOException("background write-back of " + path + " failed: "
          + e.getMessage(), e);
    }
  }

  /** Throws the failure of a force, if one failed. Holds this. */
  private void checkWriteback() throws IOException {
    if (writebackFailure != null) {
      throw new IOException(writebackFailure.getMessage(), writebackFailure);
    }
  }

  /**
   * Forces every chunk written to since the last sync that finished. A chunk leaves the list only
   * once a force of it has returned after its last append (the current chunk stays, since later
   * appends go on into it), so a sync running beside this one, or a background force, never lets
   * another sync return before bytes it must cover are forced.
   */
  @Override
  public void sync() throws IOException {
    List<MappedByteBuffer> toForce;
    MappedByteBuffer current;
    synchronized (this) {
      checkWriteback();
      toForce = new ArrayList<>(unsynced);
      current = chunk;
    }
    // msync of each written chunk makes its pages and the file's length durable; a further
    // fsync of the channel would only cost a second device flush
    try {
      for (MappedByteBuffer b : toForce) {
        force(b);
      }
    } catch (Throwable e) {
      // a failed msync may have dropped dirty pages: never force again as if it could succeed
      writebackFailed(e);
      synchronized (this) {
        checkWriteback();
      }
    }
    synchronized (this) {
      checkWriteback(); // one that failed while this sync ran
      for (MappedByteBuffer b : toForce) {
        if (b != current) {
          removeSame(unsynced, b);
        }
      }
    }
  }

  /** For tests: the chunk appends go into now. */
  synchronized MappedByteBuffer currentChunk() {
    return chunk;
  }

  /**
   * For tests: called with the offset of each chunk being prepared, on the preparing thread, after
   * mapping it and before touching its pages. Set before the first append: the first chunk's
   * preparation starts in the constructor.
   */
  void prepareHook(java.util.function.LongConsumer hook) {
    this.prepareHook = hook;
  }

  /** For tests: called with each chunk just before it is forced, on the forcing thread. */
  void forceHook(java.util.function.Consumer<MappedByteBuffer> hook) {
    this.forceHook = hook;
  }

  @Override
  public void truncate(long newSize) throws IOException {
    throw new IOException("a mapped log file " + path + " cannot be truncated while open");
  }

  @Override
  public long size() {
    return size;
  }

  /** Cuts the file to the bytes appended and syncs data and length. */
  @Override
  public void close() throws IOException {
    List<Future<?>> pending;
    synchronized (this) {
      pending = new ArrayList<>(writeback);
    }
    boolean interrupted = false;
    for (Future<?> f : pending) {
      // the file is cut below: no background force may touch its pages after that, so wait for
      // each (an interrupt is kept for later, never a reason to leave the channel open)
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          writebackFailed(e.getCause()); // closeNow throws it, after closing the channel
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    // nor may a touch: the file is cut below the chunk it touches
    Future<?> t = touching;
    touching = null;
    prepared = null;
    if (t != null) {
      await(t);
    }
    closeNow();
  }

  private synchronized void closeNow() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      checkWriteback();
      try {
        for (MappedByteBuffer b : unsynced) {
          force(b);
        }
      } catch (java.io.UncheckedIOException e) {
        throw new IOException("forcing " + path + " before closing it failed", e.getCause());
      }
      unsynced.clear();
      chunk = null; // never touch the mapping again: pages past the new end would fault
      channel.truncate(size);
      channel.force(true);
    } finally {
      channel.close();
    }
  }
}

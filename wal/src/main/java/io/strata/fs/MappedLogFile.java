package io.strata.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
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
 * <p>Write-back: when a chunk is full, a shared background thread forces it to disk, so dirty
 * pages never pile up and a later {@link #sync()} or {@link #close()} (which a log rotation does
 * while writers wait) forces at most a chunk or two. A failed background force is not retried as
 * if it had worked: the next {@link #sync()} or {@link #close()} throws it.
 *
 * <p>Thread-safety as {@link WritableFile}: one appender; {@link #sync()} may run concurrently in
 * another thread and then covers at least every append that returned before it started.
 */
final class MappedLogFile implements WritableFile {
  /** Bytes mapped at a time. */
  static final int CHUNK = 4 << 20;

  private final FileChannel channel;
  private final Path path;
  private MappedByteBuffer chunk;
  private long chunkStart;
  private volatile long size;
  /** Chunks written since the last sync, which it must force. Guarded by this. */
  private final List<MappedByteBuffer> unsynced = new ArrayList<>();
  private boolean closed;
  /** Background forces of full chunks; guarded by this. */
  private final List<Future<?>> writeback = new ArrayList<>();
  /** The first background force that failed; guarded by this. */
  private IOException writebackFailure;

  private static final ExecutorService WRITEBACK = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "strata-log-writeback");
    t.setDaemon(true);
    return t;
  });

  MappedLogFile(FileChannel channel, Path path) {
    this.channel = channel;
    this.path = path;
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
    chunkStart = full == null ? 0 : chunkStart + CHUNK;
    MappedByteBuffer next = channel.map(FileChannel.MapMode.READ_WRITE, chunkStart, CHUNK);
    synchronized (this) {
      unsynced.add(next);
      if (full != null) {
        writeback.removeIf(Future::isDone);
        writeback.add(WRITEBACK.submit(() -> writeBack(full)));
      }
    }
    chunk = next;
  }

  /** Background: forces a full chunk; a later sync need not. */
  private void writeBack(MappedByteBuffer full) {
    try {
      full.force();
      synchronized (this) {
        unsynced.remove(full);
      }
    } catch (java.io.UncheckedIOException | IllegalStateException e) {
      writebackFailed(e);
    }
  }

  /** Records a failed background force: every later sync and the close throw it. */
  synchronized void writebackFailed(RuntimeException e) {
    if (writebackFailure == null) {
      writebackFailure = new IOException("background write-back of " + path + " failed: "
          + e.getMessage(), e);
    }
  }

  /** Throws the failure of a background force, if one failed. Holds this. */
  private void checkWriteback() throws IOException {
    if (writebackFailure != null) {
      throw new IOException(writebackFailure.getMessage(), writebackFailure);
    }
  }

  @Override
  public void sync() throws IOException {
    List<MappedByteBuffer> toForce;
    synchronized (this) {
      checkWriteback();
      toForce = new ArrayList<>(unsynced);
      // keep the current chunk: later appends to it need a later sync
      unsynced.clear();
      if (chunk != null) {
        unsynced.add(chunk);
      }
    }
    // msync of each written chunk makes its pages and the file's length durable; a further
    // fsync of the channel would only cost a second device flush
    for (MappedByteBuffer b : toForce) {
      b.force();
    }
    synchronized (this) {
      checkWriteback(); // one that failed while this sync ran
    }
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
    for (Future<?> f : pending) {
      // the file is cut below: no background force may touch its pages after that
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("closing " + path);
      } catch (ExecutionException e) {
        throw new IOException("background write-back of " + path + " failed", e.getCause());
      }
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
      for (MappedByteBuffer b : unsynced) {
        b.force();
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

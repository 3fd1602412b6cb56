package io.strata.wal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A log file written through memory mappings: the file grows in {@link #CHUNK}-byte steps, each
 * mapped read-write, and an append is a copy into the mapping, with no system call. The pages
 * belong to the operating system's page cache, so a crash of the process loses nothing appended;
 * {@link #sync()} forces them to disk. After a crash the file ends in zeros up to the end of the
 * last chunk; {@link #close()} cuts it to the bytes appended and syncs that.
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
    chunkStart = chunk == null ? 0 : chunkStart + CHUNK;
    MappedByteBuffer next = channel.map(FileChannel.MapMode.READ_WRITE, chunkStart, CHUNK);
    synchronized (this) {
      unsynced.add(next);
    }
    chunk = next;
  }

  @Override
  public void sync() throws IOException {
    List<MappedByteBuffer> toForce;
    synchronized (this) {
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
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
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

package io.strata.lsm;

/**
 * A point in time of a {@link Db}: reads through {@link ReadOptions#snapshot()} see the store
 * exactly as it was when the snapshot was taken. While open it keeps the versions it can see from
 * being discarded by compaction; close it when done. Closing twice is harmless.
 *
 * <p>Thread-safe: may be used by many readers at once.
 */
public final class Snapshot implements AutoCloseable {
  private final long sequence;
  private final Db db;
  private volatile boolean closed;

  Snapshot(long sequence, Db db) {
    this.sequence = sequence;
    this.db = db;
  }

  long sequence() {
    if (closed) {
      throw new IllegalStateException("snapshot is closed");
    }
    return sequence;
  }

  long sequenceUnchecked() {
    return sequence;
  }

  Db db() {
    return db;
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    boolean release;
    synchronized (this) {
      release = !closed;
      closed = true;
    }
    if (release) {
      db.releaseSnapshot(this);
    }
  }

  @Override
  public String toString() {
    return "Snapshot{sequence=" + sequence + (closed ? ", closed" : "") + "}";
  }
}

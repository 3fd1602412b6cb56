package io.strata.lsm.internal.table;

import io.strata.fs.FileSystem;
import io.strata.lsm.Db;
import io.strata.lsm.internal.version.FileNames;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The open table files, at most {@code maxOpenFiles}; past that, the longest open is closed first.
 * A reader handed out by {@link #acquire} stays usable until released, even if evicted meanwhile.
 *
 * <p>Thread-safe. A hit takes no lock (a concurrent map lookup and a reference count increment);
 * opening a table is serialized by a lock ({@code opening}, which also guards {@code closed}) so
 * one table is never opened twice, and none is opened after {@link #close()}: a read that races
 * the close of its {@link Db} gets an {@link IllegalStateException}, and no file is left open.
 */
public final class TableCache {
  private final FileSystem fs;
  private final Path dir;
  private final BlockCache blocks;
  private final int capacity;
  private final ConcurrentHashMap<Long, TableReader> open = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Long> openOrder = new ConcurrentLinkedQueue<>();
  /**
   * Recently acquired readers by the low bits of their number, looked at before {@link #open}: a
   * get acquires a table each time, and an array slot and a number compared cost fewer dependent
   * loads than the map's hash, node and boxed key. A hint only, read and written without a lock: a
   * slot may hold a reader since closed (its {@code retain} then fails and the map is asked) or
   * one the map no longer holds (still open while retained: reading it is as good). Slots are
   * cleared when their reader is evicted, so they keep no closed reader's memory for long.
   */
  private final TableReader[] recent = new TableReader[RECENT];
  private static final int RECENT = 256;
  private final Object opening = new Object();
  /** Guarded by {@code opening}; read without it only as a hint. */
  private volatile boolean closed;

  /** Test-only: told {@code "table-opening"} before a miss opens a table. */
  private final Consumer<String> testHook;

  private final int maxBlockBytes;
  /** Whether tables are read through memory mappings where the file system offers them. */
  private final boolean mapFiles;

  public TableCache(FileSystem fs, Path dir, BlockCache blocks, int capacity) {
    this(fs, dir, blocks, capacity, TableFormat.MAX_BLOCK_BYTES, true, point -> { });
  }

  public TableCache(FileSystem fs, Path dir, BlockCache blocks, int capacity, int maxBlockBytes,
      boolean mapFiles, Consumer<String> testHook) {
    this.maxBlockBytes = maxBlockBytes;
    this.mapFiles = mapFiles;
    this.fs = fs;
    this.dir = dir;
    this.blocks = blocks;
    this.capacity = capacity;
    this.testHook = testHook;
  }

  /**
   * An open reader for table {@code number} with a reference the caller must release.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public TableReader acquire(long number) {
    int slot = (int) number & (RECENT - 1);
    TableReader hint = recent[slot];
    if (hint != null && hint.number() == number && !closed && hint.retain()) {
      return hint;
    }
    while (true) {
      TableReader r = open.get(number);
      if (r == null) {
        testHook.accept("table-opening");
        synchronized (opening) {
          if (closed) {
            throw new IllegalStateException("table cache of " + dir + " is closed");
          }
          r = open.get(number);
          if (r == null) {
            r = TableReader.open(fs, FileNames.table(dir, number), number, blocks,
                maxBlockBytes, mapFiles);
            open.put(number, r);
            openOrder.add(number);
            evictOverCapacity(number);
          }
        }
      }
      if (r.retain()) {
        recent[slot] = r;
        return r;
      }
      open.remove(number, r); // closed by a concurrent eviction: open it again
    }
  }

  private void evictOverCapacity(long keep) {
    while (open.size() > capacity) {
      Long oldest = openOrder.poll();
      if (oldest == null) {
        return;
      }
      if (oldest == keep) {
        openOrder.add(oldest);
        continue;
      }
      TableReader r = open.remove(oldest);
      if (r != null) {
        forget(r);
        r.release();
      }
    }
  }

  /** Forgets a deleted table: closes it once its users are done and drops its blocks. */
  public void evict(long number) {
    TableReader r = open.remove(number);
    openOrder.remove(number);
    if (r != null) {
      forget(r);
      r.release();
    }
    blocks.evictFile(number);
  }

  /** Closes every table once its users are done; later {@link #acquire} calls throw. */
  public void close() {
    synchronized (opening) {
      closed = true;
    }
    for (Long n : open.keySet()) {
      TableReader r = open.remove(n);
      if (r != null) {
        forget(r);
        r.release();
      }
    }
    openOrder.clear();
  }

  /** Clears the {@link #recent} slot of {@code r} if it holds it. */
  private void forget(TableReader r) {
    int slot = (int) r.number() & (RECENT - 1);
    if (recent[slot] == r) {
      recent[slot] = null;
    }
  }
}

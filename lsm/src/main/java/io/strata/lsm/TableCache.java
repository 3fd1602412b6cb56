package io.strata.lsm;

import io.strata.fs.FileSystem;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The open table files, at most {@code maxOpenFiles}; past that, the longest open is closed first.
 * A reader handed out by {@link #acquire} stays usable until released, even if evicted meanwhile.
 *
 * <p>Thread-safe. A hit takes no lock (a concurrent map lookup and a reference count increment);
 * opening a table is serialized by a lock so one table is never opened twice.
 */
final class TableCache {
  private final FileSystem fs;
  private final Path dir;
  private final BlockCache blocks;
  private final int capacity;
  private final ConcurrentHashMap<Long, TableReader> open = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Long> openOrder = new ConcurrentLinkedQueue<>();
  private final Object opening = new Object();

  TableCache(FileSystem fs, Path dir, BlockCache blocks, int capacity) {
    this.fs = fs;
    this.dir = dir;
    this.blocks = blocks;
    this.capacity = capacity;
  }

  /** An open reader for table {@code number} with a reference the caller must release. */
  TableReader acquire(long number) {
    while (true) {
      TableReader r = open.get(number);
      if (r == null) {
        synchronized (opening) {
          r = open.get(number);
          if (r == null) {
            r = TableReader.open(fs, FileNames.table(dir, number), number, blocks);
            open.put(number, r);
            openOrder.add(number);
            evictOverCapacity(number);
          }
        }
      }
      if (r.retain()) {
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
        r.release();
      }
    }
  }

  /** Forgets a deleted table: closes it once its users are done and drops its blocks. */
  void evict(long number) {
    TableReader r = open.remove(number);
    openOrder.remove(number);
    if (r != null) {
      r.release();
    }
    blocks.evictFile(number);
  }

  void close() {
    for (Long n : open.keySet()) {
      TableReader r = open.remove(n);
      if (r != null) {
        r.release();
      }
    }
    openOrder.clear();
  }
}

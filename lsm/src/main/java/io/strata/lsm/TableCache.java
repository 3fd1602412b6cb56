package io.strata.lsm;

import io.strata.wal.fs.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open table files, at most {@code maxOpenFiles}, least recently used closed first. A reader
 * handed out by {@link #acquire} stays usable until released, even if evicted meanwhile.
 *
 * <p>Thread-safe: one lock guards the map; opening a table happens under it (opens are rare).
 */
final class TableCache {
  private final FileSystem fs;
  private final Path dir;
  private final BlockCache blocks;
  private final int capacity;
  private final LinkedHashMap<Long, TableReader> open = new LinkedHashMap<>(64, 0.75f, true);

  TableCache(FileSystem fs, Path dir, BlockCache blocks, int capacity) {
    this.fs = fs;
    this.dir = dir;
    this.blocks = blocks;
    this.capacity = capacity;
  }

  /** An open reader for table {@code number} with a reference the caller must release. */
  TableReader acquire(long number) {
    List<TableReader> evicted = new ArrayList<>();
    TableReader r;
    synchronized (this) {
      r = open.get(number);
      if (r == null) {
        r = TableReader.open(fs, FileNames.table(dir, number), number, blocks);
        open.put(number, r);
        Iterator<Map.Entry<Long, TableReader>> it = open.entrySet().iterator();
        while (open.size() > capacity && it.hasNext()) {
          Map.Entry<Long, TableReader> e = it.next();
          if (e.getKey() != number) {
            evicted.add(e.getValue());
            it.remove();
          }
        }
      }
      r.retain();
    }
    evicted.forEach(TableReader::release);
    return r;
  }

  /** Forgets a deleted table: closes it once its users are done and drops its blocks. */
  void evict(long number) {
    TableReader r;
    synchronized (this) {
      r = open.remove(number);
    }
    if (r != null) {
      r.release();
    }
    blocks.evictFile(number);
  }

  void close() {
    List<TableReader> all;
    synchronized (this) {
      all = new ArrayList<>(open.values());
      open.clear();
    }
    all.forEach(TableReader::release);
  }
}

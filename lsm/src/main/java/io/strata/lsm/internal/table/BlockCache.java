package io.strata.lsm.internal.table;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shared cache of uncompressed, checked blocks, bounded in bytes: 16 shards, each a
 * least-recently-used list under its own lock, so concurrent readers of different blocks rarely
 * contend. Keys are (table file number, block offset); table files are immutable and their numbers
 * never reused, so a cached block never goes stale.
 *
 * <p>Thread-safe.
 */
public final class BlockCache {
  private static final int SHARDS = 16;

  /**
   * (table file number, block offset), with its hash mixed once at construction: a record's
   * hash (31 * file + offset) leaves the low bits to the offsets alone.
   */
  private static final class Key {
    final long file;
    final long offset;
    final int hash;

    Key(long file, long offset) {
      this.file = file;
      this.offset = offset;
      long h = (file * 0x9E3779B97F4A7C15L) ^ offset;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
      this.hash = (int) (h ^ (h >>> 32));
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.offset == offset && k.file == file;
    }
  }

  private static final class Shard {
    private final LinkedHashMap<Key, Block> map = new LinkedHashMap<>(64, 0.75f, true);
    private final long capacity;
    private long used;

    Shard(long capacity) {
      this.capacity = capacity;
    }

    synchronized Block get(Key k) {
      return map.get(k);
    }

    synchronized void put(Key k, Block b) {
      if (b.size() > capacity) {
        return;
      }
      Block old = map.put(k, b);
      if (old != null) {
        used -= old.size();
      }
      used += b.size();
      Iterator<Map.Entry<Key, Block>> it = map.entrySet().iterator();
      while (used > capacity && it.hasNext()) {
        used -= it.next().getValue().size();
        it.remove();
      }
    }

    synchronized void evictFile(long file) {
      Iterator<Map.Entry<Key, Block>> it = map.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Key, Block> e = it.next();
        if (e.getKey().file == file) {
          used -= e.getValue().size();
          it.remove();
        }
      }
    }
  }

  private final Shard[] shards;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final long capacity;

  public BlockCache(long capacityBytes) {
    this.capacity = capacityBytes;
    shards = new Shard[SHARDS];
    for (int i = 0; i < SHARDS; i++) {
      shards[i] = new Shard(capacityBytes / SHARDS);
    }
  }

  private Shard shard(Key k) {
    // the top bits pick the shard, so the low bits HashMap uses inside a shard stay spread
    return shards[k.hash >>> 28];
  }

  /** The cached block, or null; counts a hit or a miss. */
  Block get(long file, long offset) {
    if (capacity == 0) {
      misses.increment();
      return null;
    }
    Key k = new Key(file, offset);
    Block b = shard(k).get(k);
    if (b == null) {
      misses.increment();
    } else {
      hits.increment();
    }
    return b;
  }

  void put(long file, long offset, Block block) {
    if (capacity == 0) {
      return;
    }
    Key k = new Key(file, offset);
    shard(k).put(k, block);
  }

  /** Drops every block of a deleted table. */
  void evictFile(long file) {
    for (Shard s : shards) {
      s.evictFile(file);
    }
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }
}

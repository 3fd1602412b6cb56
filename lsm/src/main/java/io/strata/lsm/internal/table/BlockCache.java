package io.strata.lsm.internal.table;

import java.util.concurrent.atomic.LongAdder;

/**
 * The shared cache of uncompressed, checked blocks, bounded in bytes: 16 shards, each a
 * least-recently-used list under its own lock, so concurrent readers of different blocks rarely
 * contend. Keys are (table file number, block offset); table files are immutable and their numbers
 * never reused, so a cached block never goes stale.
 *
 * <p>Each shard is an open-addressing hash table (linear probing) of entries that are also the
 * nodes of an intrusive doubly-linked list in recency order: a hit moves its entry to the front,
 * an insert evicts from the back while the shard holds more than its share of the bytes (a
 * sixteenth of the capacity); neither allocates anything but the inserted entry. A block larger
 * than a shard's share is not cached.
 *
 * <p>Thread-safe: each shard's table, list and byte count are guarded by the shard's monitor; the
 * hit and miss counters are atomic.
 */
public final class BlockCache {
  private static final int SHARDS = 16;

  /** One cached block: a slot of its shard's table and a node of its shard's recency list. */
  private static final class Entry {
    final long file;
    final long offset;
    final int hash;
    final Block block;
    /** Neighbours in the recency list: {@code newer} towards the front (most recent). */
    Entry newer;
    Entry older;

    Entry(long file, long offset, int hash, Block block) {
      this.file = file;
      this.offset = offset;
      this.hash = hash;
      this.block = block;
    }
  }

  /** (file, offset) mixed so that both the top bits (shard) and the low bits (slot) spread. */
  private static int hash(long file, long offset) {
    long h = (file * 0x9E3779B97F4A7C15L) ^ offset;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 31;
    return (int) (h ^ (h >>> 32));
  }

  /** A part of the cache. Every method holds the shard's monitor. */
  private static final class Shard {
    private final long capacity;
    /** Open addressing, linear probing, a power of two long, at most half full. */
    private Entry[] slots = new Entry[16];
    private int count;
    private long used;
    /** The recency list's ends: most recently used first; null when empty. */
    private Entry newest;
    private Entry oldest;

    Shard(long capacity) {
      this.capacity = capacity;
    }

    private int indexOf(long file, long offset, int hash) {
      int mask = slots.length - 1;
      int i = hash & mask;
      while (true) {
        Entry e = slots[i];
        if (e == null || (e.offset == offset && e.file == file)) {
          return i;
        }
        i = (i + 1) & mask;
      }
    }

    synchronized Block get(long file, long offset, int hash) {
      Entry e = slots[indexOf(file, offset, hash)];
      if (e == null) {
        return null;
      }
      if (e != newest) {
        unlink(e);
        pushFront(e);
      }
      return e.block;
    }

    synchronized void put(long file, long offset, int hash, Block b) {
      if (b.size() > capacity) {
        return;
      }
      int i = indexOf(file, offset, hash);
      Entry old = slots[i];
      if (old != null) {
        unlink(old);
        used -= old.block.size();
        count--;
      }
      Entry e = new Entry(file, offset, hash, b);
      slots[i] = e;
      count++;
      pushFront(e);
      used += b.size();
      while (used > capacity) {
        remove(oldest);
      }
      if (2 * count > slots.length) {
        resize(slots.length * 2);
      }
    }

    synchronized void evictFile(long file) {
      Entry e = oldest;
      while (e != null) {
        Entry next = e.newer;
        if (e.file == file) {
          remove(e);
        }
        e = next;
      }
    }

    synchronized long used() {
      return used;
    }

    /** Test-only: the cached (file, offset) pairs, least recently used first. */
    synchronized long[][] lruOrder() {
      long[][] out = new long[count][];
      int n = 0;
      for (Entry e = oldest; e != null; e = e.newer) {
        out[n++] = new long[] {e.file, e.offset};
      }
      return out;
    }

    private void pushFront(Entry e) {
      e.older = newest;
      e.newer = null;
      if (newest != null) {
        newest.newer = e;
      } else {
        oldest = e;
      }
      newest = e;
    }

    private void unlink(Entry e) {
      if (e.newer != null) {
        e.newer.older = e.older;
      } else {
        newest = e.older;
      }
      if (e.older != null) {
        e.older.newer = e.newer;
      } else {
        oldest = e.newer;
      }
      e.newer = null;
      e.older = null;
    }

    /** Drops {@code e} from the list and the table (backward-shift deletion keeps probes whole). */
    private void remove(Entry e) {
      unlink(e);
      used -= e.block.size();
      count--;
      int mask = slots.length - 1;
      int i = indexOf(e.file, e.offset, e.hash);
      slots[i] = null;
      int j = i;
      while (true) {
        j = (j + 1) & mask;
        Entry moved = slots[j];
        if (moved == null) {
          return;
        }
        int home = moved.hash & mask;
        // moved may fill the hole at i when its home is not in (i, j] cyclically
        boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
          slots[i] = moved;
          slots[j] = null;
          i = j;
        }
      }
    }

    private void resize(int length) {
      Entry[] old = slots;
      slots = new Entry[length];
      int mask = length - 1;
      for (Entry e : old) {
        if (e != null) {
          int i = e.hash & mask;
          while (slots[i] != null) {
            i = (i + 1) & mask;
          }
          slots[i] = e;
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

  private Shard shard(int hash) {
    // the top bits pick the shard, so the low bits a shard's table uses stay spread
    return shards[hash >>> 28];
  }

  /** The cached block, or null; counts a hit or a miss. A hit makes it the most recently used. */
  Block get(long file, long offset) {
    if (capacity == 0) {
      misses.increment();
      return null;
    }
    int h = hash(file, offset);
    Block b = shard(h).get(file, offset, h);
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
    int h = hash(file, offset);
    shard(h).put(file, offset, h, block);
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

  /** Bytes of the blocks cached now (never more than the capacity). */
  long usedBytes() {
    long total = 0;
    for (Shard s : shards) {
      total += s.used();
    }
    return total;
  }

  /** Test-only: the shard of (file, offset) and its entries, least recently used first. */
  long[][] lruOrderOfShardOf(long file, long offset) {
    return shard(hash(file, offset)).lruOrder();
  }

  /** Test-only: which of the 16 shards (file, offset) belongs to. */
  static int shardOf(long file, long offset) {
    return hash(file, offset) >>> 28;
  }
}

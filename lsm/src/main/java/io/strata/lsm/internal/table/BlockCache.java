package io.strata.lsm.internal.table;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;

/**
 * The shared cache of uncompressed, checked blocks, bounded in bytes: 16 shards, each an
 * open-addressing hash table with CLOCK (second-chance) eviction. Keys are (table file number,
 * block offset); table files are immutable and their numbers never reused, so a cached block
 * never goes stale.
 *
 * <p>Invariants of a shard, whenever its write lock is free: (1) its table is linear-probing with
 * no tombstones (deletion shifts later entries back), at most half full, a power of two long;
 * (2) slot {@code i} is empty exactly when {@code keys[2i] == EMPTY}, and then {@code blocks[i]}
 * is null; (3) {@code used} is the sum of the sizes of the blocks it holds and at most its share
 * of the capacity (a sixteenth); a block larger than the share is not cached.
 *
 * <p>Probing reads two longs held side by side in one array, so a lookup dereferences nothing but
 * the block it returns (and an eviction nothing at all: sizes are kept beside the keys). A hit sets its slot's reference bit and moves nothing; an insert first
 * makes room: the clock hand walks the slots, clearing set bits and evicting the first entry
 * whose bit is clear. A block is inserted with its bit clear, so blocks read once (a scan) go
 * before blocks read again.
 *
 * <p>Thread-safe. {@link #put} and {@link #evictFile} take the shard's write lock. {@link #get}
 * takes no lock: it reads the shard's table under an optimistic stamp of the shard's {@link
 * StampedLock} and keeps what it found only if no writer ran meanwhile (else it retries under the
 * read lock), so a reader never sees a block under another key. Reference bits are written by
 * readers without synchronization (a lost or misplaced bit only changes which block goes next).
 * The hit and miss counters are atomic.
 */
public final class BlockCache {
  private static final int SHARDS = 16;
  /** The file number marking an empty slot (table numbers are never negative). */
  private static final long EMPTY = -1;

  /** (file, offset) mixed so that both the top bits (shard) and the low bits (slot) spread. */
  private static int hash(long file, long offset) {
    long h = (file * 0x9E3779B97F4A7C15L) ^ offset;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 31;
    return (int) (h ^ (h >>> 32));
  }

  /** A shard's slots: replaced whole when it grows, so a reader sees arrays of one length. */
  private static final class Table {
    /** Slot {@code i}'s file number at {@code 2i} ({@link #EMPTY} when free), offset at {@code 2i+1}. */
    final long[] keys;
    final Block[] blocks;
    /** The blocks' sizes, so an eviction need not read the block it drops. */
    final int[] sizes;
    /** Reference bits: set by a hit, cleared by the clock hand. */
    final byte[] referenced;
    final int mask;

    Table(int length) {
      keys = new long[2 * length];
      java.util.Arrays.fill(keys, EMPTY);
      blocks = new Block[length];
      sizes = new int[length];
      referenced = new byte[length];
      mask = length - 1;
    }
  }

  /** A part of the cache. Methods named {@code ...Locked} need the write lock held. */
  private static final class Shard {
    private final long capacity;
    private final StampedLock lock = new StampedLock();
    /** Guarded by {@code lock} (written under the write lock, read optimistically). */
    private Table table = new Table(16);
    /** Guarded by the write lock. */
    private int count;
    private long used;
    private int hand;

    Shard(long capacity) {
      this.capacity = capacity;
    }

    /** The slot of (file, offset) in {@code t}, or -1; bounded even over a table being changed. */
    private static int find(Table t, long file, long offset, int hash) {
      long[] keys = t.keys;
      int mask = t.mask;
      int i = hash & mask;
      for (int probes = 0; probes <= mask; probes++) {
        long f = keys[2 * i];
        if (f == file && keys[2 * i + 1] == offset) {
          return i;
        }
        if (f == EMPTY) {
          return -1;
        }
        i = (i + 1) & mask;
      }
      return -1;
    }

    Block get(long file, long offset, int hash) {
      long stamp = lock.tryOptimisticRead();
      if (stamp != 0) {
        Table t = table;
        int i = find(t, file, offset, hash);
        Block b = i < 0 ? null : t.blocks[i];
        if (lock.validate(stamp)) {
          if (b != null) {
            t.referenced[i] = 1;
          }
          return b;
        }
      }
      stamp = lock.readLock();
      try {
        Table t = table;
        int i = find(t, file, offset, hash);
        if (i < 0) {
          return null;
        }
        t.referenced[i] = 1;
        return t.blocks[i];
      } finally {
        lock.unlockRead(stamp);
      }
    }

    void put(long file, long offset, int hash, Block b) {
      int size = b.size();
      if (size > capacity) {
        return;
      }
      long stamp = lock.writeLock();
      try {
        int i = find(table, file, offset, hash);
        if (i >= 0) {
          removeLocked(i);
        }
        while (used + size > capacity) {
          evictOneLocked();
        }
        if (2 * (count + 1) > table.blocks.length) {
          resizeLocked(table.blocks.length * 2);
        }
        Table t = table;
        int j = hash & t.mask;
        while (t.keys[2 * j] != EMPTY) {
          j = (j + 1) & t.mask;
        }
        t.blocks[j] = b;
        t.sizes[j] = size;
        t.referenced[j] = 0;
        t.keys[2 * j + 1] = offset;
        t.keys[2 * j] = file;
        count++;
        used += size;
      } finally {
        lock.unlockWrite(stamp);
      }
    }

    /** The clock: clears set bits until it meets an entry whose bit is clear, and evicts it. */
    private void evictOneLocked() {
      Table t = table;
      while (true) {
        int i = hand & t.mask;
        if (t.keys[2 * i] != EMPTY) {
          if (t.referenced[i] == 0) {
            removeLocked(i); // slot i may now hold a shifted entry: the hand looks at it next
            return;
          }
          t.referenced[i] = 0;
        }
        hand = (i + 1) & t.mask;
      }
    }

    void evictFile(long file) {
      long stamp = lock.writeLock();
      try {
        Table t = table;
        int i = 0;
        while (i < t.blocks.length) {
          if (t.keys[2 * i] == file) {
            // an entry shifted into slot i is looked at again; shifts that wrap to the front
            // only move entries already looked at (none of this file) among themselves
            removeLocked(i);
          } else {
            i++;
          }
        }
      } finally {
        lock.unlockWrite(stamp);
      }
    }

    long used() {
      long stamp = lock.readLock();
      try {
        return used;
      } finally {
        lock.unlockRead(stamp);
      }
    }

    /** Test-only: the (file, offset) pairs cached, in slot order. */
    long[][] entries() {
      long stamp = lock.readLock();
      try {
        long[][] out = new long[count][];
        int n = 0;
        Table t = table;
        for (int i = 0; i < t.blocks.length; i++) {
          if (t.keys[2 * i] != EMPTY) {
            out[n++] = new long[] {t.keys[2 * i], t.keys[2 * i + 1]};
          }
        }
        return out;
      } finally {
        lock.unlockRead(stamp);
      }
    }

    /** Empties slot {@code i}, then shifts later entries of its probe run back (no tombstones). */
    private void removeLocked(int i) {
      Table t = table;
      long[] keys = t.keys;
      int mask = t.mask;
      used -= t.sizes[i];
      count--;
      while (true) {
        keys[2 * i] = EMPTY;
        t.blocks[i] = null;
        int j = i;
        while (true) {
          j = (j + 1) & mask;
          long f = keys[2 * j];
          if (f == EMPTY) {
            return;
          }
          int home = hash(f, keys[2 * j + 1]) & mask;
          // the entry at j may fill the hole at i when its home is not in (i, j] cyclically
          boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
          if (!stays) {
            keys[2 * i + 1] = keys[2 * j + 1];
            keys[2 * i] = f;
            t.blocks[i] = t.blocks[j];
            t.sizes[i] = t.sizes[j];
            t.referenced[i] = t.referenced[j];
            i = j;
            break;
          }
        }
      }
    }

    private void resizeLocked(int length) {
      Table old = table;
      Table t = new Table(length);
      for (int s = 0; s < old.blocks.length; s++) {
        long f = old.keys[2 * s];
        if (f != EMPTY) {
          long offset = old.keys[2 * s + 1];
          int i = hash(f, offset) & t.mask;
          while (t.keys[2 * i] != EMPTY) {
            i = (i + 1) & t.mask;
          }
          t.keys[2 * i] = f;
          t.keys[2 * i + 1] = offset;
          t.blocks[i] = old.blocks[s];
          t.sizes[i] = old.sizes[s];
          t.referenced[i] = old.referenced[s];
        }
      }
      table = t;
      hand = 0;
    }
  }

  private final Shard[] shards;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final long capacity;

  public BlockCache(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("block cache capacity must be >= 0: " + capacityBytes);
    }
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

  /** The cached block, or null; counts a hit or a miss. A hit sets the block's reference bit. */
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

  /** Caches {@code block} as (file, offset), replacing what was there; {@code file >= 0}. */
  void put(long file, long offset, Block block) {
    if (file < 0) {
      throw new IllegalArgumentException("table number must be >= 0: " + file);
    }
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

  /** Test-only: bytes cached in the shard of (file, offset). */
  long usedBytesOfShardOf(long file, long offset) {
    return shard(hash(file, offset)).used();
  }

  /** Test-only: the (file, offset) pairs cached in the shard of (file, offset), in slot order. */
  long[][] entriesOfShardOf(long file, long offset) {
    return shard(hash(file, offset)).entries();
  }

  /** Test-only: which of the 16 shards (file, offset) belongs to. */
  static int shardOf(long file, long offset) {
    return hash(file, offset) >>> 28;
  }
}

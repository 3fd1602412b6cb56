package io.strata.lsm.internal.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The block cache: (file, offset) pairs that differ never share an entry; each shard evicts blocks
 * not read since their insert before blocks read again (CLOCK) and never holds more than its share
 * of the bytes; lock-free readers never see a block under another key. The model-based property
 * is {@code BlockCacheProperties}.
 */
class BlockCacheTest {
  private static Block emptyBlock(long offset) {
    // no entries: restart point 0, restart count 1 (8 bytes)
    return Block.parse(new byte[] {0, 0, 0, 0, 1, 0, 0, 0}, Path.of("t.sst"), offset, "test");
  }

  /** A block of {@code size} bytes (at least 8): restart point 0, count 1, entries unread. */
  private static Block blockOf(int size) {
    byte[] data = new byte[size];
    data[size - 4] = 1;
    return Block.parse(data, Path.of("t.sst"), 0, "test");
  }

  @Test
  void distinctFilesAndOffsetsAreDistinctEntries() {
    BlockCache cache = new BlockCache(1 << 20);
    Block[][] blocks = new Block[8][64];
    for (int f = 0; f < 8; f++) {
      for (int i = 0; i < 64; i++) {
        blocks[f][i] = emptyBlock(i * 4096L);
        cache.put(f + 1, i * 4096L, blocks[f][i]);
      }
    }
    for (int f = 0; f < 8; f++) {
      for (int i = 0; i < 64; i++) {
        assertSame(blocks[f][i], cache.get(f + 1, i * 4096L), "file " + (f + 1) + " block " + i);
      }
    }
    assertNull(cache.get(9, 0));
    assertNull(cache.get(1, 1));
    assertEquals(8 * 64, cache.hits());
    assertEquals(2, cache.misses());

    cache.evictFile(3);
    assertNull(cache.get(3, 0));
    assertSame(blocks[3][5], cache.get(4, 5 * 4096L));
    for (int i = 0; i < 64; i++) {
      assertNull(cache.get(3, i * 4096L), "evicted file 3 block " + i);
      assertSame(blocks[1][i], cache.get(2, i * 4096L), "file 2 block " + i);
    }
  }

  /** Offsets of table 1 whose entries fall in shard 0, {@code n} of them. */
  private static long[] offsetsInShardZero(int n) {
    long[] out = new long[n];
    int k = 0;
    for (long off = 0; k < n; off += 4096) {
      if (BlockCache.shardOf(1, off) == 0) {
        out[k++] = off;
      }
    }
    return out;
  }

  @Test
  void evictsABlockNotReadSinceItsInsertBeforeOneReadAgain() {
    BlockCache cache = new BlockCache(16 * 1000); // 1,000 bytes a shard
    long[] o = offsetsInShardZero(4);
    Block a = blockOf(300);
    Block b = blockOf(300);
    Block c = blockOf(300);
    cache.put(1, o[0], a);
    cache.put(1, o[1], b);
    cache.put(1, o[2], c);
    assertSame(a, cache.get(1, o[0])); // o[0] is read again: b or c goes first
    Block d = blockOf(300);
    cache.put(1, o[3], d); // 1,200 bytes: one must go
    assertSame(a, cache.get(1, o[0]));
    assertSame(d, cache.get(1, o[3]));
    int left = (cache.get(1, o[1]) == b ? 1 : 0) + (cache.get(1, o[2]) == c ? 1 : 0);
    assertEquals(1, left, "exactly one of the blocks not read again was evicted");
    assertEquals(3, cache.entriesOfShardOf(1, o[0]).length);
    assertEquals(900, cache.usedBytes());
    cache.put(1, o[1], blockOf(1001)); // larger than the shard's share: not cached
    assertEquals(900, cache.usedBytes());
    assertEquals(3, cache.entriesOfShardOf(1, o[0]).length);
  }

  /** CLOCK's promise: a block read between any two inserts outlives every block not read. */
  @Test
  void aBlockReadBetweenInsertsStaysWhileOthersComeAndGo() {
    BlockCache cache = new BlockCache(16 * 1000);
    long[] o = offsetsInShardZero(200);
    Block hot = blockOf(100);
    cache.put(1, o[0], hot);
    for (int i = 1; i < o.length; i++) {
      cache.put(1, o[i], blockOf(150));
      assertSame(hot, cache.get(1, o[0]), "after insert " + i);
      assertTrue(cache.usedBytes() <= 1000, "after insert " + i);
    }
    assertSame(null, cache.get(1, o[1])); // long gone
  }

  @Test
  void replacingAnEntryChargesOnlyTheNewBlock() {
    BlockCache cache = new BlockCache(16 * 1000);
    long[] o = offsetsInShardZero(1);
    cache.put(1, o[0], blockOf(400));
    Block b = blockOf(500);
    cache.put(1, o[0], b);
    assertSame(b, cache.get(1, o[0]));
    assertEquals(500, cache.usedBytes());
    assertEquals(1, cache.entriesOfShardOf(1, o[0]).length);
  }

  @Test
  void aNegativeTableNumberIsRefused() {
    BlockCache cache = new BlockCache(1 << 20);
    var e = assertThrows(IllegalArgumentException.class, () -> cache.put(-1, 0, blockOf(8)));
    assertTrue(e.getMessage().contains("table number"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BlockCache(-1));
  }

  /**
   * Readers without locks racing writers that insert, replace, evict and drop whole files: a get
   * returns null or a block put under exactly that key, never one of another key.
   */
  @Test
  void concurrentReadersNeverSeeABlockUnderAnotherKey() throws Exception {
    int files = 3;
    int offsets = 64;
    int versions = 3;
    BlockCache cache = new BlockCache(16 * 3000); // small: evictions all the time
    Block[][][] blocks = new Block[files][offsets][versions];
    Map<Block, Long> keyOf = new IdentityHashMap<>();
    for (int f = 0; f < files; f++) {
      for (int i = 0; i < offsets; i++) {
        for (int v = 0; v < versions; v++) {
          blocks[f][i][v] = blockOf(8 + 40 * ((f + i + v) % 7));
          keyOf.put(blocks[f][i][v], (long) f * offsets + i);
        }
      }
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> wrong = new AtomicReference<>();
    AtomicLong reads = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      int seed = w;
      threads.add(new Thread(() -> {
        Random r = new Random(seed);
        while (!stop.get()) {
          int f = r.nextInt(files);
          int i = r.nextInt(offsets);
          if (r.nextInt(500) == 0) {
            cache.evictFile(f + 1);
          } else {
            cache.put(f + 1, i * 4096L, blocks[f][i][r.nextInt(versions)]);
          }
        }
      }));
    }
    for (int t = 0; t < 3; t++) {
      int seed = 100 + t;
      threads.add(new Thread(() -> {
        Random r = new Random(seed);
        long n = 0;
        while (!stop.get()) {
          int f = r.nextInt(files);
          int i = r.nextInt(offsets);
          Block b = cache.get(f + 1, i * 4096L);
          n++;
          if (b != null && keyOf.get(b) != (long) f * offsets + i) {
            wrong.compareAndSet(null, "file " + (f + 1) + " offset " + i * 4096L + " gave the"
                + " block of key " + keyOf.get(b));
          }
        }
        reads.addAndGet(n);
      }));
    }
    threads.forEach(Thread::start);
    Thread.sleep(1500);
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    assertNull(wrong.get());
    assertTrue(reads.get() > 10_000, "readers ran: " + reads.get());
    assertTrue(cache.usedBytes() <= 16 * 3000);
    long used = 0; // the bytes charged are those of the blocks the cache can return
    for (int f = 0; f < files; f++) {
      for (int i = 0; i < offsets; i++) {
        Block b = cache.get(f + 1, i * 4096L);
        used += b == null ? 0 : b.size();
      }
    }
    assertEquals(used, cache.usedBytes());
  }
}

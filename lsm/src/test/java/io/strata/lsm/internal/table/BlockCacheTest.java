package io.strata.lsm.internal.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The block cache: (file, offset) pairs that differ never share an entry; each shard evicts least
 * recently used first and never holds more than its share of the bytes.
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
  void evictsTheLeastRecentlyUsedFirst() {
    BlockCache cache = new BlockCache(16 * 1000); // 1,000 bytes a shard
    long[] o = offsetsInShardZero(4);
    Block a = blockOf(300);
    cache.put(1, o[0], a);
    cache.put(1, o[1], blockOf(300));
    cache.put(1, o[2], blockOf(300));
    assertSame(a, cache.get(1, o[0])); // o[0] becomes the most recent: o[1] is now the oldest
    cache.put(1, o[3], blockOf(300)); // 1,200 bytes: one must go
    assertNull(cache.get(1, o[1]));
    assertArrayEquals(new long[][] {{1, o[2]}, {1, o[0]}, {1, o[3]}},
        cache.lruOrderOfShardOf(1, o[0]));
    assertEquals(900, cache.usedBytes());
    cache.put(1, o[1], blockOf(1001)); // larger than the shard's share: not cached
    assertNull(cache.get(1, o[1]));
    assertEquals(900, cache.usedBytes());
  }

  /**
   * Random puts, gets and file evictions in one shard against a model (an access-ordered map
   * trimmed from its eldest entry): the same entries, in the same recency order, the same bytes.
   */
  @Test
  void matchesAnLruModel() {
    for (int seed = 0; seed < 20; seed++) {
      Random r = new Random(seed);
      long share = 2000;
      BlockCache cache = new BlockCache(16 * share);
      long[] offsets = offsetsInShardZero(64);
      LinkedHashMap<Long, Block> model = new LinkedHashMap<>(16, 0.75f, true);
      for (int op = 0; op < 3000; op++) {
        long off = offsets[r.nextInt(offsets.length)];
        int kind = r.nextInt(10);
        if (kind < 5) {
          Block b = blockOf(8 + r.nextInt(600));
          cache.put(1, off, b);
          if (b.size() <= share) {
            model.put(off, b);
            long used = model.values().stream().mapToLong(Block::size).sum();
            var it = model.entrySet().iterator();
            while (used > share) {
              used -= it.next().getValue().size();
              it.remove();
            }
          }
        } else if (kind < 9) {
          assertSame(model.get(off), cache.get(1, off), "seed " + seed + " op " + op);
        } else {
          cache.evictFile(1);
          model.clear();
        }
        List<long[]> expected = new ArrayList<>();
        long used = 0;
        for (Map.Entry<Long, Block> e : model.entrySet()) {
          expected.add(new long[] {1, e.getKey()});
          used += e.getValue().size();
        }
        assertArrayEquals(expected.toArray(new long[0][]), cache.lruOrderOfShardOf(1, off),
            "seed " + seed + " op " + op);
        assertEquals(used, cache.usedBytes(), "seed " + seed + " op " + op);
        assertTrue(cache.usedBytes() <= 16 * share);
      }
    }
  }
}

package io.strata.lsm.internal.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The block cache's keys: (file, offset) pairs that differ never share an entry. */
class BlockCacheTest {
  private static Block emptyBlock(long offset) {
    // no entries: restart point 0, restart count 1 (8 bytes)
    return Block.parse(new byte[] {0, 0, 0, 0, 1, 0, 0, 0}, Path.of("t.sst"), offset, "test");
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
  }
}

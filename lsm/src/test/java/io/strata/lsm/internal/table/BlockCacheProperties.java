package io.strata.lsm.internal.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The block cache against a map model holding the last block put under each key: a get returns
 * null or exactly the model's block (never a stale one or another key's), a put that fits is
 * cached at once, evicting a file drops all its blocks, the bytes charged are those of the blocks
 * held and never more than a shard's share, and with room for everything nothing is ever lost.
 * Small alphabet (3 files, 24 offsets) so keys repeat, collide in shards and probe runs.
 */
class BlockCacheProperties {
  private static final int FILES = 3;
  private static final int OFFSETS = 24;

  /** kind 0-4: put (size), 5-8: get, 9: evict the file. */
  record Op(int kind, int file, int offset, int size) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 9),
        Arbitraries.integers().between(1, FILES), Arbitraries.integers().between(0, OFFSETS - 1),
        Arbitraries.integers().between(8, 700)).as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(400);
  }

  @Provide
  Arbitrary<Integer> shares() {
    return Arbitraries.of(300, 700, 2000, 1 << 20);
  }

  private static Block blockOf(int size) {
    byte[] data = new byte[size];
    data[size - 4] = 1;
    return Block.parse(data, Path.of("t.sst"), 0, "test");
  }

  private static long key(long file, long offset) {
    return file * 1_000_000_000L + offset;
  }

  @Property(tries = 300)
  void behavesLikeAMapThatMayForget(@ForAll("ops") List<Op> ops, @ForAll("shares") int share) {
    BlockCache cache = new BlockCache(16L * share);
    boolean roomForAll = share == 1 << 20;
    Map<Long, Block> model = new HashMap<>();
    long gets = 0;
    long hits = 0;
    for (int n = 0; n < ops.size(); n++) {
      Op op = ops.get(n);
      long off = op.offset() * 4096L;
      String at = "op " + n + " " + op;
      if (op.kind() < 5) {
        Block b = blockOf(op.size());
        cache.put(op.file(), off, b);
        if (b.size() <= share) {
          model.put(key(op.file(), off), b);
          gets++;
          hits++;
          assertSame(b, cache.get(op.file(), off), at + ": a block that fits is cached at once");
        }
      } else if (op.kind() < 9) {
        Block got = cache.get(op.file(), off);
        gets++;
        if (got != null) {
          hits++;
          assertSame(model.get(key(op.file(), off)), got, at);
        } else if (roomForAll) {
          assertEquals(null, model.get(key(op.file(), off)), at + ": lost with room for all");
        }
      } else {
        cache.evictFile(op.file());
        model.keySet().removeIf(k -> k / 1_000_000_000L == op.file());
        for (int i = 0; i < OFFSETS; i++) {
          gets++;
          assertEquals(null, cache.get(op.file(), i * 4096L), at + ": evicted file, offset " + i);
        }
      }
      // every entry held is the model's, charged at its size; no shard over its share
      long used = 0;
      Map<Integer, Long> perShard = new HashMap<>();
      for (int f = 1; f <= FILES; f++) {
        for (int i = 0; i < OFFSETS; i++) {
          long o = i * 4096L;
          int s = BlockCache.shardOf(f, o);
          if (!perShard.containsKey(s)) {
            long shardUsed = 0;
            for (long[] e : cache.entriesOfShardOf(f, o)) {
              Block b = model.get(key(e[0], e[1]));
              assertNotNull(b, at + ": the cache holds " + e[0] + "/" + e[1] + ", the model not");
              shardUsed += b.size();
            }
            assertEquals(shardUsed, cache.usedBytesOfShardOf(f, o), at + ": shard " + s);
            assertTrue(shardUsed <= share, at + ": shard " + s + " holds " + shardUsed);
            perShard.put(s, shardUsed);
            used += shardUsed;
          }
        }
      }
      assertEquals(used, cache.usedBytes(), at);
      if (roomForAll) {
        assertEquals(model.size(), countEntries(cache), at + ": with room for all, all stay");
      }
    }
    assertEquals(hits, cache.hits());
    assertEquals(gets - hits, cache.misses());
  }

  private static int countEntries(BlockCache cache) {
    int n = 0;
    boolean[] seen = new boolean[16];
    for (int f = 1; f <= FILES; f++) {
      for (int i = 0; i < OFFSETS; i++) {
        int s = BlockCache.shardOf(f, i * 4096L);
        if (!seen[s]) {
          seen[s] = true;
          n += cache.entriesOfShardOf(f, i * 4096L).length;
        }
      }
    }
    return n;
  }
}

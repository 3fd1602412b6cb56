package io.strata.lsm.internal.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import io.strata.fs.WritableFile;
import io.strata.lsm.Compression;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.version.FileNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The table cache hands out open readers with a reference each, also through its slots of
 * recently acquired readers: never a closed one, never one for another table (numbers sharing a
 * slot), and an evicted reader stays readable while a user still holds it.
 */
class TableCacheTest {
  private static final Path DIR = Path.of("/db");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes table {@code number} holding the one key {@code "k" + number}. */
  private static void table(MemFileSystem fs, long number) throws Exception {
    try (WritableFile f = fs.create(FileNames.table(DIR, number))) {
      TableBuilder t = new TableBuilder(f, new TableOptions(4096, Compression.LZ4, 10,
          TableFormat.MIN_BLOCK_LIMIT));
      t.add(InternalKeys.encode(b("k" + number), 1, InternalKeys.KIND_PUT), b("v" + number));
      t.finish();
    }
  }

  private static byte[] get(TableReader t, long number) {
    byte[] key = b("k" + number);
    return t.get(key, io.strata.bloom.BloomFilter.hash(key), InternalKeys.seekKey(key, 5), true);
  }

  @Test
  void readersComeBackRetainedAndNeverClosedOrForAnotherTable() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    fs.createDirectories(DIR);
    // 1, 257 and 513 share a slot of the recent readers
    for (long n : new long[] {1, 257, 513}) {
      table(fs, n);
    }
    TableCache cache = new TableCache(fs, DIR, new BlockCache(1 << 20), 2);
    TableReader one = cache.acquire(1);
    assertSame(one, cache.acquire(1), "the open reader again");
    one.release();
    one.release();
    for (long n : new long[] {257, 513, 1, 257}) {
      TableReader t = cache.acquire(n);
      assertEquals(n, t.number(), "the reader of the table asked for");
      assertArrayEquals(b("v" + n), get(t, n));
      t.release();
    }
    // capacity 2: table 1 was evicted once and opened again, so the first reader is closed
    assertFalse(one.retain(), "the evicted reader closed once released");
    TableReader again = cache.acquire(1);
    assertNotSame(one, again);
    assertArrayEquals(b("v1"), get(again, 1));
    TableReader held = cache.acquire(1);
    again.release();
    cache.close();
    assertThrows(IllegalStateException.class, () -> cache.acquire(1),
        "closed, even while a user still holds the reader");
    held.release();
  }

  @Test
  void anEvictedReaderStaysReadableWhileHeldAndIsNotHandedOutAfter() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    fs.createDirectories(DIR);
    table(fs, 7);
    TableCache cache = new TableCache(fs, DIR, new BlockCache(1 << 20), 8);
    TableReader held = cache.acquire(7);
    cache.evict(7);
    assertArrayEquals(b("v7"), get(held, 7), "still open: a user holds it");
    TableReader fresh = cache.acquire(7);
    assertNotSame(held, fresh, "an evicted reader is not handed out again");
    held.release();
    assertFalse(held.retain(), "closed with its last user");
    assertTrue(fresh.retain());
    fresh.release();
    assertArrayEquals(b("v7"), get(fresh, 7));
    fresh.release();
    cache.close();
  }
}

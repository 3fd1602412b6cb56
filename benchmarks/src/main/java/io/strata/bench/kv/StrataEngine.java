package io.strata.bench.kv;

import io.strata.lsm.CompactionPriority;
import io.strata.lsm.Compression;
import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.ReadOptions;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.file.Path;

/** Strata's {@link Db}. */
final class StrataEngine implements KvEngine {
  private final Db db;

  StrataEngine(Path dir) {
    db = Db.open(dir, Options.builder()
        .writeBufferSize(WRITE_BUFFER)
        .blockSize(BLOCK_SIZE)
        .blockCacheBytes(BLOCK_CACHE)
        .bloomBitsPerKey(BLOOM_BITS)
        .compression(Compression.LZ4)
        .compactionPriority(CompactionPriority.valueOf(
            System.getProperty("strata.compactionPriority", "ROUND_ROBIN")))
        .build());
  }

  @Override
  public void put(byte[] key, byte[] value) {
    db.put(key, value);
  }

  @Override
  public void putSync(byte[] key, byte[] value) {
    db.write(new WriteBatch().put(key, value), WriteOptions.sync());
  }

  @Override
  public byte[] get(byte[] key) {
    return db.get(key);
  }

  @Override
  public void delete(byte[] key) {
    db.delete(key);
  }

  @Override
  public void flushAndCompact() {
    db.compactRange(null, null); // flushes, then compacts everything into the last level
  }

  @Override
  public long seek(byte[] key, int n) {
    long bytes = 0;
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      c.seek(key);
      for (int i = 0; i < n && c.isValid(); i++, c.next()) {
        bytes += key(c) + value(c);
      }
    }
    return bytes;
  }

  @Override
  public long scanAll() {
    long n = 0;
    try (Cursor c = db.cursor(ReadOptions.builder().fillCache(false).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        key(c);
        value(c);
        n++;
      }
    }
    return n;
  }

  /** Reused by the cursor reads (one thread at a time reads through a cursor here). */
  private byte[] scratch = new byte[256];

  /** The cursor's key copied into {@link #scratch}; its length. */
  private int key(Cursor c) {
    int n = c.keyLength();
    if (n > scratch.length) {
      scratch = new byte[n];
    }
    return c.keyInto(scratch, 0);
  }

  /** The cursor's value copied into {@link #scratch}; its length. */
  private int value(Cursor c) {
    int n = c.valueLength();
    if (n > scratch.length) {
      scratch = new byte[n];
    }
    return c.valueInto(scratch, 0);
  }

  @Override
  public long tableBytesWritten() {
    var stats = db.stats();
    return stats.flushBytesWritten() + stats.compactionBytesWritten();
  }

  Db db() {
    return db;
  }

  @Override
  public void close() {
    db.close();
  }
}

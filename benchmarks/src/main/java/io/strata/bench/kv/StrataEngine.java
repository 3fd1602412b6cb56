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
        bytes += c.key().length + c.value().length;
      }
    }
    return bytes;
  }

  @Override
  public long scanAll() {
    long n = 0;
    try (Cursor c = db.cursor(ReadOptions.builder().fillCache(false).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        c.key();
        c.value();
        n++;
      }
    }
    return n;
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

package io.strata.bench.kv;

import java.nio.file.Path;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/** RocksDB through its Java binding (JNI). */
final class RocksDbEngine implements KvEngine {
  static {
    RocksDB.loadLibrary();
  }

  private final Options options;
  private final LRUCache cache;
  private final BloomFilter filter;
  private final WriteOptions plain = new WriteOptions();
  private final WriteOptions sync = new WriteOptions().setSync(true);
  private final RocksDB db;

  RocksDbEngine(Path dir) {
    cache = new LRUCache(BLOCK_CACHE);
    filter = new BloomFilter(BLOOM_BITS);
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockSize(BLOCK_SIZE)
        .setBlockCache(cache)
        .setFilterPolicy(filter);
    options = new Options()
        .setCreateIfMissing(true)
        .setWriteBufferSize(WRITE_BUFFER)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(table);
    try {
      db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      db.put(plain, key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void putSync(byte[] key, byte[] value) {
    try {
      db.put(sync, key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public byte[] get(byte[] key) {
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void delete(byte[] key) {
    try {
      db.delete(plain, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void flushAndCompact() {
    try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
      db.flush(f);
      db.compactRange();
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long seek(byte[] key, int n) {
    long bytes = 0;
    try (RocksIterator it = db.newIterator()) {
      it.seek(key);
      for (int i = 0; i < n && it.isValid(); i++, it.next()) {
        bytes += it.key().length + it.value().length;
      }
    }
    return bytes;
  }

  @Override
  public long scanAll() {
    long n = 0;
    try (org.rocksdb.ReadOptions ro = new org.rocksdb.ReadOptions().setFillCache(false);
        RocksIterator it = db.newIterator(ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        it.key();
        it.value();
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    db.close();
    plain.close();
    sync.close();
    options.close();
    filter.close();
    cache.close();
  }
}

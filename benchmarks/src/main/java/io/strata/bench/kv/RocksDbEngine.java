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
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
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
  private final Statistics statistics;

  RocksDbEngine(Path dir) {
    this(dir, false);
  }

  /**
   * @param statistics collect RocksDB's statistics (for write amplification and stall time; costs
   *     a little on every operation)
   */
  RocksDbEngine(Path dir, boolean statistics) {
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
        .setTableFormatConfig(table)
        // the level settings Strata uses (RocksDB's defaults, stated so they stay equal)
        .setLevelCompactionDynamicLevelBytes(true)
        .setMaxBytesForLevelBase(256L << 20)
        .setMaxBytesForLevelMultiplier(10)
        .setTargetFileSizeBase(64L << 20)
        .setLevel0FileNumCompactionTrigger(4)
        .setLevel0SlowdownWritesTrigger(20)
        .setLevel0StopWritesTrigger(36)
        .setMaxBackgroundJobs(2);
    this.statistics = statistics ? new Statistics() : null;
    if (this.statistics != null) {
      options.setStatistics(this.statistics);
    }
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

  /** Waits until no flush or compaction is running or pending. */
  void waitForCompactions() {
    try {
      while (db.getLongProperty("rocksdb.compaction-pending") != 0
          || db.getLongProperty("rocksdb.num-running-compactions") != 0
          || db.getLongProperty("rocksdb.mem-table-flush-pending") != 0
          || db.getLongProperty("rocksdb.num-running-flushes") != 0) {
        Thread.sleep(50);
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public long tableBytesWritten() {
    if (statistics == null) {
      return -1;
    }
    long[] w = tableWritesAndStall();
    return w[0] + w[1];
  }

  /** Bytes written to tables by flushes and by compactions, and write-stall time (ns). */
  long[] tableWritesAndStall() {
    if (statistics == null) {
      throw new IllegalStateException("statistics are off");
    }
    return new long[] {statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES),
        statistics.getTickerCount(TickerType.COMPACT_WRITE_BYTES),
        statistics.getTickerCount(TickerType.STALL_MICROS) * 1000};
  }

  @Override
  public void close() {
    db.close();
    if (statistics != null) {
      statistics.close();
    }
    plain.close();
    sync.close();
    options.close();
    filter.close();
    cache.close();
  }
}

package io.strata.bench.kv;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

/**
 * RocksDB through its Java binding (JNI), at its best: no statistics object and no other
 * instrumentation; the bytes it wrote to tables and its stall time come from its own properties
 * ({@code rocksdb.cfstats}, {@code rocksdb.dbstats}), read after a timed part.
 */
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
        bytes += key(it) + value(it);
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
        key(it);
        value(it);
        n++;
      }
    }
    return n;
  }

  /**
   * Reused by the iterator reads, as Strata's cursor reads reuse theirs (one thread at a time
   * reads through an iterator here).
   */
  private byte[] scratch = new byte[256];

  /** The iterator's key copied into {@link #scratch}; its length. */
  private int key(RocksIterator it) {
    int n = it.key(scratch);
    if (n > scratch.length) {
      scratch = new byte[n];
      it.key(scratch);
    }
    return n;
  }

  /** The iterator's value copied into {@link #scratch}; its length. */
  private int value(RocksIterator it) {
    int n = it.value(scratch);
    if (n > scratch.length) {
      scratch = new byte[n];
      it.value(scratch);
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
    long[] w = tableWritesAndStall();
    return w[0] + w[1];
  }

  /**
   * Bytes written to tables by flushes (level 0's row of the compaction stats, which also holds
   * any intra-L0 compaction) and by compactions into the other levels, and the cumulative
   * write-stall time (ns), from RocksDB's own properties ({@code rocksdb.cfstats} as a map, in GB
   * of 2^30 bytes to six decimals, so to about 1 KiB; {@code rocksdb.dbstats} for the stall).
   */
  long[] tableWritesAndStall() {
    try {
      Map<String, String> cf = db.getMapProperty("rocksdb.cfstats");
      double sum = gb(cf, "compaction.Sum.WriteGB");
      double l0 = gb(cf, "compaction.L0.WriteGB");
      return new long[] {Math.round(l0 * GIB), Math.round((sum - l0) * GIB),
          stallNanos(db.getProperty("rocksdb.dbstats"))};
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final double GIB = 1024.0 * 1024 * 1024;
  private static final Pattern STALL =
      Pattern.compile("Cumulative stall: (\\d+):(\\d+):([0-9.]+) H:M:S");

  private static double gb(Map<String, String> stats, String key) {
    String v = stats.get(key);
    return v == null ? 0 : Double.parseDouble(v);
  }

  /** The cumulative stall ("Cumulative stall: HH:MM:SS.mmm H:M:S") in nanoseconds; 0 if absent. */
  static long stallNanos(String dbStats) {
    Matcher m = STALL.matcher(dbStats);
    if (!m.find()) {
      return 0;
    }
    double seconds = Long.parseLong(m.group(1)) * 3600 + Long.parseLong(m.group(2)) * 60
        + Double.parseDouble(m.group(3));
    return Math.round(seconds * 1e9);
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

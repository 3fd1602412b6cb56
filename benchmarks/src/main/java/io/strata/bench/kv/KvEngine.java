package io.strata.bench.kv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One key-value engine under benchmark, configured alike for every engine: write-ahead log on,
 * fsync only for sync writes, LZ4 (Snappy for the LevelDB port), a 10 bits/key Bloom filter where
 * offered, 4 KiB blocks, a 64 MiB write buffer and a 32 MiB block cache. H2's MVStore has no
 * log and no Bloom filter; it gets LZF, a 64 MiB auto-commit buffer and a 32 MiB page cache.
 *
 * <p>Not thread-safe unless the engine is: Strata and RocksDB are, and the sync benchmark only
 * runs several threads against them and the LevelDB port, which also accepts concurrent writes.
 */
public interface KvEngine extends AutoCloseable {
  long WRITE_BUFFER = 64L << 20;
  long BLOCK_CACHE = 32L << 20;
  int BLOCK_SIZE = 4096;
  int BLOOM_BITS = 10;

  void put(byte[] key, byte[] value);

  void putSync(byte[] key, byte[] value);

  byte[] get(byte[] key);

  void delete(byte[] key);

  /** Flushes the memtable and compacts everything (where the engine can) so reads hit tables. */
  void flushAndCompact();

  /** Seeks to {@code key} and reads up to {@code n} entries; returns the bytes seen. */
  long seek(byte[] key, int n);

  /** Reads every entry in order; returns how many. */
  long scanAll();

  @Override
  void close();

  static KvEngine open(String name, Path dir) {
    switch (name) {
      case "strata":
        return new StrataEngine(dir);
      case "rocksdb":
        return new RocksDbEngine(dir);
      case "leveldb":
        return new LevelDbEngine(dir);
      case "mvstore":
        return new MvStoreEngine(dir);
      default:
        throw new IllegalArgumentException("unknown engine " + name
            + " (expected strata, rocksdb, leveldb or mvstore)");
    }
  }

  /**
   * Bytes written to table files by flushes and compactions so far, from the engine's own
   * counters, read outside any timed part; -1 where the engine does not count them (the LevelDB
   * port, MVStore).
   */
  default long tableBytesWritten() {
    return -1;
  }

  /** A fresh directory for one run. */
  static Path freshDirectory(String engine) {
    try {
      Path base = Path.of(System.getProperty("strata.bench.dir",
          System.getProperty("java.io.tmpdir")));
      Files.createDirectories(base);
      return Files.createTempDirectory(base, "kv-" + engine + "-");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

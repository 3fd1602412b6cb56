package io.strata.bench.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.iq80.leveldb.CompressionType;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.WriteOptions;
import org.iq80.leveldb.impl.Iq80DBFactory;

/** The pure-Java LevelDB port (iq80), with iq80 Snappy on the class path so it compresses. */
final class LevelDbEngine implements KvEngine {
  private final Path dir;
  private DB db;
  private final WriteOptions sync = new WriteOptions().sync(true);

  LevelDbEngine(Path dir) {
    this.dir = dir;
    this.db = open(dir);
  }

  private static DB open(Path dir) {
    Options options = new Options()
        .createIfMissing(true)
        .writeBufferSize((int) WRITE_BUFFER)
        .blockSize(BLOCK_SIZE)
        .cacheSize(BLOCK_CACHE)
        .compressionType(CompressionType.SNAPPY);
    try {
      return Iq80DBFactory.factory.open(dir.toFile(), options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    db.put(key, value);
  }

  @Override
  public void putSync(byte[] key, byte[] value) {
    db.put(key, value, sync);
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
    // the port implements neither flush nor compactRange; reopening writes the log to a table
    close();
    db = open(dir);
  }

  @Override
  public long seek(byte[] key, int n) {
    long bytes = 0;
    try (DBIterator it = db.iterator()) {
      it.seek(key);
      for (int i = 0; i < n && it.hasNext(); i++) {
        Map.Entry<byte[], byte[]> e = it.next();
        bytes += e.getKey().length + e.getValue().length;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }

  @Override
  public long scanAll() {
    long n = 0;
    try (DBIterator it = db.iterator(new ReadOptions().fillCache(false))) {
      for (it.seekToFirst(); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> e = it.next(); // the port decodes key and value here
        if (e.getValue().length < 0) {
          throw new AssertionError();
        }
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.strata.bench.kv;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;

/**
 * H2's MVStore, a pure-Java log-structured B-tree store: one file, one map of byte-array keys and
 * values, LZF compression, a 64 MiB auto-commit buffer and a 32 MiB page cache. It has no
 * write-ahead log: changes reach the file as a new chunk when the buffer fills or a second has
 * passed (the background auto-commit), so an unsynced write is lost by a crash up to that point,
 * where the log-based engines keep it. A sync write commits the pending changes as a chunk and
 * forces the file.
 *
 * <p>Thread-safety: MVStore maps accept concurrent readers and writers.
 */
final class MvStoreEngine implements KvEngine {
  private final MVStore store;
  private final MVMap<byte[], byte[]> map;

  MvStoreEngine(Path dir) {
    store = new MVStore.Builder()
        .fileName(dir.resolve("store.mv").toString())
        .compress() // LZF
        .autoCommitBufferSize((int) (WRITE_BUFFER >> 10)) // in KiB
        .cacheSize((int) (BLOCK_CACHE >> 20)) // in MiB
        .open();
    map = store.openMap("kv", new MVMap.Builder<byte[], byte[]>()
        .keyType(ByteArrayDataType.INSTANCE)
        .valueType(ByteArrayDataType.INSTANCE));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    map.put(key, value);
  }

  @Override
  public void putSync(byte[] key, byte[] value) {
    map.put(key, value);
    store.commit();
    store.sync();
  }

  @Override
  public byte[] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public void delete(byte[] key) {
    map.remove(key);
  }

  @Override
  public void flushAndCompact() {
    store.commit(); // writes the pending changes as a chunk; MVStore has no levels to compact
  }

  @Override
  public long seek(byte[] key, int n) {
    long bytes = 0;
    Cursor<byte[], byte[]> c = map.cursor(key);
    for (int i = 0; i < n && c.hasNext(); i++) {
      byte[] k = c.next();
      bytes += k.length + c.getValue().length;
    }
    return bytes;
  }

  @Override
  public long scanAll() {
    long n = 0;
    for (Iterator<Map.Entry<byte[], byte[]>> it = map.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<byte[], byte[]> e = it.next();
      if (e.getValue().length < 0) {
        throw new AssertionError();
      }
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    store.close();
  }
}

package io.strata.lsm.internal.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.bloom.BloomFilter;
import io.strata.fs.MemFileSystem;
import io.strata.fs.WritableFile;
import io.strata.lsm.Compression;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The table's index search (a search over 8-byte words after the index keys' common prefix,
 * keys read only on ties) agrees with a plain search over the index keys, and point reads answer
 * like a model, for keys with long shared prefixes, keys that are prefixes of others, empty keys
 * and many versions per key, in tables of uncompressed, compressed and mixed blocks.
 */
class TableReaderSearchTest {
  private static final Path FILE = Path.of("/t/000001.sst");

  private static byte[] randomKey(Random r, byte[] prefix) {
    byte[] k = Arrays.copyOf(prefix, prefix.length + r.nextInt(12));
    for (int i = prefix.length; i < k.length; i++) {
      k[i] = (byte) (r.nextInt(3) == 0 ? 0 : r.nextBoolean() ? 'a' : 0xFF);
    }
    return k;
  }

  @Test
  void indexSearchAndGetsMatchAPlainSearchAndAModel() throws Exception {
    for (int seed = 0; seed < 40; seed++) {
      Random r = new Random(seed);
      byte[] prefix = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(20)];
      Arrays.fill(prefix, (byte) '7');
      // internal key -> value (null: a deletion)
      TreeMap<byte[], byte[]> entries = new TreeMap<>(InternalKeys.COMPARATOR);
      int n = 1 + r.nextInt(600);
      for (int i = 0; i < n; i++) {
        byte[] v = new byte[r.nextInt(40)];
        if (r.nextBoolean()) {
          r.nextBytes(v); // incompressible: such blocks are stored uncompressed
        }
        boolean delete = r.nextInt(8) == 0;
        entries.put(InternalKeys.encode(randomKey(r, prefix), 1 + r.nextInt(50),
            delete ? InternalKeys.KIND_DELETE : InternalKeys.KIND_PUT), delete ? null : v);
      }
      MemFileSystem fs = new MemFileSystem();
      fs.createDirectories(FILE.getParent());
      Compression compression = r.nextBoolean() ? Compression.LZ4 : Compression.NONE;
      try (WritableFile f = fs.create(FILE)) {
        TableBuilder b = new TableBuilder(f, new TableOptions(64 + r.nextInt(256), compression,
            10, TableFormat.MIN_BLOCK_LIMIT));
        for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
          b.add(e.getKey(), e.getValue() == null ? new byte[0] : e.getValue());
        }
        b.finish();
      }
      TableReader t = TableReader.open(fs, FILE, 1, new BlockCache(r.nextBoolean() ? 0 : 4096),
          TableFormat.MIN_BLOCK_LIMIT);
      try {
        byte[][] lastKeys = new byte[t.blockCount()][];
        for (int i = 0; i < lastKeys.length; i++) {
          Block.Entries es = t.dataBlock(i, false).decodeAll();
          lastKeys[i] = es.keys[es.count - 1];
        }
        for (int probe = 0; probe < 400; probe++) {
          byte[] user = r.nextInt(4) == 0 ? randomKey(r, new byte[0]) : randomKey(r, prefix);
          if (r.nextInt(3) == 0) {
            user = InternalKeys.userKey(entries.keySet().stream().skip(r.nextInt(entries.size()))
                .findFirst().orElseThrow());
          }
          long sequence = r.nextInt(60);
          byte[] target = InternalKeys.seekKey(user, sequence);
          int expected = 0;
          while (expected < lastKeys.length
              && InternalKeys.compare(lastKeys[expected], target) < 0) {
            expected++;
          }
          String where = "seed " + seed + " probe " + InternalKeys.describe(target);
          assertEquals(expected, t.findBlock(target), where);

          Map.Entry<byte[], byte[]> newest = entries.ceilingEntry(target);
          byte[] want = newest == null || !InternalKeys.sameUserKey(newest.getKey(), target)
              ? null : newest.getValue() == null ? Memtable.DELETED : newest.getValue();
          byte[] got = t.get(user, BloomFilter.hash(user), target, true);
          if (want == Memtable.DELETED) {
            assertTrue(got == Memtable.DELETED, where);
          } else {
            assertArrayEquals(want, got, where);
          }
        }
        assertTrue(t.verifyChecksums().isEmpty());
      } finally {
        t.release();
      }
    }
  }
}

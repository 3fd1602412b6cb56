package io.strata.lsm;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.TableBuilder;
import io.strata.lsm.internal.table.TableFormat;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.CorruptionException;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.MemFileSystem;
import io.strata.fs.WritableFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Damaged or hostile table files and manifest records: reading them gives a {@link
 * CorruptionException} (or answers correctly, when the damage happens to miss what was read), and
 * never an index exception, an out-of-memory error or a hang.
 */
class HostileTableProperties {
  private static final Path FILE = Path.of("/t/000007.sst");

  /** A valid table of a few hundred entries, LZ4-compressed 512-byte blocks. */
  private static byte[] table(long seed) throws Exception {
    MemFileSystem fs = new MemFileSystem();
    fs.createDirectories(FILE.getParent());
    Random r = new Random(seed);
    Options options = Options.builder().blockSize(512).build();
    try (WritableFile f = fs.create(FILE)) {
      TableBuilder b = new TableBuilder(f, options.tableOptions());
      int n = 1 + r.nextInt(400);
      for (int i = 0; i < n; i++) {
        byte[] key = String.format("k%05d", i).getBytes(StandardCharsets.UTF_8);
        byte[] value = ("value" + i + "-" + "x".repeat(r.nextInt(60)))
            .getBytes(StandardCharsets.UTF_8);
        b.add(InternalKeys.encode(key, i + 1, i % 7 == 0 ? InternalKeys.KIND_DELETE
            : InternalKeys.KIND_PUT), value);
      }
      b.finish();
    }
    return fs.contents(FILE);
  }

  /** Opens and reads everything; only CorruptionException may come out. */
  private static void readAll(byte[] bytes) throws Exception {
    MemFileSystem fs = new MemFileSystem();
    fs.createDirectories(FILE.getParent());
    fs.setContents(FILE, bytes);
    TableReader t;
    try {
      t = TableReader.open(fs, FILE, 7, new BlockCache(1 << 20));
    } catch (CorruptionException expected) {
      assertTrue(expected.file().equals(FILE), expected.getMessage());
      return;
    }
    try (InternalIterator it = t.iterator(true)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        it.value();
      }
      for (it.seekToLast(); it.isValid(); it.prev()) {
        it.key();
      }
      byte[] probe = InternalKeys.seekKey("k00042".getBytes(StandardCharsets.UTF_8), 1000);
      t.get("k00042".getBytes(StandardCharsets.UTF_8),
          io.strata.bloom.BloomFilter.hash("k00042".getBytes(StandardCharsets.UTF_8)), probe, true);
      t.verifyChecksums();
    } catch (CorruptionException expected) {
      assertTrue(expected.file().equals(FILE), expected.getMessage());
    } finally {
      t.release();
    }
  }

  @Property
  void mutatedTablesGiveOnlyCorruptionExceptions(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 8) int changes) throws Exception {
    Random r = new Random(seed);
    byte[] bytes = table(seed);
    for (int i = 0; i < changes; i++) {
      int at = r.nextInt(bytes.length);
      switch (r.nextInt(3)) {
        case 0 -> bytes[at] ^= (byte) (1 << r.nextInt(8));
        case 1 -> bytes[at] = 0;
        default -> bytes[at] = (byte) r.nextInt(256);
      }
    }
    if (r.nextInt(4) == 0) {
      bytes = java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length + 1));
    }
    readAll(bytes);
  }

  @Property
  void randomBytesGiveOnlyCorruptionExceptions(@ForAll @Size(max = 3000) byte[] junk)
      throws Exception {
    readAll(junk);
  }

  /** A footer that names huge blocks must not make the reader allocate them. */
  @Property
  void forgedFootersAreRejectedCheaply(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    byte[] bytes = table(seed);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int footer = bytes.length - TableFormat.FOOTER_BYTES;
    b.putLong(footer + 16 * r.nextInt(3) + 8 * r.nextInt(2), r.nextLong());
    // make the footer checksum right again, so only the bounds checks stand in the way
    b.putInt(footer + 52, TableFormat.checksum(bytes, footer, 52));
    readAll(bytes);
  }

  @Property
  void randomManifestRecordsGiveOnlyCorruptionExceptions(@ForAll @Size(max = 500) byte[] junk) {
    try {
      VersionEdit.decode(junk, Path.of("/t/MANIFEST-000001"), 0);
    } catch (CorruptionException expected) {
      assertTrue(expected.getMessage().contains("manifest record"), expected.getMessage());
    }
  }
}

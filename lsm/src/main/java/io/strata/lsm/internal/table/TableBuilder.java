package io.strata.lsm.internal.table;

import io.strata.bloom.BloomFilter;
import io.strata.fs.WritableFile;
import io.strata.lsm.Compression;
import io.strata.lsm.Db;
import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.Bytes;
import io.strata.lsm.internal.InternalKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes one table file (format in {@code lsm/FORMAT.md}): data blocks, the Bloom filter, the
 * properties, the index, the footer. Entries must arrive in strictly increasing internal-key order.
 * Not thread-safe. The caller syncs and closes the file.
 *
 * <p>Every table it writes can be read: no block exceeds the block limit that readers enforce
 * ({@link TableOptions#maxBlockBytes()}, {@link TableFormat#MAX_BLOCK_BYTES} outside tests). A data
 * block is cut early rather than grow past it; an index that would is partitioned, level upon
 * level (format version 2); a Bloom filter that would is left out (reads stay correct, only
 * slower). An entry too large for any block is refused with an {@link IllegalArgumentException};
 * {@link Db} refuses such entries before it accepts them.
 */
public final class TableBuilder {
  private final WritableFile out;
  private final int blockSize;
  private final Compression compression;
  private final BlockBuilder data;
  private final int maxBlockBytes;
  /** The longest internal key that keeps four index entries to a block. */
  private final int maxKeyBytes;
  /** Index levels, the data blocks' index first; a level above exists once the one below split. */
  private final List<BlockBuilder> index = new ArrayList<>(List.of(new BlockBuilder(1, 4096)));
  private BloomFilter.Builder filter;
  private final int bitsPerKey;
  private final ByteSink handleScratch = new ByteSink(20);
  private final ByteSink writeBuffer = new ByteSink(64 * 1024);

  private long offset;
  /** The last internal key added, in {@code lastKey[0, lastKeyLength)}; none before the first. */
  private byte[] lastKey = new byte[64];
  private int lastKeyLength = -1;
  /** The user key last added to the filter, in {@code lastUserKey[0, lastUserKeyLength)}. */
  private byte[] lastUserKey = new byte[64];
  private int lastUserKeyLength = -1;
  private byte[] smallest;
  private long entries;
  private long deletions;
  private long dataBlocks;
  private long rawKeyBytes;
  private long rawValueBytes;
  private long dataBytes;
  private long indexBytes;
  private long minSequence = Long.MAX_VALUE;
  private long maxSequence = 0;
  private byte[] compressBuffer = new byte[0];
  private final Lz4Encoder lz4 = new Lz4Encoder();

  public TableBuilder(WritableFile out, TableOptions options) {
    this.out = out;
    this.blockSize = options.blockSize();
    this.compression = options.compression();
    this.maxBlockBytes = options.maxBlockBytes();
    this.maxKeyBytes = TableFormat.maxKeyBytes(maxBlockBytes) + InternalKeys.TRAILER_BYTES;
    this.data = new BlockBuilder(TableFormat.RESTART_INTERVAL, Math.min(blockSize, maxBlockBytes));
    this.bitsPerKey = options.bloomBitsPerKey();
    this.filter = bitsPerKey > 0 ? BloomFilter.builder(bitsPerKey) : null;
  }

  public void add(byte[] ikey, byte[] value) throws IOException {
    add(ikey, 0, ikey.length, value, 0, value.length);
  }

  /**
   * Adds the internal key {@code k[kOffset, +kLength)} with the value {@code v[vOffset,
   * +vLength)}; neither is kept, so the caller may reuse both arrays.
   */
  public void add(byte[] k, int kOffset, int kLength, byte[] v, int vOffset, int vLength)
      throws IOException {
    if (lastKeyLength >= 0
        && InternalKeys.compare(lastKey, 0, lastKeyLength, k, kOffset, kLength) >= 0) {
      throw new IllegalStateException("table keys out of order: "
          + InternalKeys.describe(Arrays.copyOf(lastKey, lastKeyLength)) + " then "
          + InternalKeys.describe(Arrays.copyOfRange(k, kOffset, kOffset + kLength)));
    }
    long entry = TableFormat.entryBytes(kLength, vLength);
    if (TableFormat.BLOCK_OVERHEAD + entry > maxBlockBytes
        || kLength > maxKeyBytes) {
      throw new IllegalArgumentException("entry of a " + kLength + "-byte key and a "
          + vLength + "-byte value does not fit the table block limit of " + maxBlockBytes
          + " bytes");
    }
    if (!data.isEmpty() && data.estimatedSize() + entry > maxBlockBytes) {
      flushDataBlock(); // cut early: with this entry the block would pass the limit
    }
    if (smallest == null) {
      smallest = Arrays.copyOfRange(k, kOffset, kOffset + kLength);
    }
    if (filter != null) {
      int userLength = kLength - InternalKeys.TRAILER_BYTES;
      if (lastUserKeyLength < 0 || !Arrays.equals(lastUserKey, 0, lastUserKeyLength, k, kOffset,
          kOffset + userLength)) {
        lastUserKey = copyInto(lastUserKey, k, kOffset, userLength);
        lastUserKeyLength = userLength;
        if (filterBytes(filter.size() + 1) > maxBlockBytes) {
          filter = null; // with this key the filter would not fit a block: none at all
        } else {
          filter.addHash(BloomFilter.hash(k, kOffset, userLength));
        }
      }
    }
    data.add(k, kOffset, kLength, v, vOffset, vLength);
    lastKey = copyInto(lastKey, k, kOffset, kLength);
    lastKeyLength = kLength;
    long trailer = InternalKeys.trailer(lastKey, kLength);
    long seq = trailer >>> 8;
    minSequence = Math.min(minSequence, seq);
    maxSequence = Math.max(maxSequence, seq);
    entries++;
    if ((byte) trailer == InternalKeys.KIND_DELETE) {
      deletions++;
    }
    rawKeyBytes += kLength;
    rawValueBytes += vLength;
    if (data.estimatedSize() >= blockSize) {
      flushDataBlock();
    }
  }

  /** {@code src[offset, +length)} at the start of {@code buffer}, or of a larger one returned. */
  private static byte[] copyInto(byte[] buffer, byte[] src, int offset, int length) {
    byte[] b = length <= buffer.length ? buffer : new byte[Math.max(length, 2 * buffer.length)];
    System.arraycopy(src, offset, b, 0, length);
    return b;
  }

  private void flushDataBlock() throws IOException {
    if (data.isEmpty()) {
      return;
    }
    byte[] last = data.lastKey();
    BlockHandle h = writeBlock(data, compression);
    dataBlocks++;
    dataBytes += h.size() + TableFormat.BLOCK_TRAILER_BYTES;
    data.reset();
    addIndexEntry(0, last, h);
  }

  /** The bytes of a filter of {@code keys} keys: its header and 64-byte blocks. */
  private long filterBytes(long keys) {
    long bits = Math.max(1, keys * bitsPerKey);
    return 8 + (bits + 511) / 512 * 64;
  }

  /**
   * Adds an entry to index level {@code level}; when it would make that level's block pass the
   * limit, the block is written first as a partition, and its last key and handle go one level
   * up.
   */
  private void addIndexEntry(int level, byte[] key, BlockHandle h) throws IOException {
    handleScratch.reset();
    h.encodeTo(handleScratch);
    byte[] handle = handleScratch.toByteArray();
    BlockBuilder b = index.get(level);
    if (!b.isEmpty() && b.estimatedSize() + TableFormat.entryBytes(key.length, handle.length)
        > maxBlockBytes) {
      writeIndexPartition(level);
    }
    b.add(key, handle);
  }

  /** Writes the block of index level {@code level} and records it one level up. */
  private void writeIndexPartition(int level) throws IOException {
    BlockBuilder b = index.get(level);
    byte[] last = b.lastKey();
    BlockHandle partition = writeBlock(b, Compression.NONE);
    indexBytes += partition.size() + TableFormat.BLOCK_TRAILER_BYTES;
    b.reset();
    if (level + 1 == index.size()) {
      if (index.size() == TableFormat.MAX_INDEX_LEVELS) {
        // cannot happen: each level holds at most a quarter of the entries of the one below
        throw new IllegalStateException("index of more than " + TableFormat.MAX_INDEX_LEVELS
            + " levels");
      }
      index.add(new BlockBuilder(1, 4096));
    }
    addIndexEntry(level + 1, last, partition);
  }

  private BlockHandle writeBlock(BlockBuilder block, Compression c) throws IOException {
    int length = block.finish();
    if (length > maxBlockBytes) {
      throw new IllegalStateException("block of " + length + " bytes passes the limit of "
          + maxBlockBytes); // a bug above: never write what no reader accepts
    }
    return writeRaw(block.array(), length, c);
  }

  /** Writes block contents plus trailer, compressing with LZ4 when it saves at least 1/8. */
  private BlockHandle writeRaw(byte[] contents, int length, Compression c) throws IOException {
    byte type = TableFormat.TYPE_RAW;
    byte[] payload = contents;
    int payloadLength = length;
    if (c == Compression.LZ4 && length > 64) {
      int max = length - length / 8; // the most worth storing: it saves at least 1/8
      if (compressBuffer.length < max) {
        compressBuffer = new byte[max];
      }
      int at = Bytes.putVarint(compressBuffer, 0, length);
      // gives up (-1) as soon as the block cannot fit, so incompressible blocks cost little
      int compressed = lz4.compress(contents, 0, length, compressBuffer, at, max - at);
      if (compressed >= 0) {
        type = TableFormat.TYPE_LZ4;
        payload = compressBuffer;
        payloadLength = at + compressed;
      }
    }
    BlockHandle h = new BlockHandle(offset, payloadLength);
    writeBuffer.reset();
    writeBuffer.put(payload, 0, payloadLength);
    writeBuffer.put(type);
    writeBuffer.putIntLE(TableFormat.blockChecksum(payload, 0, payloadLength, type));
    out.append(ByteBuffer.wrap(writeBuffer.array(), 0, writeBuffer.size()));
    offset += writeBuffer.size();
    return h;
  }

  /** Bytes written so far plus the pending block. */
  public long estimatedSize() {
    return offset + data.estimatedSize();
  }

  long entries() {
    return entries;
  }

  /** Writes the filter, index, properties and footer. Returns the table's properties. */
  public TableProperties finish() throws IOException {
    flushDataBlock();
    BlockHandle filterHandle = new BlockHandle(0, 0);
    long filterBytes = 0;
    if (filter != null) {
      byte[] f = filter.build().toByteArray();
      filterHandle = writeRaw(f, f.length, Compression.NONE);
      filterBytes = f.length;
    }
    // every level below the top ends with a last partition; the top block is the root
    for (int level = 0; level < index.size() - 1; level++) {
      if (!index.get(level).isEmpty()) {
        writeIndexPartition(level);
      }
    }
    BlockHandle indexHandle = writeBlock(index.get(index.size() - 1), Compression.NONE);
    indexBytes += indexHandle.size() + TableFormat.BLOCK_TRAILER_BYTES;
    TableProperties props = new TableProperties(entries, deletions, dataBlocks, rawKeyBytes,
        rawValueBytes, dataBytes, indexBytes,
        filterBytes, entries == 0 ? 0 : minSequence, maxSequence,
        smallest == null ? new byte[0] : smallest,
        lastKeyLength < 0 ? new byte[0] : Arrays.copyOf(lastKey, lastKeyLength),
        index.size());
    byte[] p = props.encode();
    if (p.length > maxBlockBytes) {
      throw new IllegalStateException("properties of " + p.length + " bytes pass the block limit");
    }
    BlockHandle propsHandle = writeRaw(p, p.length, Compression.NONE);
    byte[] footer = new Footer(indexHandle, filterHandle, propsHandle,
        index.size() == 1 ? TableFormat.FORMAT_VERSION
            : TableFormat.FORMAT_VERSION_PARTITIONED_INDEX).encode();
    out.append(ByteBuffer.wrap(footer));
    offset += footer.length;
    return props;
  }

  /** The file's size after {@link #finish()}. */
  public long fileSize() {
    return offset;
  }
}

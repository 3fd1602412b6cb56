package io.strata.lsm;

import io.strata.bloom.BloomFilter;
import io.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes one table file (format in {@code lsm/FORMAT.md}): data blocks, the Bloom filter, the
 * properties, the index, the footer. Entries must arrive in strictly increasing internal-key order.
 * Not thread-safe. The caller syncs and closes the file.
 */
final class TableBuilder {
  private static final LZ4Compressor LZ4 = LZ4Factory.fastestJavaInstance().fastCompressor();

  private final WritableFile out;
  private final int blockSize;
  private final Compression compression;
  private final BlockBuilder data;
  private final BlockBuilder index = new BlockBuilder(1, 4096);
  private final BloomFilter.Builder filter;
  private final ByteSink handleScratch = new ByteSink(20);
  private final ByteSink writeBuffer = new ByteSink(64 * 1024);

  private long offset;
  private byte[] lastKey;
  private byte[] lastUserKey;
  private byte[] smallest;
  private long entries;
  private long deletions;
  private long dataBlocks;
  private long rawKeyBytes;
  private long rawValueBytes;
  private long dataBytes;
  private long minSequence = Long.MAX_VALUE;
  private long maxSequence = 0;
  private byte[] compressBuffer = new byte[0];

  TableBuilder(WritableFile out, Options options) {
    this.out = out;
    this.blockSize = options.blockSize();
    this.compression = options.compression();
    this.data = new BlockBuilder(TableFormat.RESTART_INTERVAL, blockSize);
    this.filter = options.bloomBitsPerKey() > 0 ? BloomFilter.builder(options.bloomBitsPerKey()) : null;
  }

  void add(byte[] ikey, byte[] value) throws IOException {
    if (lastKey != null && InternalKeys.compare(lastKey, ikey) >= 0) {
      throw new IllegalStateException("table keys out of order: " + InternalKeys.describe(lastKey)
          + " then " + InternalKeys.describe(ikey));
    }
    if (smallest == null) {
      smallest = ikey;
    }
    if (filter != null) {
      int userLength = ikey.length - InternalKeys.TRAILER_BYTES;
      if (lastUserKey == null
          || !Arrays.equals(lastUserKey, 0, lastUserKey.length, ikey, 0, userLength)) {
        lastUserKey = Arrays.copyOf(ikey, userLength);
        filter.add(lastUserKey);
      }
    }
    data.add(ikey, value);
    lastKey = ikey;
    long seq = InternalKeys.sequence(ikey);
    minSequence = Math.min(minSequence, seq);
    maxSequence = Math.max(maxSequence, seq);
    entries++;
    if (InternalKeys.kind(ikey) == InternalKeys.KIND_DELETE) {
      deletions++;
    }
    rawKeyBytes += ikey.length;
    rawValueBytes += value.length;
    if (data.estimatedSize() >= blockSize) {
      flushDataBlock();
    }
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
    handleScratch.reset();
    h.encodeTo(handleScratch);
    index.add(last, handleScratch.toByteArray());
  }

  private BlockHandle writeBlock(BlockBuilder block, Compression c) throws IOException {
    int length = block.finish();
    return writeRaw(block.array(), length, c);
  }

  /** Writes block contents plus trailer, compressing with LZ4 when it saves at least 1/8. */
  private BlockHandle writeRaw(byte[] contents, int length, Compression c) throws IOException {
    byte type = TableFormat.TYPE_RAW;
    byte[] payload = contents;
    int payloadLength = length;
    if (c == Compression.LZ4 && length > 64) {
      int header = Bytes.varintLength(length);
      int max = header + LZ4.maxCompressedLength(length);
      if (compressBuffer.length < max) {
        compressBuffer = new byte[max];
      }
      int at = Bytes.putVarint(compressBuffer, 0, length);
      int compressed = LZ4.compress(contents, 0, length, compressBuffer, at, max - at);
      if (at + compressed <= length - length / 8) {
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
  long estimatedSize() {
    return offset + data.estimatedSize();
  }

  long entries() {
    return entries;
  }

  /** Writes the filter, index, properties and footer. Returns the table's properties. */
  TableProperties finish() throws IOException {
    flushDataBlock();
    BlockHandle filterHandle = new BlockHandle(0, 0);
    long filterBytes = 0;
    if (filter != null) {
      byte[] f = filter.build().toByteArray();
      filterHandle = writeRaw(f, f.length, Compression.NONE);
      filterBytes = f.length;
    }
    BlockHandle indexHandle = writeBlock(index, Compression.NONE);
    TableProperties props = new TableProperties(entries, deletions, dataBlocks, rawKeyBytes,
        rawValueBytes, dataBytes, indexHandle.size() + TableFormat.BLOCK_TRAILER_BYTES,
        filterBytes, entries == 0 ? 0 : minSequence, maxSequence,
        smallest == null ? new byte[0] : smallest, lastKey == null ? new byte[0] : lastKey);
    byte[] p = props.encode();
    BlockHandle propsHandle = writeRaw(p, p.length, Compression.NONE);
    byte[] footer = new Footer(indexHandle, filterHandle, propsHandle).encode();
    out.append(ByteBuffer.wrap(footer));
    offset += footer.length;
    return props;
  }

  /** The file's size after {@link #finish()}. */
  long fileSize() {
    return offset;
  }
}

package io.strata.lsm.internal.table;

import io.strata.CorruptionException;
import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.ByteSource;
import java.nio.file.Path;

/**
 * The last 64 bytes of a table file: handles of the index, filter and properties blocks, the format
 * version ({@link TableFormat#FORMAT_VERSION}, or {@link
 * TableFormat#FORMAT_VERSION_PARTITIONED_INDEX} when the index handle names the root of a
 * partitioned index), a checksum of all that, and the magic number. Immutable.
 */
public record Footer(BlockHandle index, BlockHandle filter, BlockHandle properties, int version) {

  /** A footer of a table with one index block. */
  Footer(BlockHandle index, BlockHandle filter, BlockHandle properties) {
    this(index, filter, properties, TableFormat.FORMAT_VERSION);
  }

  boolean partitionedIndex() {
    return version == TableFormat.FORMAT_VERSION_PARTITIONED_INDEX;
  }

  byte[] encode() {
    ByteSink out = new ByteSink(TableFormat.FOOTER_BYTES);
    for (BlockHandle h : new BlockHandle[] {index, filter, properties}) {
      out.putLongLE(h.offset()).putLongLE(h.size());
    }
    out.putIntLE(version);
    out.putIntLE(TableFormat.checksum(out.array(), 0, out.size()));
    out.putLongLE(TableFormat.MAGIC);
    return out.toByteArray();
  }

  static Footer decode(byte[] b, Path file, long offset, long fileSize) {
    ByteSource in = new ByteSource(b, 0, b.length, file, offset, "footer");
    BlockHandle[] h = new BlockHandle[3];
    for (int i = 0; i < 3; i++) {
      h[i] = new BlockHandle(in.longLE(), in.longLE());
    }
    int version = in.intLE();
    int crc = in.intLE();
    long magic = in.longLE();
    if (magic != TableFormat.MAGIC) {
      throw new CorruptionException(file, offset + 56, "bad table magic number 0x"
          + Long.toHexString(magic) + ": not a Strata table, or truncated");
    }
    if (crc != TableFormat.checksum(b, 0, 52)) {
      throw new CorruptionException(file, offset, "footer checksum mismatch");
    }
    if (version != TableFormat.FORMAT_VERSION
        && version != TableFormat.FORMAT_VERSION_PARTITIONED_INDEX) {
      throw new CorruptionException(file, offset + 48, "unsupported table format version "
          + version);
    }
    for (BlockHandle x : h) {
      // subtract rather than add: a forged offset near Long.MAX_VALUE must not overflow past
      // the check
      if (x.offset() < 0 || x.size() < 0
          || x.size() > offset - TableFormat.BLOCK_TRAILER_BYTES - x.offset()) {
        throw new CorruptionException(file, offset, "footer names a block at " + x.offset()
            + " of " + x.size() + " bytes outside the file's " + fileSize + " bytes");
      }
    }
    return new Footer(h[0], h[1], h[2], version);
  }
}

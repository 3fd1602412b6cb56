package io.strata.lsm.internal.table;

import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.ByteSource;

/** Where a block lies in a table file: offset and size, the 5-byte trailer not included. */
public record BlockHandle(long offset, long size) {

  void encodeTo(ByteSink out) {
    out.putVarint(offset).putVarint(size);
  }

  static BlockHandle decode(ByteSource in, long fileSize) {
    long offset = in.varint64(fileSize, "block offset");
    long size = in.varint64(fileSize, "block size");
    if (offset + size + TableFormat.BLOCK_TRAILER_BYTES > fileSize) {
      throw in.corrupt("block at " + offset + " of " + size + " bytes runs past the end of the"
          + " file (" + fileSize + " bytes)");
    }
    return new BlockHandle(offset, size);
  }
}

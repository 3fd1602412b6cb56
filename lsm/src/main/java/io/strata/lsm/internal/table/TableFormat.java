package io.strata.lsm.internal.table;

import io.strata.lsm.Options;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.Limits;
import java.util.zip.CRC32C;

/** Constants and checksums of the table file format described in {@code lsm/FORMAT.md}. */
public final class TableFormat {
  private TableFormat() {}

  /** Tables with one index block. */
  public static final int FORMAT_VERSION = 1;
  /** Tables whose index is partitioned: index blocks of index blocks (see {@code FORMAT.md}). */
  public static final int FORMAT_VERSION_PARTITIONED_INDEX = 2;
  /** The most index levels a table may have (the data blocks' index being level 1). */
  static final int MAX_INDEX_LEVELS = 16;
  /** "STRATSST" read as a little-endian long. */
  static final long MAGIC = 0x5453535441525453L;

  public static final int FOOTER_BYTES = 64;
  /** After every block: 1 byte compression type, 4 bytes masked CRC32C. */
  public static final int BLOCK_TRAILER_BYTES = 5;

  static final byte TYPE_RAW = 0;
  static final byte TYPE_LZ4 = 1;

  static final int RESTART_INTERVAL = 16;

  /**
   * Largest block, stored or uncompressed, that a reader accepts and so that a writer may make:
   * one 256 MiB value plus a 64 KiB key, framed, with room to spare. The one limit both sides
   * share ({@link TableBuilder} cuts data blocks and partitions the index to stay within it, and
   * leaves out a Bloom filter that would not fit); tests configure a smaller one through
   * {@link Options.Builder#maxBlockBytes}.
   */
  public static final int MAX_BLOCK_BYTES = (256 << 20) + (1 << 20);
  /** The smallest block limit a test may configure. */
  public static final int MIN_BLOCK_LIMIT = 4 << 10;

  /** A block's restart count and first restart offset: what an empty block takes. */
  public static final int BLOCK_OVERHEAD = 8;
  /** Besides its key and value, the most one entry adds to a block: 3 varints and a restart. */
  static final int ENTRY_OVERHEAD = 3 * 5 + 4;
  /** The longest encoded block handle (two varint64s). */
  static final int MAX_HANDLE_BYTES = 20;

  /** The most an entry of these lengths adds to a block. */
  public static long entryBytes(long keyLength, long valueLength) {
    return keyLength + valueLength + ENTRY_OVERHEAD;
  }

  /**
   * The longest user key tables with this block limit take: an index block must hold at least
   * four index entries of the longest internal key, so that each index level has at most a
   * quarter of the entries of the one below and {@link #MAX_INDEX_LEVELS} always suffice.
   */
  public static int maxKeyBytes(int maxBlockBytes) {
    long fit = (maxBlockBytes - BLOCK_OVERHEAD) / 4 - ENTRY_OVERHEAD - MAX_HANDLE_BYTES
        - InternalKeys.TRAILER_BYTES;
    return (int) Math.min(Limits.MAX_KEY_BYTES, fit);
  }

  /** The longest value tables with this block limit take: it fits a block with the longest key. */
  public static int maxValueBytes(int maxBlockBytes) {
    long fit = maxBlockBytes - BLOCK_OVERHEAD
        - entryBytes(maxKeyBytes(maxBlockBytes) + InternalKeys.TRAILER_BYTES, 0);
    return (int) Math.min(Limits.MAX_VALUE_BYTES, fit);
  }

  /** Masked CRC32C over {@code data[off, off+len)} followed by the type byte. */
  static int blockChecksum(byte[] data, int off, int len, byte type) {
    CRC32C crc = new CRC32C();
    crc.update(data, off, len);
    crc.update(type);
    return mask((int) crc.getValue());
  }

  public static int checksum(byte[] data, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(data, off, len);
    return mask((int) crc.getValue());
  }

  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }
}

package io.strata.lsm;

import java.util.zip.CRC32C;

/** Constants and checksums of the table file format described in {@code lsm/FORMAT.md}. */
final class TableFormat {
  private TableFormat() {}

  static final int FORMAT_VERSION = 1;
  /** "STRATSST" read as a little-endian long. */
  static final long MAGIC = 0x5453535441525453L;

  static final int FOOTER_BYTES = 64;
  /** After every block: 1 byte compression type, 4 bytes masked CRC32C. */
  static final int BLOCK_TRAILER_BYTES = 5;

  static final byte TYPE_RAW = 0;
  static final byte TYPE_LZ4 = 1;

  static final int RESTART_INTERVAL = 16;

  /** Largest uncompressed block accepted from disk: one 256 MiB value plus a 64 KiB key, framed. */
  static final int MAX_BLOCK_BYTES = (256 << 20) + (1 << 20);

  /** Masked CRC32C over {@code data[off, off+len)} followed by the type byte. */
  static int blockChecksum(byte[] data, int off, int len, byte type) {
    CRC32C crc = new CRC32C();
    crc.update(data, off, len);
    crc.update(type);
    return mask((int) crc.getValue());
  }

  static int checksum(byte[] data, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(data, off, len);
    return mask((int) crc.getValue());
  }

  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }
}

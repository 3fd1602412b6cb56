package io.strata.wal;

import java.util.zip.CRC32C;

/** Constants and checksum of the log format described in {@code wal/FORMAT.md}. */
final class LogFormat {
  private LogFormat() {}

  static final int FORMAT_VERSION = 1;

  /** "SWAL" */
  static final int MAGIC = 0x4C415753; // little-endian bytes 'S' 'W' 'A' 'L'

  static final int FILE_HEADER_SIZE = 16;
  static final int BLOCK_SIZE = 32 * 1024;
  static final int FRAGMENT_HEADER_SIZE = 7;

  /**
   * The largest record: the largest byte array every Java virtual machine can allocate (some
   * reserve a few header words below {@code Integer.MAX_VALUE}). Writers refuse larger records,
   * and a reader reassembles any record up to this size.
   */
  static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 8;

  static final byte ZERO = 0;
  static final byte FULL = 1;
  static final byte FIRST = 2;
  static final byte MIDDLE = 3;
  static final byte LAST = 4;

  private static final int MASK_DELTA = 0xa282ead8;

  static String typeName(int type) {
    switch (type) {
      case FULL:
        return "FULL";
      case FIRST:
        return "FIRST";
      case MIDDLE:
        return "MIDDLE";
      case LAST:
        return "LAST";
      default:
        return "type " + type;
    }
  }

  /** The masked CRC32C of the type byte followed by the payload. */
  static int checksum(byte type, byte[] payload, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(type);
    crc.update(payload, offset, length);
    return mask((int) crc.getValue());
  }

  /**
   * Masks a CRC so that the CRC of data that itself contains CRCs stays well distributed (the
   * LevelDB convention): rotate right by 15 bits and add a constant.
   */
  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** The 16-byte file header for file number {@code number}. */
  static byte[] fileHeader(long number) {
    byte[] h = new byte[FILE_HEADER_SIZE];
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, MAGIC);
    b.put(4, (byte) FORMAT_VERSION);
    b.putLong(8, number);
    return h;
  }
}

package io.strata.wal;

import io.strata.CorruptionException;
import static io.strata.wal.LogFormat.BLOCK_SIZE;
import static io.strata.wal.LogFormat.FILE_HEADER_SIZE;
import static io.strata.wal.LogFormat.FRAGMENT_HEADER_SIZE;

import io.strata.fs.FileSystem;
import io.strata.fs.ReadableFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Reads the records of one log file written by {@link LogWriter}, checking every byte: the file
 * header, each fragment's checksum, type and length, the order of fragments, and the zero padding
 * at block ends.
 *
 * <p>In {@link RecoveryMode#STRICT} any damage is a {@link CorruptionException}. In {@link
 * RecoveryMode#TOLERATE_TORN_TAIL}, when this file is the last of its log, damage after which no
 * valid fragment follows is a torn tail ({@link RecoveryMode#TOLERATE_TRUNCATED_TAIL} accepts only
 * a record cut off by the end of the file, or zeros to the end, as one): {@link #next()} returns null, and {@link #validLength()}
 * and {@link #droppedBytes()} say where the good part ends. Damage followed by a valid fragment, or
 * in a file that is not the last, is always a {@link CorruptionException}.
 *
 * <p>Not thread-safe.
 */
public final class LogReader implements Closeable {

  private final ReadableFile file;
  private final Path path;
  private final long number;
  private final RecoveryMode mode;
  private final boolean lastInLog;
  private final long size;

  private final byte[] block = new byte[BLOCK_SIZE];
  private final ByteBuffer blockView = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
  private long loadedBlock = -1;

  private long pos;
  private boolean done;
  private long recordOffset = -1;
  private long validLength = -1;
  private long dropped;
  private String tailProblem;
  private boolean droppedOnlyZeros;
  private long lastNonZero = -2;

  /**
   * A record of many fragments is gathered in pieces of this size, then copied once into an array
   * of its exact length: twice its size at most, and no array ever larger than the record.
   */
  static final int PIECE = 1 << 20;

  private final int maxRecordBytes;
  /** The piece being filled: the first grows from 256 bytes up to {@link #PIECE}. */
  private byte[] piece = new byte[256];
  private int inPiece;
  /** Full pieces of the record being assembled, before {@code piece}. */
  private final List<byte[]> fullPieces = new ArrayList<>();
  private long assembled;

  private LogReader(ReadableFile file, Path path, long number, RecoveryMode mode,
      boolean lastInLog, long size, int maxRecordBytes) {
    this.file = file;
    this.path = path;
    this.number = number;
    this.mode = mode;
    this.lastInLog = lastInLog;
    this.size = size;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * Opens {@code file}, which must carry file number {@code number} in its header.
   *
   * @param lastInLog whether no later file of the same log follows (only then can a torn tail be
   *     tolerated)
   */
  public static LogReader open(
      FileSystem fs, Path file, long number, RecoveryMode mode, boolean lastInLog)
      throws IOException {
    return open(fs, file, number, mode, lastInLog, LogFormat.MAX_RECORD_BYTES);
  }

  /** As the public {@code open}, refusing records over {@code maxRecordBytes} (for tests). */
  static LogReader open(FileSystem fs, Path file, long number, RecoveryMode mode,
      boolean lastInLog, int maxRecordBytes) throws IOException {
    Objects.requireNonNull(mode, "mode");
    ReadableFile f = fs.openForRead(file);
    try {
      LogReader r = new LogReader(f, file, number, mode, lastInLog, f.size(), maxRecordBytes);
      r.readHeader();
      return r;
    } catch (Throwable e) {
      f.close();
      throw e;
    }
  }

  /** Files larger than this are read in place by {@link #openSnapshot}, not copied. */
  static final long MAX_SNAPSHOT_BYTES = 1L << 28;

  /**
   * As {@link #open}, but over a copy of the file's bytes read once, front to back, at the open:
   * for a reader of a log that a writer in another process may be appending to right now (a
   * read-only open). Every check then sees the same bytes; reading the file in place, the checks
   * that look past a torn tail (are the bytes after it all zeros? does a valid fragment follow?)
   * would see records the writer appended after the tail was read, and call a live tail damage.
   * Files over {@value #MAX_SNAPSHOT_BYTES} bytes are read in place.
   */
  public static LogReader openSnapshot(
      FileSystem fs, Path file, long number, RecoveryMode mode, boolean lastInLog)
      throws IOException {
    Objects.requireNonNull(mode, "mode");
    byte[] bytes;
    try (ReadableFile f = fs.openForRead(file)) {
      long size = f.size();
      if (size > MAX_SNAPSHOT_BYTES) {
        return open(fs, file, number, mode, lastInLog);
      }
      bytes = new byte[(int) size];
      f.readFully(0, ByteBuffer.wrap(bytes));
    }
    ReadableFile copy = new ReadableFile() {
      @Override
      public void readFully(long position, ByteBuffer dst) throws IOException {
        if (position < 0 || position + dst.remaining() > bytes.length) {
          throw new java.io.EOFException("read of " + dst.remaining() + " bytes at " + position
              + " past the end of a " + bytes.length + "-byte copy of " + file);
        }
        dst.put(bytes, (int) position, dst.remaining());
      }

      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public void close() {}
    };
    LogReader r = new LogReader(copy, file, number, mode, lastInLog, bytes.length,
        LogFormat.MAX_RECORD_BYTES);
    r.readHeader();
    return r;
  }

  private void readHeader() throws IOException {
    byte[] expected = LogFormat.fileHeader(number);
    int have = (int) Math.min(size, FILE_HEADER_SIZE);
    byte[] actual = new byte[have];
    file.readFully(0, ByteBuffer.wrap(actual));
    if (have == FILE_HEADER_SIZE && Arrays.equals(actual, expected)) {
      pos = FILE_HEADER_SIZE;
      return;
    }
    // A file cut short while it was being created holds a prefix of its header, or only zeros
    // (a memory-mapped log is extended with zeros before its header is written).
    boolean tornCreation =
        (have < FILE_HEADER_SIZE && Arrays.equals(actual, Arrays.copyOf(expected, have)))
            || (allZero(actual) && zeroToEnd(0));
    String problem = headerProblem(actual, expected);
    if (tornCreation && mode != RecoveryMode.STRICT && lastInLog) {
      done = true;
      validLength = 0;
      dropped = size;
      tailProblem = problem;
      return;
    }
    throw new CorruptionException(path, firstDifference(actual, expected), problem);
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static int firstDifference(byte[] actual, byte[] expected) {
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] != expected[i]) {
        return i;
      }
    }
    return actual.length;
  }

  private String headerProblem(byte[] actual, byte[] expected) {
    if (actual.length < FILE_HEADER_SIZE) {
      return "file of " + actual.length + " bytes is shorter than the " + FILE_HEADER_SIZE
          + "-byte log header";
    }
    ByteBuffer b = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != LogFormat.MAGIC) {
      return "bad magic 0x" + Integer.toHexString(b.getInt(0)) + ", not a Strata log file";
    }
    if (actual[4] != LogFormat.FORMAT_VERSION) {
      return "unsupported log format version " + (actual[4] & 0xFF) + ", expected "
          + LogFormat.FORMAT_VERSION;
    }
    if (actual[5] != 0 || actual[6] != 0 || actual[7] != 0) {
      return "reserved header bytes 5..7 are not zero";
    }
    return "header names file number " + b.getLong(8) + " but this is file " + number;
  }

  /**
   * The next complete record, or null at the end of the file (or before a tolerated torn tail).
   *
   * @throws CorruptionException on damage that the mode does not tolerate
   */
  public byte[] next() throws IOException {
    if (done) {
      return null;
    }
    boolean inRecord = false;
    long recordStart = -1;
    resetAssembly();
    while (true) {
      if (pos >= size) {
        if (inRecord) {
          return damage(recordStart, pos, pos, "record starting at " + recordStart
              + " has no LAST fragment before the end of the file", true);
        }
        done = true;
        validLength = size;
        return null;
      }
      long blockBase = pos - pos % BLOCK_SIZE;
      int inBlock = (int) (pos - blockBase);
      loadBlock(blockBase);
      int blockLen = (int) Math.min(BLOCK_SIZE, size - blockBase);
      long cut = inRecord ? recordStart : pos;
      if (BLOCK_SIZE - inBlock < FRAGMENT_HEADER_SIZE) {
        for (int i = inBlock; i < blockLen; i++) {
          if (block[i] != 0) {
            return damage(cut, blockBase + i, blockBase + blockLen,
                "non-zero byte in the padding at the end of a block", false);
          }
        }
        pos = blockBase + BLOCK_SIZE;
        continue;
      }
      if (blockLen - inBlock < FRAGMENT_HEADER_SIZE) {
        return damage(cut, pos, size, "fragment header cut off by the end of the file ("
            + (blockLen - inBlock) + " of " + FRAGMENT_HEADER_SIZE + " bytes)", true);
      }
      int crc = blockView.getInt(inBlock);
      int length = Short.toUnsignedInt(blockView.getShort(inBlock + 4));
      byte type = block[inBlock + 6];
      if (type == LogFormat.ZERO && length == 0 && crc == 0) {
        return damage(cut, pos, pos + FRAGMENT_HEADER_SIZE,
            "zero bytes where a fragment header belongs", zeroToEnd(pos));
      }
      if (type < LogFormat.FULL || type > LogFormat.LAST) {
        long end = blockBase + Math.min(blockLen, inBlock + FRAGMENT_HEADER_SIZE + length);
        return damage(cut, pos, end, "unknown fragment type " + (type & 0xFF), tornCopy(end));
      }
      if (inBlock + FRAGMENT_HEADER_SIZE + length > BLOCK_SIZE) {
        return damage(cut, pos, pos + FRAGMENT_HEADER_SIZE,
            "fragment length " + length + " overruns its 32 KiB block", false);
      }
      if (inBlock + FRAGMENT_HEADER_SIZE + length > blockLen) {
        return damage(cut, pos, size,
            "fragment of " + length + " bytes cut off by the end of the file", true);
      }
      int payload = inBlock + FRAGMENT_HEADER_SIZE;
      if (LogFormat.checksum(type, block, payload, length) != crc) {
        long end = pos + FRAGMENT_HEADER_SIZE + length;
        return damage(cut, pos, end, "checksum mismatch in " + LogFormat.typeName(type)
            + " fragment of " + length + " bytes", tornCopy(end));
      }
      // A valid fragment: a fragment out of order here means damage before it, never a torn tail.
      if (type == LogFormat.FULL || type == LogFormat.FIRST) {
        if (inRecord) {
          throw new CorruptionException(path, pos, LogFormat.typeName(type)
              + " fragment inside the record that started at " + recordStart
              + ": that record lost its LAST fragment");
        }
        if (type == LogFormat.FULL) {
          recordOffset = pos;
          pos += FRAGMENT_HEADER_SIZE + length;
          return Arrays.copyOfRange(block, payload, payload + length);
        }
        inRecord = true;
        recordStart = pos;
      } else if (!inRecord) {
        throw new CorruptionException(path, pos, LogFormat.typeName(type)
            + " fragment without the FIRST fragment of its record");
      }
      collect(block, payload, length, recordStart);
      pos += FRAGMENT_HEADER_SIZE + length;
      if (type == LogFormat.LAST) {
        recordOffset = recordStart;
        return assembledRecord();
      }
    }
  }

  private void resetAssembly() {
    if (!fullPieces.isEmpty()) {
      piece = fullPieces.get(0); // keep one piece for the next record; let the rest go
      fullPieces.clear();
    }
    inPiece = 0;
    assembled = 0;
  }

  private void collect(byte[] src, int offset, int length, long recordStart) {
    if (assembled + length > maxRecordBytes) {
      // no writer makes such a record: this is damage, never a torn tail
      throw new CorruptionException(path, recordStart, "record starting here exceeds "
          + maxRecordBytes + " bytes, the most a log writer accepts");
    }
    while (length > 0) {
      if (inPiece == piece.length) {
        if (fullPieces.isEmpty() && piece.length < PIECE) {
          piece = Arrays.copyOf(piece, Math.min(PIECE, 2 * piece.length));
        } else {
          fullPieces.add(piece);
          piece = new byte[PIECE];
          inPiece = 0;
        }
      }
      int n = Math.min(length, piece.length - inPiece);
      System.arraycopy(src, offset, piece, inPiece, n);
      inPiece += n;
      offset += n;
      length -= n;
      assembled += n;
    }
  }

  /** The record gathered so far, as one array of its exact length. */
  private byte[] assembledRecord() {
    byte[] out = new byte[(int) assembled];
    int at = 0;
    for (byte[] p : fullPieces) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    System.arraycopy(piece, 0, out, at, inPiece);
    resetAssembly();
    return out;
  }

  private void loadBlock(long blockBase) throws IOException {
    if (loadedBlock != blockBase) {
      int len = (int) Math.min(BLOCK_SIZE, size - blockBase);
      file.readFully(blockBase, ByteBuffer.wrap(block, 0, len));
      loadedBlock = blockBase;
    }
  }

  /**
   * Damage found at {@code at} in a fragment (or padding) that should span up to {@code end}; the
   * good part of the file ends at {@code cut}. Throws, or ends the file when the damage is a
   * tolerable torn tail.
   *
   * <p>In the last file, damage touching bytes that were never written (zeros to the end of their
   * 4 KiB page) is the end of what reached the disk even when valid fragments follow: the
   * operating system writes unsynced pages back in any order, and a sync writes every page up to
   * the synced point, so nothing at or after a never-written page was synced.
   */
  private byte[] damage(long cut, long at, long end, String problem, boolean truncation)
      throws IOException {
    if (mode == RecoveryMode.STRICT) {
      throw new CorruptionException(path, at, problem);
    }
    if (!lastInLog) {
      throw new CorruptionException(path, at, problem + " (not a torn tail: later log files follow)");
    }
    long unwritten = unwrittenPage(at, Math.max(end, at + FRAGMENT_HEADER_SIZE));
    if (unwritten < 0) {
      if (mode == RecoveryMode.TOLERATE_TRUNCATED_TAIL && !truncation) {
        throw new CorruptionException(path, at, problem
            + " (a complete record is damaged: an interrupted write cannot cause this)");
      }
      long valid = validFragmentAfter(at);
      if (valid >= 0) {
        throw new CorruptionException(path, at, problem
            + " (not a torn tail: a valid fragment follows at offset " + valid + ")");
      }
    } else {
      problem += " (never written from offset " + unwritten + " to the end of its page)";
    }
    done = true;
    validLength = cut;
    dropped = size - cut;
    tailProblem = problem + " at offset " + at;
    droppedOnlyZeros = zeroToEnd(cut);
    return null;
  }

  /** The page size the write-back order of the operating system works in, at least. */
  static final int PAGE = 4096;

  /**
   * Where the first stretch of never-written bytes within {@code [from, to)} starts, or -1: zeros
   * from there to the end of their 4 KiB page (or of the file). A page written back before the
   * crash holds its bytes; one never written holds zeros; the page holding the last synced byte
   * was written as it stood then, zeros after that byte.
   */
  private long unwrittenPage(long from, long to) throws IOException {
    for (long page = from - from % PAGE; page < Math.min(to, size); page += PAGE) {
      long pageEnd = Math.min(page + PAGE, size);
      long start = Math.max(page, from);
      boolean zero = true;
      for (long b = start; b < pageEnd && zero; ) {
        long blockBase = b - b % BLOCK_SIZE;
        loadBlock(blockBase);
        int i = (int) (b - blockBase);
        int stop = (int) Math.min(pageEnd - blockBase, BLOCK_SIZE);
        for (; i < stop; i++) {
          if (block[i] != 0) {
            zero = false;
            break;
          }
        }
        b = blockBase + stop;
      }
      if (zero) {
        return start;
      }
    }
    return -1;
  }

  /** Whether every byte from {@code from} to the end of the file is zero. */
  private boolean zeroToEnd(long from) throws IOException {
    return lastNonZero() < from;
  }

  /** Offset of the last non-zero byte of the file, or -1; computed once. */
  private long lastNonZero() throws IOException {
    if (lastNonZero == -2) {
      lastNonZero = -1;
      for (long b = (size - 1) - (size - 1) % BLOCK_SIZE; b >= 0 && size > 0; b -= BLOCK_SIZE) {
        loadBlock(b);
        int len = (int) Math.min(BLOCK_SIZE, size - b);
        for (int i = len - 1; i >= 0; i--) {
          if (block[i] != 0) {
            lastNonZero = b + i;
            return lastNonZero;
          }
        }
      }
    }
    return lastNonZero;
  }

  /**
   * Whether a damaged fragment at {@code pos} that should end at {@code declaredEnd} is what a
   * crash in the middle of copying it into a memory-mapped log leaves: its bytes up to some point,
   * then zeros through the end of the file (the fragment's own last byte included).
   */
  private boolean tornCopy(long declaredEnd) throws IOException {
    return lastNonZero() < declaredEnd - 1;
  }

  /** Offset of the first fragment after {@code at} whose checksum is valid, or -1. */
  private long validFragmentAfter(long at) throws IOException {
    long blockBase = at - at % BLOCK_SIZE;
    long found = walkBlock(blockBase, at);
    for (long b = blockBase + BLOCK_SIZE; found < 0 && b < size; b += BLOCK_SIZE) {
      found = walkBlock(b, b - 1);
    }
    return found;
  }

  /**
   * Follows the fragment lengths through one block, from its first fragment, returning the first
   * valid fragment strictly after {@code after}, or -1 once the chain breaks.
   */
  private long walkBlock(long blockBase, long after) throws IOException {
    loadBlock(blockBase);
    int blockLen = (int) Math.min(BLOCK_SIZE, size - blockBase);
    int p = blockBase == 0 ? FILE_HEADER_SIZE : 0;
    // restart the chain at the damage itself when it lies in this block
    if (after >= blockBase + p) {
      p = (int) (after - blockBase);
    }
    while (p + FRAGMENT_HEADER_SIZE <= blockLen) {
      int crc = blockView.getInt(p);
      int length = Short.toUnsignedInt(blockView.getShort(p + 4));
      byte type = block[p + 6];
      if (type < LogFormat.FULL || type > LogFormat.LAST
          || p + FRAGMENT_HEADER_SIZE + length > blockLen) {
        return -1;
      }
      if (blockBase + p > after
          && LogFormat.checksum(type, block, p + FRAGMENT_HEADER_SIZE, length) == crc) {
        return blockBase + p;
      }
      p += FRAGMENT_HEADER_SIZE + length;
    }
    return -1;
  }

  /** Offset of the first fragment of the record last returned by {@link #next()}. */
  public long recordOffset() {
    return recordOffset;
  }

  /**
   * Once {@link #next()} has returned null: the length of the good part of the file (where a torn
   * tail starts, or the whole file).
   */
  public long validLength() {
    return validLength;
  }

  /** Once {@link #next()} has returned null: bytes of torn tail dropped (0 for a clean end). */
  public long droppedBytes() {
    return dropped;
  }

  /**
   * Whether every dropped byte was zero: the unused end of a preallocated or memory-mapped log
   * after a crash, which held no record.
   */
  public boolean droppedOnlyZeros() {
    return droppedOnlyZeros;
  }

  /** The check a dropped torn tail failed, or null. */
  public String tailProblem() {
    return tailProblem;
  }

  /** The file being read. */
  public Path path() {
    return path;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}

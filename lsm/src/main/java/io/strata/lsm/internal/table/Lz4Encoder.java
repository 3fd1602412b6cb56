package io.strata.lsm.internal.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Compresses into the raw LZ4 block format (no frame), which {@link Lz4Decoder} and lz4-java's
 * decompressors read: the greedy single-probe search of LZ4's fast compressor (one hash table of
 * 4-byte sequences, the search step growing over data without matches), with an output limit.
 *
 * <p>Invariants of every block it writes: the last 5 bytes are literals and no match starts within
 * the last 12 bytes (LZ4's end-of-block rules); a match is at least 4 bytes long, its offset is 1 to
 * 65,535 and points inside the input of this call.
 *
 * <p>The output limit: {@link #compress} returns -1 exactly when the block it would write is
 * longer than {@code maxOutput}, and stops as soon as that is certain, so an incompressible input
 * is not compressed to the end. To know it early, a match extends backwards (over bytes already
 * passed as literals) by at most {@value #MAX_CATCH_UP} bytes: the literals pending more than that
 * behind the search position are certain to be written.
 *
 * <p>Not thread-safe: one instance per writer. Its hash table (16 KiB) is allocated once; an entry
 * is the position plus a base that grows by the input length with every call, so entries of
 * earlier calls are below the base and never taken as matches, and the table is cleared only when
 * the base would overflow. The output depends only on the input, never on earlier calls.
 */
public final class Lz4Encoder {
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int MIN_MATCH = 4;
  /** The last bytes of a block that are always literals. */
  private static final int LAST_LITERALS = 5;
  /** No match starts within this many bytes of the end of the input. */
  private static final int MF_LIMIT = 12;
  private static final int MAX_DISTANCE = 65_535;
  private static final int HASH_LOG = 12;
  /** Misses before the search step grows by one: 2^6. */
  private static final int SKIP_TRIGGER = 6;
  /** The furthest a match extends backwards from where the search found it. */
  static final int MAX_CATCH_UP = 64;

  private final int[] table = new int[1 << HASH_LOG];
  /** Added to every position stored in the table by the current call; entries below it are old. */
  private int base = 1;

  /** The longest block {@link #compress} writes for an input of {@code length} bytes. */
  public static int maxCompressedLength(int length) {
    if (length < 0) {
      throw new IllegalArgumentException("length " + length + " is negative");
    }
    return length + length / 255 + 16;
  }

  private static int hash(int sequence) {
    return (sequence * -1640531535) >>> (32 - HASH_LOG);
  }

  /** Bytes of the extra length field for a length code {@code n} in a token nibble. */
  private static int extraBytes(int n) {
    return n < 15 ? 0 : 1 + (n - 15) / 255;
  }

  private static int writeLength(byte[] dst, int op, int n) {
    n -= 15;
    while (n >= 255) {
      dst[op++] = (byte) 255;
      n -= 255;
    }
    dst[op++] = (byte) n;
    return op;
  }

  /**
   * Compresses {@code src[srcOffset, srcOffset+srcLength)} into {@code dst} from {@code dstOffset},
   * writing at most {@code maxOutput} bytes (and no more than {@code dst} holds past {@code
   * dstOffset}).
   *
   * @return the length of the compressed block, or -1 when it would be longer than {@code
   *     maxOutput} (or than the room in {@code dst}); then {@code dst} from {@code dstOffset} holds
   *     garbage
   * @throws IndexOutOfBoundsException when a range lies outside its array
   * @throws IllegalArgumentException when {@code maxOutput} is negative
   */
  public int compress(byte[] src, int srcOffset, int srcLength, byte[] dst, int dstOffset,
      int maxOutput) {
    Objects.checkFromIndexSize(srcOffset, srcLength, src.length);
    Objects.checkIndex(dstOffset, dst.length + 1);
    if (maxOutput < 0) {
      throw new IllegalArgumentException("maxOutput " + maxOutput + " is negative");
    }
    final int dstLimit = dstOffset + Math.min(maxOutput, dst.length - dstOffset);
    if (base > Integer.MAX_VALUE - srcLength) {
      Arrays.fill(table, 0);
      base = 1;
    }
    // a table entry is position + off, so entries of this call are >= base
    final int off = base - srcOffset;
    final int floor = base;
    base += srcLength;
    final int[] table = this.table;

    final int srcEnd = srcOffset + srcLength;
    int anchor = srcOffset;
    int op = dstOffset;
    if (srcLength > MF_LIMIT) {
      final int matchLimit = srcEnd - LAST_LITERALS; // a match ends at or before it
      final int startLimit = srcEnd - MF_LIMIT; // a match starts at or before it
      int ip = srcOffset;
      table[hash((int) INT.get(src, ip))] = ip + off;
      ip++;
      // past it the pending literals are certain not to fit
      int giveUpAt = giveUpAt(anchor, op, dstLimit);
      search:
      while (true) {
        int step = 1;
        int misses = 1 << SKIP_TRIGGER;
        int ref;
        int h = hash((int) INT.get(src, ip));
        while (true) {
          if (ip > startLimit) {
            break search;
          }
          if (ip > giveUpAt) {
            return -1;
          }
          int stored = table[h];
          table[h] = ip + off;
          ref = stored - off;
          int next = ip + step;
          step = misses++ >>> SKIP_TRIGGER;
          if (stored >= floor && ip - ref <= MAX_DISTANCE
              && (int) INT.get(src, ref) == (int) INT.get(src, ip)) {
            break;
          }
          ip = next;
          if (ip <= startLimit) {
            h = hash((int) INT.get(src, ip));
          }
        }
        // extend backwards over pending literals, at most MAX_CATCH_UP bytes
        int catchUpLimit = Math.max(anchor, ip - MAX_CATCH_UP);
        while (ip > catchUpLimit && ref > srcOffset && src[ip - 1] == src[ref - 1]) {
          ip--;
          ref--;
        }
        int literals = ip - anchor;
        // one sequence per iteration: literals (maybe none), then the match at ip
        while (true) {
          int length = matchLength(src, ip + MIN_MATCH, ref + MIN_MATCH, matchLimit);
          int code = length - MIN_MATCH;
          int size = 1 + extraBytes(literals) + literals + 2 + extraBytes(code);
          if (size > dstLimit - op) {
            return -1;
          }
          int token = op++;
          if (literals >= 15) {
            op = writeLength(dst, op, literals);
          }
          System.arraycopy(src, anchor, dst, op, literals);
          op += literals;
          int offset = ip - ref;
          dst[op] = (byte) offset;
          dst[op + 1] = (byte) (offset >>> 8);
          op += 2;
          if (code >= 15) {
            op = writeLength(dst, op, code);
          }
          dst[token] = (byte) (Math.min(literals, 15) << 4 | Math.min(code, 15));
          ip += length;
          anchor = ip;
          if (ip > startLimit) {
            break search;
          }
          table[hash((int) INT.get(src, ip - 2))] = ip - 2 + off;
          // a match right here continues with no literals
          int hh = hash((int) INT.get(src, ip));
          int stored = table[hh];
          table[hh] = ip + off;
          ref = stored - off;
          if (stored >= floor && ip - ref <= MAX_DISTANCE
              && (int) INT.get(src, ref) == (int) INT.get(src, ip)) {
            literals = 0;
            continue;
          }
          break;
        }
        ip++;
        giveUpAt = giveUpAt(anchor, op, dstLimit);
      }
    }
    int literals = srcEnd - anchor;
    if (1 + extraBytes(literals) + literals > dstLimit - op) {
      return -1;
    }
    int token = op++;
    if (literals >= 15) {
      op = writeLength(dst, op, literals);
    }
    System.arraycopy(src, anchor, dst, op, literals);
    op += literals;
    dst[token] = (byte) (Math.min(literals, 15) << 4);
    return op - dstOffset;
  }

  /**
   * The search position past which the block cannot fit: every sequence still to come starts
   * with the literals from {@code anchor} to at least {@value #MAX_CATCH_UP} bytes before the
   * position where its match is found, after a token.
   */
  private static int giveUpAt(int anchor, int op, int dstLimit) {
    long at = (long) anchor + MAX_CATCH_UP + (dstLimit - op - 1);
    return (int) Math.min(at, Integer.MAX_VALUE);
  }

  /** The length of the match of {@code src[p..]} with {@code src[q..]}, q < p, up to {@code limit}. */
  private static int matchLength(byte[] src, int p, int q, int limit) {
    int start = p - MIN_MATCH;
    while (p <= limit - 8) {
      long diff = (long) LONG.get(src, p) ^ (long) LONG.get(src, q);
      if (diff != 0) {
        return p + (Long.numberOfTrailingZeros(diff) >>> 3) - start;
      }
      p += 8;
      q += 8;
    }
    while (p < limit && src[p] == src[q]) {
      p++;
      q++;
    }
    return p - start;
  }
}

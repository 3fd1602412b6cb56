package io.strata.lsm.internal.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decompresses LZ4 blocks (the raw block format {@link Lz4Encoder} and lz4-java's compressors
 * write). Every read and
 * write is bounds-checked, so malformed input gives an {@link IllegalArgumentException}, never an
 * index exception or a write outside the destination; match copies of 8 bytes or more at a
 * distance of 8 or more move 8 bytes at a time. Stateless and thread-safe.
 *
 * <p>Measured against lz4-java's pure-Java safe decompressor on 4 KiB table blocks, see {@code
 * Lz4DecoderBenchmark}; this one is used because it is faster on them.
 */
public final class Lz4Decoder {
  private Lz4Decoder() {}

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static IllegalArgumentException malformed(String what, int at) {
    return new IllegalArgumentException("malformed LZ4 data: " + what + " at input offset " + at);
  }

  /**
   * Decompresses {@code src[srcOffset, srcOffset+srcLength)} into exactly {@code dstLength}
   * bytes at {@code dst[dstOffset]}.
   *
   * @throws IllegalArgumentException when the input is malformed or does not decompress to
   *     exactly {@code dstLength} bytes
   */
  public static void decompress(byte[] src, int srcOffset, int srcLength, byte[] dst, int dstOffset,
      int dstLength) {
    int sp = srcOffset;
    final int srcEnd = srcOffset + srcLength;
    int dp = dstOffset;
    final int dstEnd = dstOffset + dstLength;
    while (true) {
      if (sp >= srcEnd) {
        throw malformed("input ends before a token", sp);
      }
      int token = src[sp++] & 0xFF;
      int literals = token >>> 4;
      if (literals == 15) {
        int b;
        do {
          if (sp >= srcEnd) {
            throw malformed("literal length runs past the input", sp);
          }
          b = src[sp++] & 0xFF;
          literals += b;
        } while (b == 255 && literals <= dstLength);
      }
      if (literals > srcEnd - sp || literals > dstEnd - dp) {
        throw malformed(literals + " literals overrun the input or the output", sp);
      }
      System.arraycopy(src, sp, dst, dp, literals);
      sp += literals;
      dp += literals;
      if (sp == srcEnd) {
        if (dp != dstEnd) {
          throw malformed("output is " + (dp - dstOffset) + " bytes, expected " + dstLength, sp);
        }
        return;
      }
      if (srcEnd - sp < 2) {
        throw malformed("match offset cut off", sp);
      }
      int offset = (src[sp] & 0xFF) | (src[sp + 1] & 0xFF) << 8;
      sp += 2;
      if (offset == 0 || offset > dp - dstOffset) {
        throw malformed("match offset " + offset + " points before the output", sp - 2);
      }
      int length = token & 15;
      if (length == 15) {
        int b;
        do {
          if (sp >= srcEnd) {
            throw malformed("match length runs past the input", sp);
          }
          b = src[sp++] & 0xFF;
          length += b;
        } while (b == 255 && length <= dstLength);
      }
      length += 4;
      if (length > dstEnd - dp) {
        throw malformed("match of " + length + " bytes overruns the output", sp);
      }
      int from = dp - offset;
      int end = dp + length;
      if (offset >= length && length >= 32) {
        // source and destination do not overlap: one copy (vectorized by the JVM)
        System.arraycopy(dst, from, dst, dp, length);
        dp = end;
      } else if (offset >= 8 && end + 8 <= dstEnd) {
        // may write up to 7 bytes past the match, which are still inside the output and are
        // written again by what follows
        do {
          LONG.set(dst, dp, (long) LONG.get(dst, from));
          dp += 8;
          from += 8;
        } while (dp < end);
        dp = end;
      } else {
        while (dp < end) {
          dst[dp++] = dst[from++];
        }
      }
    }
  }
}

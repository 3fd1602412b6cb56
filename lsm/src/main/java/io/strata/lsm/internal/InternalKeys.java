package io.strata.lsm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Internal keys: the user key followed by an 8-byte big-endian trailer {@code (sequence << 8) |
 * kind}. They order by user key (unsigned bytes, ascending), then by trailer descending, so the
 * newest version of a key comes first. Stateless.
 */
public final class InternalKeys {
  private InternalKeys() {}

  public static final int TRAILER_BYTES = 8;

  public static final byte KIND_DELETE = 0;
  public static final byte KIND_PUT = 1;
  /** Sorts before every real kind of the same sequence: used to build seek targets. */
  public static final byte KIND_SEEK = (byte) 0xFF;

  /** Largest sequence number: 56 bits. */
  public static final long MAX_SEQUENCE = (1L << 56) - 1;

  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  public static final Comparator<byte[]> COMPARATOR = InternalKeys::compare;

  public static byte[] encode(byte[] userKey, long sequence, byte kind) {
    return encode(userKey, 0, userKey.length, sequence, kind);
  }

  public static byte[] encode(byte[] buf, int offset, int length, long sequence, byte kind) {
    byte[] k = new byte[length + TRAILER_BYTES];
    System.arraycopy(buf, offset, k, 0, length);
    LONG_BE.set(k, length, (sequence << 8) | (kind & 0xFF));
    return k;
  }

  /** The first internal key of {@code userKey} visible at {@code sequence}, as a seek target. */
  public static byte[] seekKey(byte[] userKey, long sequence) {
    return encode(userKey, sequence, KIND_SEEK);
  }

  public static long trailer(byte[] ikey, int length) {
    return (long) LONG_BE.get(ikey, length - TRAILER_BYTES);
  }

  public static long trailer(byte[] ikey) {
    return trailer(ikey, ikey.length);
  }

  public static long sequence(byte[] ikey) {
    return trailer(ikey) >>> 8;
  }

  public static byte kind(byte[] ikey) {
    return (byte) trailer(ikey);
  }

  public static byte[] userKey(byte[] ikey) {
    return Arrays.copyOf(ikey, ikey.length - TRAILER_BYTES);
  }

  public static int compare(byte[] a, byte[] b) {
    return compare(a, a.length, b, b.length);
  }

  /** Compares internal keys held in the first {@code aLength} / {@code bLength} bytes. */
  public static int compare(byte[] a, int aLength, byte[] b, int bLength) {
    int c =
        Arrays.compareUnsigned(a, 0, aLength - TRAILER_BYTES, b, 0, bLength - TRAILER_BYTES);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(trailer(b, bLength), trailer(a, aLength));
  }

  /** Compares the internal key at {@code a[aOffset, aOffset+aLength)} with {@code b}. */
  public static int compare(byte[] a, int aOffset, int aLength, byte[] b) {
    int c = Arrays.compareUnsigned(a, aOffset, aOffset + aLength - TRAILER_BYTES,
        b, 0, b.length - TRAILER_BYTES);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(trailer(b, b.length),
        (long) LONG_BE.get(a, aOffset + aLength - TRAILER_BYTES));
  }

  /** Compares the internal keys at {@code a[aOffset, +aLength)} and {@code b[bOffset, +bLength)}. */
  public static int compare(byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength) {
    int c = Arrays.compareUnsigned(a, aOffset, aOffset + aLength - TRAILER_BYTES,
        b, bOffset, bOffset + bLength - TRAILER_BYTES);
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned((long) LONG_BE.get(b, bOffset + bLength - TRAILER_BYTES),
        (long) LONG_BE.get(a, aOffset + aLength - TRAILER_BYTES));
  }

  /** Compares the user-key part of an internal key with a user key. */
  public static int compareUserKey(byte[] ikey, byte[] userKey) {
    return Arrays.compareUnsigned(ikey, 0, ikey.length - TRAILER_BYTES, userKey, 0, userKey.length);
  }

  /** Compares the user-key parts of two internal keys. */
  public static int compareUserKeys(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, 0, a.length - TRAILER_BYTES, b, 0, b.length - TRAILER_BYTES);
  }

  /** Whether two internal keys carry the same user key. */
  public static boolean sameUserKey(byte[] a, byte[] b) {
    return Arrays.equals(a, 0, a.length - TRAILER_BYTES, b, 0, b.length - TRAILER_BYTES);
  }

  public static String describe(byte[] ikey) {
    if (ikey == null) {
      return "null";
    }
    if (ikey.length < TRAILER_BYTES) {
      return "malformed(" + ikey.length + " bytes)";
    }
    return Bytes.toDisplay(userKey(ikey)) + "@" + sequence(ikey) + (kind(ikey) == KIND_PUT ? "" : "(del)");
  }
}

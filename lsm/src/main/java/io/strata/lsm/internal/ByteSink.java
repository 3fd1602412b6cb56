package io.strata.lsm.internal;

import java.util.Arrays;

/** A growable byte buffer for encoding. Not thread-safe. */
public final class ByteSink {
  private byte[] buf;
  private int size;

  public ByteSink(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      long want = Math.max((long) size + more, 2L * buf.length);
      if (want > Integer.MAX_VALUE - 8) {
        if ((long) size + more > Integer.MAX_VALUE - 8) {
          throw new IllegalArgumentException("encoded data exceeds 2 GiB");
        }
        want = Integer.MAX_VALUE - 8;
      }
      buf = Arrays.copyOf(buf, (int) want);
    }
  }

  /**
   * Appends {@code n} bytes the caller fills in later (with {@link #array()}), not zeroed: the
   * room for a header written once the rest is known.
   */
  public ByteSink advance(int n) {
    ensure(n);
    size += n;
    return this;
  }

  public ByteSink put(byte b) {
    ensure(1);
    buf[size++] = b;
    return this;
  }

  public ByteSink put(byte[] b) {
    return put(b, 0, b.length);
  }

  public ByteSink put(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
    return this;
  }

  public ByteSink putVarint(long v) {
    ensure(10);
    size = Bytes.putVarint(buf, size, v);
    return this;
  }

  public ByteSink putIntLE(int v) {
    ensure(4);
    buf[size++] = (byte) v;
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 24);
    return this;
  }

  public ByteSink putLongLE(long v) {
    putIntLE((int) v);
    return putIntLE((int) (v >>> 32));
  }

  /** Length-prefixed (varint) bytes. */
  public ByteSink putBytes(byte[] b) {
    putVarint(b.length);
    return put(b);
  }

  public int size() {
    return size;
  }

  public byte[] array() {
    return buf;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  public void reset() {
    size = 0;
  }
}

package io.strata.lsm;

import java.util.Arrays;

/** A growable byte buffer for encoding. Not thread-safe. */
final class ByteSink {
  private byte[] buf;
  private int size;

  ByteSink(int capacity) {
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

  /** Appends {@code n} zero bytes. */
  ByteSink skip(int n) {
    ensure(n);
    java.util.Arrays.fill(buf, size, size + n, (byte) 0);
    size += n;
    return this;
  }

  ByteSink put(byte b) {
    ensure(1);
    buf[size++] = b;
    return this;
  }

  ByteSink put(byte[] b) {
    return put(b, 0, b.length);
  }

  ByteSink put(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
    return this;
  }

  ByteSink putVarint(long v) {
    ensure(10);
    size = Bytes.putVarint(buf, size, v);
    return this;
  }

  ByteSink putIntLE(int v) {
    ensure(4);
    buf[size++] = (byte) v;
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 24);
    return this;
  }

  ByteSink putLongLE(long v) {
    putIntLE((int) v);
    return putIntLE((int) (v >>> 32));
  }

  /** Length-prefixed (varint) bytes. */
  ByteSink putBytes(byte[] b) {
    putVarint(b.length);
    return put(b);
  }

  int size() {
    return size;
  }

  byte[] array() {
    return buf;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  void reset() {
    size = 0;
  }
}

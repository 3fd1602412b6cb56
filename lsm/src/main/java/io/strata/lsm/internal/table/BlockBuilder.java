package io.strata.lsm.internal.table;

import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.Bytes;
import java.util.Arrays;

/**
 * Builds one block: entries with keys prefix-compressed against the previous key, a full key every
 * {@code restartInterval} entries (a restart point), then the restart offsets and their count.
 * Keys must be added in increasing order. Not thread-safe.
 */
public final class BlockBuilder {
  private final int restartInterval;
  private final ByteSink buffer;
  private int[] restarts = new int[16];
  private int restartCount;
  private int counter;
  /** The last key added, in {@code lastKey[0, lastKeyLength)}. */
  private byte[] lastKey = new byte[64];
  private int lastKeyLength;
  private int entries;

  BlockBuilder(int restartInterval, int expectedBytes) {
    this.restartInterval = restartInterval;
    this.buffer = new ByteSink(expectedBytes + expectedBytes / 4);
    reset();
  }

  void reset() {
    buffer.reset();
    restartCount = 0;
    addRestart(0);
    counter = 0;
    lastKeyLength = 0;
    entries = 0;
  }

  private void addRestart(int offset) {
    if (restartCount == restarts.length) {
      restarts = Arrays.copyOf(restarts, restartCount * 2);
    }
    restarts[restartCount++] = offset;
  }

  void add(byte[] key, byte[] value) {
    add(key, 0, key.length, value, 0, value.length);
  }

  /** Adds the key {@code k[kOffset, +kLength)} with the value {@code v[vOffset, +vLength)}. */
  void add(byte[] k, int kOffset, int kLength, byte[] v, int vOffset, int vLength) {
    int shared = 0;
    if (counter < restartInterval) {
      int max = Math.min(lastKeyLength, kLength);
      int mismatch = Arrays.mismatch(lastKey, 0, max, k, kOffset, kOffset + max);
      shared = mismatch < 0 ? max : mismatch;
    } else {
      addRestart(buffer.size());
      counter = 0;
    }
    buffer.putVarint(shared).putVarint(kLength - shared).putVarint(vLength);
    buffer.put(k, kOffset + shared, kLength - shared);
    buffer.put(v, vOffset, vLength);
    if (kLength > lastKey.length) {
      lastKey = new byte[Math.max(kLength, 2 * lastKey.length)];
      shared = 0; // the new buffer holds nothing yet
    }
    System.arraycopy(k, kOffset + shared, lastKey, shared, kLength - shared);
    lastKeyLength = kLength;
    counter++;
    entries++;
  }

  /** Bytes the finished block would take. */
  int estimatedSize() {
    return buffer.size() + restartCount * 4 + 4;
  }

  boolean isEmpty() {
    return entries == 0;
  }

  int entries() {
    return entries;
  }

  /** A copy of the last key added. */
  byte[] lastKey() {
    return Arrays.copyOf(lastKey, lastKeyLength);
  }

  /** Appends the restart array; returns the block's bytes in {@link #array()}[0, size). */
  int finish() {
    for (int i = 0; i < restartCount; i++) {
      buffer.putIntLE(restarts[i]);
    }
    buffer.putIntLE(restartCount);
    return buffer.size();
  }

  byte[] array() {
    return buffer.array();
  }
}

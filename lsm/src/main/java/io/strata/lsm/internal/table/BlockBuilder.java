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
  private byte[] lastKey = new byte[0];
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
    lastKey = new byte[0];
    entries = 0;
  }

  private void addRestart(int offset) {
    if (restartCount == restarts.length) {
      restarts = Arrays.copyOf(restarts, restartCount * 2);
    }
    restarts[restartCount++] = offset;
  }

  void add(byte[] key, byte[] value) {
    int shared = 0;
    if (counter < restartInterval) {
      int max = Math.min(lastKey.length, key.length);
      int mismatch = Arrays.mismatch(lastKey, 0, max, key, 0, max);
      shared = mismatch < 0 ? max : mismatch;
    } else {
      addRestart(buffer.size());
      counter = 0;
    }
    buffer.putVarint(shared).putVarint(key.length - shared).putVarint(value.length);
    buffer.put(key, shared, key.length - shared);
    buffer.put(value);
    lastKey = key;
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

  byte[] lastKey() {
    return lastKey;
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

package io.strata.lsm.internal.table;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import java.util.Arrays;

/**
 * Iterates one block both ways, decoding entries only as it reaches them: a seek binary-searches
 * the restart points and scans forward from one; {@code prev} rescans from the restart point
 * before the current entry. The current key is rebuilt in one buffer of the iterator's (the
 * views), the value is read in place from the block; {@link #key()} and {@link #value()} copy.
 * Not thread-safe.
 */
public final class BlockIterator implements InternalIterator {
  private final Block block;
  private final byte[] data;
  private final int[] h = new int[4];

  private int current = -1; // offset of the current entry, -1 when not valid
  private int next; // offset after the current entry
  private int restart; // index of the restart point at or before the current entry
  /** The current key in {@code key[0, keyLength)}; a prefix of it is shared with the next one. */
  private byte[] key = new byte[64];
  private int keyLength;
  private int valueOffset;
  private int valueLength;

  public BlockIterator(Block block) {
    this.block = block;
    this.data = block.data();
  }

  /** Positions before the entry at restart point {@code i}. */
  private void toRestart(int i) {
    restart = i;
    next = block.restartPosition(i);
    keyLength = 0;
    current = -1;
  }

  /** Decodes the entry at {@code next}; invalid at the end of the block. */
  private void parseNext() {
    int p = next;
    if (p >= block.limit()) {
      current = -1;
      return;
    }
    int after = block.header(p, h, keyLength);
    int length = h[0] + h[1];
    if (length > key.length) {
      key = Arrays.copyOf(key, Math.max(length, 2 * key.length)); // keeps the shared prefix
    }
    System.arraycopy(data, h[3], key, h[0], h[1]);
    keyLength = length;
    valueOffset = h[3] + h[1];
    valueLength = h[2];
    current = p;
    next = after;
    while (restart + 1 < block.restartCount() && block.restartPosition(restart + 1) <= current) {
      restart++;
    }
  }

  @Override
  public boolean isValid() {
    return current >= 0;
  }

  @Override
  public void seekToFirst() {
    toRestart(0);
    parseNext();
  }

  @Override
  public void seekToLast() {
    toRestart(block.restartCount() - 1);
    parseNext();
    while (current >= 0 && next < block.limit()) {
      parseNext();
    }
  }

  @Override
  public void seek(byte[] target) {
    // the last restart point whose key is below the target
    int lo = 0;
    int hi = block.restartCount() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      block.header(block.restartPosition(mid), h, 0);
      if (InternalKeys.compare(data, h[3], h[1], target) < 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    toRestart(lo);
    parseNext();
    while (current >= 0 && InternalKeys.compare(key, 0, keyLength, target) < 0) {
      parseNext();
    }
  }

  @Override
  public void seekForPrev(byte[] target) {
    seek(target);
    if (current < 0) {
      seekToLast();
    } else if (InternalKeys.compare(key, 0, keyLength, target) > 0) {
      prev();
    }
  }

  @Override
  public void next() {
    parseNext();
  }

  @Override
  public void prev() {
    int original = current;
    if (original <= 0) {
      current = -1;
      return;
    }
    int r = restart;
    while (block.restartPosition(r) >= original) {
      r--;
    }
    toRestart(r);
    do {
      parseNext();
    } while (next < original);
  }

  @Override
  public byte[] key() {
    return Arrays.copyOf(key, keyLength);
  }

  @Override
  public byte[] value() {
    return Arrays.copyOfRange(data, valueOffset, valueOffset + valueLength);
  }

  @Override
  public byte[] keyArray() {
    return key;
  }

  @Override
  public int keyOffset() {
    return 0;
  }

  @Override
  public int keyLength() {
    return keyLength;
  }

  @Override
  public byte[] valueArray() {
    return data;
  }

  @Override
  public int valueOffset() {
    return valueOffset;
  }

  @Override
  public int valueLength() {
    return valueLength;
  }

  @Override
  public void close() {}
}

package io.strata.lsm.internal.table;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import java.util.Arrays;

/**
 * Iterates one block both ways, decoding entries only as it reaches them: a seek binary-searches
 * the restart points and scans forward from one; {@code prev} rescans from the restart point
 * before the current entry. Each key it returns is a fresh array. Not thread-safe.
 */
public final class BlockIterator implements InternalIterator {
  private final Block block;
  private final byte[] data;
  private final int[] h = new int[4];

  private int current = -1; // offset of the current entry, -1 when not valid
  private int next; // offset after the current entry
  private int restart; // index of the restart point at or before the current entry
  private byte[] key = new byte[0];
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
    key = new byte[0];
    current = -1;
  }

  /** Decodes the entry at {@code next}; invalid at the end of the block. */
  private void parseNext() {
    int p = next;
    if (p >= block.limit()) {
      current = -1;
      return;
    }
    int after = block.header(p, h, key.length);
    byte[] k = new byte[h[0] + h[1]];
    System.arraycopy(key, 0, k, 0, h[0]);
    System.arraycopy(data, h[3], k, h[0], h[1]);
    key = k;
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
    while (current >= 0 && InternalKeys.compare(key, target) < 0) {
      parseNext();
    }
  }

  @Override
  public void seekForPrev(byte[] target) {
    seek(target);
    if (current < 0) {
      seekToLast();
    } else if (InternalKeys.compare(key, target) > 0) {
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
    return key;
  }

  @Override
  public byte[] value() {
    return Arrays.copyOfRange(data, valueOffset, valueOffset + valueLength);
  }

  @Override
  public void close() {}
}

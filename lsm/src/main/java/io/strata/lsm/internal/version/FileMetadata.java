package io.strata.lsm.internal.version;

import io.strata.lsm.internal.InternalKeys;

/**
 * A table file as the manifest records it: number, size, smallest and largest internal keys,
 * sequence range and entry count. Immutable (the key arrays are never modified).
 */
public record FileMetadata(
    long number,
    long fileSize,
    byte[] smallest,
    byte[] largest,
    long minSequence,
    long maxSequence,
    long entries) {

  public byte[] smallestUserKey() {
    return InternalKeys.userKey(smallest);
  }

  public byte[] largestUserKey() {
    return InternalKeys.userKey(largest);
  }

  /** Whether the user key lies within this file's key range. */
  boolean mayContain(byte[] userKey) {
    return InternalKeys.compareUserKey(smallest, userKey) <= 0
        && InternalKeys.compareUserKey(largest, userKey) >= 0;
  }

  @Override
  public String toString() {
    return "#" + number + "[" + InternalKeys.describe(smallest) + " .. "
        + InternalKeys.describe(largest) + ", " + fileSize + " B, seq " + minSequence + ".."
        + maxSequence + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileMetadata f && f.number == number && f.fileSize == fileSize
        && java.util.Arrays.equals(f.smallest, smallest) && java.util.Arrays.equals(f.largest, largest)
        && f.minSequence == minSequence && f.maxSequence == maxSequence && f.entries == entries;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(number);
  }
}

package io.strata.lsm.internal.compaction;

import io.strata.lsm.internal.InternalKeys;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Decides which versions a compaction keeps: for each user key, the newest version in each
 * snapshot stripe (the versions between two consecutive open snapshots, or newer than the newest),
 * since no reader can see an older version in the same stripe; and, when the output is the lowest
 * level holding the key (no table below it covers the key), not even a deletion that every reader
 * sees, nor anything older.
 *
 * <p>Feed it the merged input in internal-key order. Not thread-safe.
 */
public final class CompactionOutput {
  private final long[] snapshots; // ascending
  private final Predicate<byte[]> lowestLevelFor;

  /** The current user key in {@code userKey[0, userKeyLength)}; none before the first. */
  private byte[] userKey = new byte[64];
  private int userKeyLength = -1;
  private int lastStripe;

  /**
   * @param lowestLevelFor whether the output is the lowest level holding a user key; asked in
   *     ascending key order, only about deletions that every reader sees
   */
  CompactionOutput(List<Long> snapshotSequences, Predicate<byte[]> lowestLevelFor) {
    this.snapshots = snapshotSequences.stream().mapToLong(Long::longValue).sorted().toArray();
    this.lowestLevelFor = lowestLevelFor;
  }

  /** The stripe of a sequence: the index of the oldest snapshot that sees it, or past the end. */
  private int stripe(long sequence) {
    int lo = 0;
    int hi = snapshots.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (snapshots[mid] < sequence) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Whether to keep the next entry of the merged input. */
  boolean keep(byte[] ikey) {
    return keep(ikey, 0, ikey.length);
  }

  /** Whether to keep the next entry of the merged input, the internal key {@code k[offset, +length)}. */
  boolean keep(byte[] k, int offset, int length) {
    long trailer = InternalKeys.trailer(k, offset + length);
    int s = stripe(trailer >>> 8);
    int userLength = length - InternalKeys.TRAILER_BYTES;
    boolean newKey = userKeyLength < 0
        || !Arrays.equals(userKey, 0, userKeyLength, k, offset, offset + userLength);
    if (newKey) {
      if (userLength > userKey.length) {
        userKey = new byte[Math.max(userLength, 2 * userKey.length)];
      }
      System.arraycopy(k, offset, userKey, 0, userLength);
      userKeyLength = userLength;
    } else if (s == lastStripe) {
      return false; // an older version in a stripe whose newest version was already decided
    }
    lastStripe = s;
    // A deletion seen by every reader (in the oldest stripe) hides all older versions, which are
    // in the same stripe and dropped above; at the bottom nothing older is left to hide.
    return !(s == 0 && (byte) trailer == InternalKeys.KIND_DELETE
        && lowestLevelFor.test(Arrays.copyOfRange(k, offset, offset + userLength)));
  }
}

package io.strata.lsm;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import java.util.Arrays;
import java.util.Objects;

/**
 * The {@link Cursor} of a {@link Db}: turns the merged stream of internal keys (every version of
 * every key, newest first) into user entries visible at one sequence number: for each user key,
 * the newest version at or below that sequence, skipped when it is a deletion.
 *
 * <p>Going forward the internal iterator stands on the current entry, whose value is read from it
 * on demand. Going backward it stands just before all versions of the current key, whose newest
 * visible version (and value) was collected on the way. Not thread-safe.
 */
final class DbCursor implements Cursor {
  private final Db db;
  private final ReadView view;
  private final InternalIterator iter;
  private final long sequence;
  private final byte[] lower;
  private final byte[] upper;

  private boolean valid;
  private boolean forward = true;
  /**
   * An internal key carrying the current user key, in {@code entry[0, entryLength)}: a copy out of
   * the iterator's view, into an array reused from entry to entry.
   */
  private byte[] entry = new byte[64];
  private int entryLength;
  /** Going backward: the key being collected, swapped with {@code entry} when it is the answer. */
  private byte[] collected = new byte[64];
  /** Going forward: the user key of the deletion last passed (see {@link #findNext}). */
  private byte[] hidden = new byte[64];
  /** The current value when going backward; null going forward (the iterator holds it). */
  private byte[] value;
  private boolean closed;

  DbCursor(Db db, ReadView view, InternalIterator iter, long sequence, byte[] lower, byte[] upper) {
    this.db = db;
    this.view = view;
    this.iter = iter;
    this.sequence = sequence;
    this.lower = lower;
    this.upper = upper;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("cursor is closed");
    }
    db.checkOpen();
  }

  private void checkValid() {
    checkOpen();
    if (!valid) {
      throw new IllegalStateException("cursor is not on an entry");
    }
  }

  /** Compares the user key of the internal key {@code k[offset, +length)} with {@code userKey}. */
  private static int compareUser(byte[] k, int offset, int length, byte[] userKey) {
    return Arrays.compareUnsigned(k, offset, offset + length - InternalKeys.TRAILER_BYTES,
        userKey, 0, userKey.length);
  }

  /** {@code k[offset, +length)} at the start of {@code buffer}, or of a larger one returned. */
  private static byte[] copyInto(byte[] buffer, byte[] k, int offset, int length) {
    byte[] b = length <= buffer.length ? buffer : new byte[Math.max(length, 2 * buffer.length)];
    System.arraycopy(k, offset, b, 0, length);
    return b;
  }

  private static byte[] firstOf(byte[] userKey) {
    return InternalKeys.encode(userKey, InternalKeys.MAX_SEQUENCE, InternalKeys.KIND_SEEK);
  }

  /** The first internal key of the current entry's user key. */
  private byte[] firstOfEntry() {
    return InternalKeys.encode(entry, 0, entryLength - InternalKeys.TRAILER_BYTES,
        InternalKeys.MAX_SEQUENCE, InternalKeys.KIND_SEEK);
  }

  private static byte[] lastOf(byte[] userKey) {
    return InternalKeys.encode(userKey, 0, InternalKeys.KIND_DELETE);
  }

  @Override
  public void seekToFirst() {
    checkOpen();
    if (lower != null) {
      iter.seek(firstOf(lower));
    } else {
      iter.seekToFirst();
    }
    findNext(false);
  }

  @Override
  public void seekToLast() {
    checkOpen();
    if (upper != null) {
      iter.seekForPrev(firstOf(upper)); // last entry of a key below the bound
    } else {
      iter.seekToLast();
    }
    findPrev();
  }

  @Override
  public void seek(byte[] target) {
    Objects.requireNonNull(target, "key");
    checkOpen();
    byte[] t = lower != null && Arrays.compareUnsigned(target, lower) < 0 ? lower : target;
    iter.seek(firstOf(t));
    findNext(false);
  }

  @Override
  public void seekForPrev(byte[] target) {
    Objects.requireNonNull(target, "key");
    checkOpen();
    if (upper != null && Arrays.compareUnsigned(target, upper) >= 0) {
      iter.seekForPrev(firstOf(upper));
    } else {
      iter.seekForPrev(lastOf(target));
    }
    findPrev();
  }

  @Override
  public void next() {
    checkValid();
    if (!forward) {
      iter.seek(firstOfEntry());
    }
    findNext(true);
  }

  @Override
  public void prev() {
    checkValid();
    if (forward) {
      iter.seekForPrev(firstOfEntry());
    }
    // going backward the iterator already stands before every version of the current key
    findPrev();
  }

  /**
   * Forward to the first visible entry, skipping every version of user keys up to the current
   * entry's when {@code skipCurrent}. Reads the iterator's views; what must outlive a move (the
   * entry found, the deletion passed) is copied into the cursor's own arrays.
   */
  private void findNext(boolean skipCurrent) {
    forward = true;
    value = null;
    // the user key whose older versions are hidden: the current entry's, then a deletion's
    byte[] hiddenKey = skipCurrent ? entry : null;
    int hiddenLength = skipCurrent ? entryLength - InternalKeys.TRAILER_BYTES : 0;
    while (iter.isValid()) {
      byte[] k = iter.keyArray();
      int ko = iter.keyOffset();
      int kl = iter.keyLength();
      int userLength = kl - InternalKeys.TRAILER_BYTES;
      // the bound is checked on every entry, visible or not: the entries past it may all be newer
      // than the snapshot, and walking them would cost the rest of the store
      if (upper != null && compareUser(k, ko, kl, upper) >= 0) {
        break;
      }
      long trailer = InternalKeys.trailer(k, ko + kl);
      if (trailer >>> 8 <= sequence) {
        if (hiddenKey == null || Arrays.compareUnsigned(k, ko, ko + userLength, hiddenKey, 0,
            hiddenLength) > 0) {
          if ((byte) trailer == InternalKeys.KIND_DELETE) {
            hidden = copyInto(hidden, k, ko, userLength);
            hiddenKey = hidden;
            hiddenLength = userLength;
          } else {
            entry = copyInto(entry, k, ko, kl);
            entryLength = kl;
            valid = true;
            return;
          }
        }
      }
      iter.next();
    }
    valid = false;
  }

  /** Backward to the newest visible version of the previous key that is not deleted. */
  private void findPrev() {
    forward = false;
    byte kind = InternalKeys.KIND_DELETE; // nothing collected yet
    int collectedLength = 0;
    byte[] v = null;
    while (iter.isValid()) {
      byte[] k = iter.keyArray();
      int ko = iter.keyOffset();
      int kl = iter.keyLength();
      if (lower != null && compareUser(k, ko, kl, lower) < 0) {
        break; // on every entry, visible or not (see findNext)
      }
      long trailer = InternalKeys.trailer(k, ko + kl);
      if (trailer >>> 8 <= sequence) {
        if (kind != InternalKeys.KIND_DELETE && Arrays.compareUnsigned(k, ko,
            ko + kl - InternalKeys.TRAILER_BYTES, collected, 0,
            collectedLength - InternalKeys.TRAILER_BYTES) < 0) {
          break; // passed the collected key: it is the answer
        }
        kind = (byte) trailer;
        if (kind == InternalKeys.KIND_DELETE) {
          v = null;
        } else {
          collected = copyInto(collected, k, ko, kl);
          collectedLength = kl;
          v = iter.value();
        }
      }
      iter.prev();
    }
    valid = kind != InternalKeys.KIND_DELETE;
    if (valid) {
      byte[] e = entry;
      entry = collected;
      entryLength = collectedLength;
      collected = e;
    }
    value = valid ? v : null;
  }

  @Override
  public boolean isValid() {
    checkOpen();
    return valid;
  }

  @Override
  public byte[] key() {
    checkValid();
    return Arrays.copyOf(entry, entryLength - InternalKeys.TRAILER_BYTES);
  }

  @Override
  public byte[] value() {
    checkValid();
    if (forward) {
      int from = iter.valueOffset();
      return Arrays.copyOfRange(iter.valueArray(), from, from + iter.valueLength());
    }
    return value.clone();
  }

  @Override
  public int keyLength() {
    checkValid();
    return entryLength - InternalKeys.TRAILER_BYTES;
  }

  @Override
  public int valueLength() {
    checkValid();
    return forward ? iter.valueLength() : value.length;
  }

  @Override
  public int keyInto(byte[] dst, int offset) {
    Objects.requireNonNull(dst, "dst");
    int n = keyLength();
    checkRoom(dst, offset, n, "key");
    System.arraycopy(entry, 0, dst, offset, n);
    return n;
  }

  @Override
  public int valueInto(byte[] dst, int offset) {
    Objects.requireNonNull(dst, "dst");
    int n = valueLength();
    checkRoom(dst, offset, n, "value");
    if (forward) {
      System.arraycopy(iter.valueArray(), iter.valueOffset(), dst, offset, n);
    } else {
      System.arraycopy(value, 0, dst, offset, n);
    }
    return n;
  }

  private static void checkRoom(byte[] dst, int offset, int n, String what) {
    if (offset < 0 || offset > dst.length || dst.length - offset < n) {
      throw new IndexOutOfBoundsException("a " + what + " of " + n + " bytes does not fit in an"
          + " array of " + dst.length + " bytes from offset " + offset);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        iter.close();
      } finally {
        view.release();
      }
    }
  }
}

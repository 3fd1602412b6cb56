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
  /** An internal key carrying the current user key. */
  private byte[] entry;
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

  /** Compares the user key of internal key {@code ikey} with user key {@code userKey}. */
  private static int compareUser(byte[] ikey, byte[] userKey) {
    return Arrays.compareUnsigned(ikey, 0, ikey.length - InternalKeys.TRAILER_BYTES,
        userKey, 0, userKey.length);
  }

  /** Compares the user keys of two internal keys. */
  private static int compareUsers(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, 0, a.length - InternalKeys.TRAILER_BYTES,
        b, 0, b.length - InternalKeys.TRAILER_BYTES);
  }

  private static byte[] firstOf(byte[] userKey) {
    return InternalKeys.encode(userKey, InternalKeys.MAX_SEQUENCE, InternalKeys.KIND_SEEK);
  }

  /** The first internal key of the user key carried by internal key {@code ikey}. */
  private static byte[] firstOfEntry(byte[] ikey) {
    return InternalKeys.encode(ikey, 0, ikey.length - InternalKeys.TRAILER_BYTES,
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
    findNext(null);
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
    findNext(null);
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
      iter.seek(firstOfEntry(entry));
    }
    findNext(entry);
  }

  @Override
  public void prev() {
    checkValid();
    if (forward) {
      iter.seekForPrev(firstOfEntry(entry));
    }
    // going backward the iterator already stands before every version of the current key
    findPrev();
  }

  /**
   * Forward to the first visible entry, skipping every version of user keys up to the user key of
   * internal key {@code skip} (none when null).
   */
  private void findNext(byte[] skip) {
    forward = true;
    value = null;
    byte[] hidden = skip;
    while (iter.isValid()) {
      byte[] ikey = iter.key();
      // the bound is checked on every entry, visible or not: the entries past it may all be newer
      // than the snapshot, and walking them would cost the rest of the store
      if (upper != null && compareUser(ikey, upper) >= 0) {
        break;
      }
      if (InternalKeys.sequence(ikey) <= sequence) {
        if (hidden == null || compareUsers(ikey, hidden) > 0) {
          if (InternalKeys.kind(ikey) == InternalKeys.KIND_DELETE) {
            hidden = ikey;
          } else {
            entry = ikey;
            valid = true;
            return;
          }
        }
      }
      iter.next();
    }
    valid = false;
    entry = null;
  }

  /** Backward to the newest visible version of the previous key that is not deleted. */
  private void findPrev() {
    forward = false;
    byte kind = InternalKeys.KIND_DELETE; // nothing collected yet
    byte[] k = null;
    byte[] v = null;
    while (iter.isValid()) {
      byte[] ikey = iter.key();
      if (lower != null && compareUser(ikey, lower) < 0) {
        break; // on every entry, visible or not (see findNext)
      }
      if (InternalKeys.sequence(ikey) <= sequence) {
        if (kind != InternalKeys.KIND_DELETE && compareUsers(ikey, k) < 0) {
          break; // passed the collected key: it is the answer
        }
        kind = InternalKeys.kind(ikey);
        if (kind == InternalKeys.KIND_DELETE) {
          k = null;
          v = null;
        } else {
          k = ikey;
          v = iter.value();
        }
      }
      iter.prev();
    }
    valid = kind != InternalKeys.KIND_DELETE;
    entry = valid ? k : null;
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
    return Arrays.copyOf(entry, entry.length - InternalKeys.TRAILER_BYTES);
  }

  @Override
  public byte[] value() {
    checkValid();
    return forward ? iter.value() : value.clone();
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

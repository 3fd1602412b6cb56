package io.strata.lsm;

import java.util.Objects;

/**
 * The {@link Cursor} of a {@link Db}: turns the merged stream of internal keys (every version of
 * every key, newest first) into user entries visible at one sequence number: for each user key,
 * the newest version at or below that sequence, skipped when it is a deletion.
 *
 * <p>Going forward the internal iterator stands on the current entry. Going backward it stands
 * just before all versions of the current key, whose newest visible version was collected on the
 * way. Not thread-safe.
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
  private byte[] key;
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

  private static int compare(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, b);
  }

  private static byte[] firstOf(byte[] userKey) {
    return InternalKeys.encode(userKey, InternalKeys.MAX_SEQUENCE, InternalKeys.KIND_SEEK);
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
    byte[] t = lower != null && compare(target, lower) < 0 ? lower : target;
    iter.seek(firstOf(t));
    findNext(null);
  }

  @Override
  public void seekForPrev(byte[] target) {
    Objects.requireNonNull(target, "key");
    checkOpen();
    if (upper != null && compare(target, upper) >= 0) {
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
      iter.seek(firstOf(key));
    }
    findNext(key);
  }

  @Override
  public void prev() {
    checkValid();
    if (forward) {
      iter.seekForPrev(firstOf(key));
    } else {
      // already before every version of the current key
    }
    findPrev();
  }

  /** Forward to the first visible entry, skipping versions of keys at or below {@code skip}. */
  private void findNext(byte[] skip) {
    forward = true;
    byte[] hidden = skip;
    while (iter.isValid()) {
      byte[] ikey = iter.key();
      if (InternalKeys.sequence(ikey) <= sequence) {
        byte[] userKey = InternalKeys.userKey(ikey);
        if (upper != null && compare(userKey, upper) >= 0) {
          break;
        }
        if (hidden == null || compare(userKey, hidden) > 0) {
          if (InternalKeys.kind(ikey) == InternalKeys.KIND_DELETE) {
            hidden = userKey;
          } else {
            key = userKey;
            value = iter.value();
            valid = true;
            return;
          }
        }
      }
      iter.next();
    }
    valid = false;
    key = null;
    value = null;
  }

  /** Backward to the newest visible version of the previous key that is not deleted. */
  private void findPrev() {
    forward = false;
    byte kind = InternalKeys.KIND_DELETE; // nothing collected yet
    byte[] k = null;
    byte[] v = null;
    while (iter.isValid()) {
      byte[] ikey = iter.key();
      if (InternalKeys.sequence(ikey) <= sequence) {
        byte[] userKey = InternalKeys.userKey(ikey);
        if (kind != InternalKeys.KIND_DELETE && compare(userKey, k) < 0) {
          break; // passed the collected key: it is the answer
        }
        if (lower != null && compare(userKey, lower) < 0) {
          break;
        }
        kind = InternalKeys.kind(ikey);
        if (kind == InternalKeys.KIND_DELETE) {
          k = null;
          v = null;
        } else {
          k = userKey;
          v = iter.value();
        }
      }
      iter.prev();
    }
    valid = kind != InternalKeys.KIND_DELETE;
    key = valid ? k : null;
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
    return key.clone();
  }

  @Override
  public byte[] value() {
    checkValid();
    return value.clone();
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

package io.strata.lsm.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference count that dies at zero: once the last reference is released, {@link #retain()}
 * fails for good, so an object found through a shared pointer can be retained safely even while
 * it is being retired. Thread-safe (lock-free).
 */
public final class RefCount {
  private final AtomicInteger count = new AtomicInteger(1);

  /** Starts with the creator's one reference. */
  public RefCount() {}

  /** Takes a reference; false when the count already reached zero. */
  public boolean retain() {
    while (true) {
      int c = count.get();
      if (c == 0) {
        return false;
      }
      if (count.compareAndSet(c, c + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; true when it was the last one. */
  public boolean release() {
    int c = count.decrementAndGet();
    if (c < 0) {
      throw new IllegalStateException("released more often than retained");
    }
    return c == 0;
  }
}

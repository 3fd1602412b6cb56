package io.strata.lsm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A reference count that dies at zero: once the last reference is released, {@link #retain()}
 * fails for good, so an object found through a shared pointer can be retained safely even while
 * it is being retired. Thread-safe (lock-free). The count is a field of this object, not of an
 * atomic object beside it: a read retains a view, a version and a table each time, and each
 * retain then costs one dependent load fewer.
 */
public final class RefCount {
  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(RefCount.class, "count", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through COUNT
  private volatile int count = 1;

  /** Starts with the creator's one reference. */
  public RefCount() {}

  /** Takes a reference; false when the count already reached zero. */
  public boolean retain() {
    while (true) {
      int c = count;
      if (c == 0) {
        return false;
      }
      if (COUNT.compareAndSet(this, c, c + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; true when it was the last one. */
  public boolean release() {
    int c = (int) COUNT.getAndAdd(this, -1) - 1;
    if (c < 0) {
      throw new IllegalStateException("released more often than retained");
    }
    return c == 0;
  }
}

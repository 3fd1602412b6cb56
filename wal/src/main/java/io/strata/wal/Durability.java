package io.strata.wal;

/** How durable an appended record is when {@code append} returns. */
public enum Durability {
  /** Handed to the operating system: survives a crash of this process, not a power loss. */
  NONE,
  /** On stable storage: survives a power loss. Concurrent SYNC appends share one fsync. */
  SYNC
}

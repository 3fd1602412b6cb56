package io.strata.lsm.internal.compaction;

import io.strata.lsm.Db;

/** Thrown inside a compaction stopped because its {@link Db} is closing; never leaves the Db. */
public final class CompactionCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CompactionCancelledException() {
    super("compaction cancelled: the Db is closing", null, false, false);
  }
}

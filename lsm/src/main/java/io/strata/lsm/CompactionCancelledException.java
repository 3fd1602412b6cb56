package io.strata.lsm;

/** Thrown inside a compaction stopped because its {@link Db} is closing; never leaves the Db. */
final class CompactionCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CompactionCancelledException() {
    super("compaction cancelled: the Db is closing", null, false, false);
  }
}

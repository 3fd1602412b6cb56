/**
 * Strata's base and its write-ahead log: the exception family ({@link io.strata}), the file-system
 * interface with its real, crash-simulating and fault-injecting implementations ({@link
 * io.strata.fs}), and the segmented write-ahead log ({@link io.strata.wal}). No dependencies.
 */
module io.strata.wal {
  exports io.strata;
  exports io.strata.fs;
  exports io.strata.wal;
}

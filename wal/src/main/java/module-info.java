/**
 * Strata's base and its write-ahead log: the exception family ({@link io.strata}), the file-system
 * interface with its real, crash-simulating and fault-injecting implementations ({@link
 * io.strata.fs}), and the segmented write-ahead log ({@link io.strata.wal}). No dependencies.
 */
module io.strata.wal {
  // sun.misc.Unsafe.invokeCleaner, to unmap read-only table mappings when their reader closes
  requires jdk.unsupported;
  exports io.strata;
  exports io.strata.fs;
  exports io.strata.wal;
}

/**
 * The LSM-tree key-value engine: {@link io.strata.lsm.Db} and its options, batches, snapshots,
 * cursors and statistics. Only {@code io.strata.lsm} is exported; the engine's parts are
 * package-private or in non-exported {@code io.strata.lsm.internal} packages.
 */
@SuppressWarnings("requires-automatic") // io.strata.bloom and org.lz4.java, on purpose
module io.strata.lsm {
  // Options names io.strata.fs.FileSystem, and every failure is an io.strata.StrataException.
  requires transitive io.strata.wal;
  // Automatic modules with stable names: strata-bloom's and lz4-java's manifests name them.
  requires io.strata.bloom;
  requires org.lz4.java;

  exports io.strata.lsm;
}

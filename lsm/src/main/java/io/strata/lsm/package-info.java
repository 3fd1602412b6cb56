/**
 * The LSM-tree key-value engine. Public API: {@link io.strata.lsm.Db} (the store), {@link
 * io.strata.lsm.Options}, {@link io.strata.lsm.ReadOptions}, {@link io.strata.lsm.WriteOptions},
 * {@link io.strata.lsm.WriteBatch}, {@link io.strata.lsm.Snapshot}, {@link io.strata.lsm.Cursor},
 * {@link io.strata.lsm.DbStats}, {@link io.strata.lsm.EventListener}, {@link
 * io.strata.lsm.Compression}, {@link io.strata.lsm.CompactionPriority}.
 *
 * <p>The engine's rooms, package-private here: {@code CommitPipeline} (writer queue, group
 * commit, log append, memtable insert) behind {@code CommitEnv}; {@code WriteStall}
 * (back-pressure); {@code Recovery} (opening: manifest and log replay); {@code Level0Writer} (a
 * memtable to a level-0 table); {@code CompactionScheduler} (background compactions and {@code
 * compactRange}); {@code SnapshotList} (open snapshots); {@code ObsoleteFiles} (new
 * table numbers, deleting what nothing needs); {@code EngineCounters} (the totals behind {@code
 * stats()}); {@code ReadView} (what a read pins: memtables and a version) and {@code DbCursor};
 * {@code MultiGet} (the batched read of {@code multiGet}: sorted keys, one block fetch per block);
 * {@code TestKnobs} (test-only hook and limits). {@code Db} itself holds the public API, memtable
 * switches, the scheduling of flushes, and close. Below them, in packages the
 * module does not export: {@code io.strata.lsm.internal} (internal keys, iterators, batch
 * format), {@code io.strata.lsm.internal.memtable}, {@code io.strata.lsm.internal.table}, {@code
 * io.strata.lsm.internal.version} (versions and the manifest) and {@code
 * io.strata.lsm.internal.compaction}.
 */
package io.strata.lsm;

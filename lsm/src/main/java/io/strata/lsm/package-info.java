/**
 * The LSM-tree key-value engine. Public API: {@link io.strata.lsm.Db} (the store), {@link
 * io.strata.lsm.Options}, {@link io.strata.lsm.ReadOptions}, {@link io.strata.lsm.WriteOptions},
 * {@link io.strata.lsm.WriteBatch}, {@link io.strata.lsm.Snapshot}, {@link io.strata.lsm.Cursor},
 * {@link io.strata.lsm.DbStats}, {@link io.strata.lsm.EventListener}, {@link
 * io.strata.lsm.Compression}, {@link io.strata.lsm.CompactionPriority}.
 *
 * <p>The engine's rooms, package-private here: {@code CommitPipeline} (writer queue, group
 * commit, log append, memtable insert) behind {@code CommitEnv}; {@code SnapshotList} (open
 * snapshots); {@code ObsoleteFiles} (new table numbers, deleting what nothing needs);
 * {@code EngineCounters} (the totals behind {@code stats()}); {@code ReadView} (what a read pins:
 * memtables and a version) and {@code DbCursor}. {@code Db} itself holds recovery, write stalls
 * and memtable switches, flush scheduling and compaction scheduling. Below them, in packages the
 * module does not export: {@link io.strata.lsm.internal} (internal keys, iterators, batch
 * format), {@link io.strata.lsm.internal.memtable}, {@link io.strata.lsm.internal.table}, {@link
 * io.strata.lsm.internal.version} (versions and the manifest) and {@link
 * io.strata.lsm.internal.compaction}.
 */
package io.strata.lsm;

/**
 * The LSM-tree key-value engine. Public API: {@link io.strata.lsm.Db} (the store), {@link
 * io.strata.lsm.Options}, {@link io.strata.lsm.ReadOptions}, {@link io.strata.lsm.WriteOptions},
 * {@link io.strata.lsm.WriteBatch}, {@link io.strata.lsm.Snapshot}, {@link io.strata.lsm.Cursor},
 * {@link io.strata.lsm.DbStats}, {@link io.strata.lsm.EventListener}, {@link
 * io.strata.lsm.Compression}, {@link io.strata.lsm.CompactionPriority}.
 *
 * <p>The engine's rooms, package-private here: {@code CommitPipeline} (writer queue, group commit,
 * log append, memtable insert) behind {@code CommitEnv}; {@code WriteStall} (back-pressure); {@code
 * Flusher} (the memtables, the memtable switch and the flush job) behind {@code Flusher.Env};
 * {@code Recovery} (opening: manifest and log replay); {@code ReadOnlyRecovery} ({@code
 * openReadOnly}: the log replayed in memory, nothing written); {@code Checkpoint} ({@code
 * checkpoint()}, and the marker of an interrupted one); {@code DbProperties} ({@code property()});
 * {@code Level0Writer} (a memtable to a level-0 table); {@code CompactionScheduler} (background
 * compactions and {@code compactRange}); {@code SnapshotList} (open snapshots); {@code
 * ObsoleteFiles} (new table numbers, deleting what nothing needs); {@code EngineCounters} (the
 * totals behind {@code stats()}); {@code ReadPath} (the published {@code ReadView}, what a read
 * pins: memtables and a version, and the reads over it; {@code MultiGet}, the batched read of
 * {@code multiGet}: sorted keys, one index search and cache lookup per block, misses back to back
 * read at once, many misses shared with a helper thread) and {@code
 * DbCursor}. Test-only: {@code TestKnobs} (the hook and limits tests set) and {@code TestAccess}
 * (what tests look at inside a {@code Db}). {@code Engine} owns the rooms, the mutex, the log, the stop flags and the
 * environments the rooms see the store through, and closes the store; {@code Opener} builds it for
 * {@code open} and {@code openReadOnly} and runs its recovery. {@code Db} itself holds the public
 * API, which checks arguments and delegates to the engine. Below them, in packages the module does
 * not export: {@code io.strata.lsm.internal} (internal keys, iterators, batch format), {@code
 * io.strata.lsm.internal.memtable}, {@code io.strata.lsm.internal.table}, {@code
 * io.strata.lsm.internal.version} (versions and the manifest) and {@code
 * io.strata.lsm.internal.compaction}.
 */
package io.strata.lsm;

/**
 * Compaction (rules in {@code lsm/COMPACTION.md}): what to compact ({@link
 * io.strata.lsm.internal.compaction.CompactionPicker}, from {@link
 * io.strata.lsm.internal.compaction.CompactionOptions}, handing out a {@link
 * io.strata.lsm.internal.compaction.CompactionJob}), running a job ({@link
 * io.strata.lsm.internal.compaction.Compaction}), which versions survive it ({@link
 * io.strata.lsm.internal.compaction.CompactionOutput}, {@link
 * io.strata.lsm.internal.compaction.KeysBelow}).
 *
 * <p>Internal: not exported by the {@code io.strata.lsm} module and carries no compatibility
 * promise.
 */
package io.strata.lsm.internal.compaction;

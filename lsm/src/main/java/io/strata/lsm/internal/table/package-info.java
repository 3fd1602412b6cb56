/**
 * Sorted table files (format in {@code lsm/FORMAT.md}): writing one ({@link
 * io.strata.lsm.internal.table.TableBuilder} from {@link io.strata.lsm.internal.table.TableOptions},
 * blocks from {@link io.strata.lsm.internal.table.BlockBuilder}), reading one ({@link
 * io.strata.lsm.internal.table.TableReader}, {@link io.strata.lsm.internal.table.Footer}, {@link
 * io.strata.lsm.internal.table.Block}, {@link io.strata.lsm.internal.table.BlockIterator}, {@link
 * io.strata.lsm.internal.table.TwoLevelIterator}), the LZ4 block encoder and decoder ({@link
 * io.strata.lsm.internal.table.Lz4Encoder}, {@link io.strata.lsm.internal.table.Lz4Decoder}), the shared block cache ({@link
 * io.strata.lsm.internal.table.BlockCache}) and the cache of open tables ({@link
 * io.strata.lsm.internal.table.TableCache}).
 *
 * <p>Internal: not exported by the {@code io.strata.lsm} module and carries no compatibility
 * promise.
 */
package io.strata.lsm.internal.table;

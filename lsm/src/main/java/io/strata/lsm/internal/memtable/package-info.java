/**
 * The memtable: the arena skip list ({@link io.strata.lsm.internal.memtable.Memtable}) that holds
 * the writes not yet flushed to a table, one writer and any number of lock-free readers.
 *
 * <p>Internal: not exported by the {@code io.strata.lsm} module and carries no compatibility
 * promise.
 */
package io.strata.lsm.internal.memtable;

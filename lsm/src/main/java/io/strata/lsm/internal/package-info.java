/**
 * The engine's shared vocabulary: internal keys (user key, sequence number, kind) and their order
 * ({@link io.strata.lsm.internal.InternalKeys}), the iterator every source of entries implements
 * ({@link io.strata.lsm.internal.InternalIterator}) and the one that merges them ({@link
 * io.strata.lsm.internal.MergingIterator}), the encoded operations of a batch ({@link
 * io.strata.lsm.internal.BatchFormat}), the key and value limits ({@link
 * io.strata.lsm.internal.Limits}), byte buffers that read and write varints and checked lengths
 * ({@link io.strata.lsm.internal.ByteSource}, {@link io.strata.lsm.internal.ByteSink}) and the
 * reference count of shared resources ({@link io.strata.lsm.internal.RefCount}).
 *
 * <p>Internal: not exported by the {@code io.strata.lsm} module and carries no compatibility
 * promise; classes are public only so that the engine's packages (and, on the class path, the
 * benchmarks) can use each other. Use {@link io.strata.lsm.Db} instead.
 */
package io.strata.lsm.internal;

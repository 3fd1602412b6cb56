/**
 * Versions and the manifest (format in {@code lsm/FORMAT.md}): which tables make up the store
 * ({@link io.strata.lsm.internal.version.Version}, {@link
 * io.strata.lsm.internal.version.FileMetadata}), a change to that set ({@link
 * io.strata.lsm.internal.version.VersionEdit}), the manifest log of edits with CURRENT and its
 * rollover ({@link io.strata.lsm.internal.version.VersionSet}), and the names of the store's files
 * ({@link io.strata.lsm.internal.version.FileNames}).
 *
 * <p>Internal: not exported by the {@code io.strata.lsm} module and carries no compatibility
 * promise.
 */
package io.strata.lsm.internal.version;

/**
 * The segmented write-ahead log (format in {@code wal/FORMAT.md}): {@link io.strata.wal.Wal}
 * (append, group commit of synced appends, rotation, replay on open), {@link
 * io.strata.wal.WalOptions}, {@link io.strata.wal.Durability}, the record framing ({@link
 * io.strata.wal.LogWriter}, {@link io.strata.wal.LogReader}, also used for the LSM manifest), and
 * what a replay found ({@link io.strata.wal.RecoveryMode}, {@link io.strata.wal.RecoveryReport}).
 * Damage raises {@link io.strata.CorruptionException}; all file access goes through {@link
 * io.strata.fs.FileSystem}.
 */
package io.strata.wal;

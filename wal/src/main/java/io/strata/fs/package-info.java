/**
 * The file-system interface all of Strata's file I/O goes through ({@link
 * io.strata.fs.FileSystem}, with {@link io.strata.fs.WritableFile}, {@link
 * io.strata.fs.ReadableFile} and {@link io.strata.fs.FileLock}), and its implementations: the real
 * one ({@link io.strata.fs.FileSystem#real()}, over {@link java.nio.channels.FileChannel}, with
 * memory-mapped log files), {@link io.strata.fs.MemFileSystem} (in memory; {@code crashCopy} gives
 * what a power loss would leave) and {@link io.strata.fs.FaultInjectingFileSystem} (fails the n-th
 * operation of a kind). No other package of Strata opens, writes, renames or deletes a file; an
 * architecture test checks it.
 *
 * <p>Part of the {@code strata-wal} artifact, the lowest module that needs it.
 */
package io.strata.fs;

package io.strata.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file operation Strata performs. The WAL, the LSM engine and the trie reach the disk only
 * through this interface, so tests can run them over a file system that simulates a crash ({@link
 * MemFileSystem}) or fails chosen operations ({@link FaultInjectingFileSystem}).
 *
 * <p>Durability model (what a power loss keeps): a file's bytes survive once {@link
 * WritableFile#sync()} returns; the existence of a file under its name, a rename and a delete
 * survive once {@link #syncDirectory(Path)} of the parent returns. Nothing else is promised.
 *
 * <p>Implementations are safe for concurrent use by many threads.
 *
 * <p>The name is the concept's (RocksDB's {@code FileSystem}, Pebble's {@code vfs.FS}); it is not
 * {@link java.nio.file.FileSystem}, which Strata never uses. A file that needs both imports this
 * one by name ({@code import io.strata.fs.FileSystem;}), which shadows a {@code java.nio.file.*}
 * import; only two wildcard imports of both packages would make the simple name ambiguous.
 */
public interface FileSystem {

  /** The real file system, through {@link java.nio.channels.FileChannel}. */
  static FileSystem real() {
    return RealFileSystem.INSTANCE;
  }

  /** Creates {@code file}, which must not exist, for appending. */
  WritableFile create(Path file) throws IOException;

  /**
   * Creates {@code file}, which must not exist, for a log: many small appends, few syncs. An
   * implementation may write through a memory mapping, so appends cost no system call and still
   * survive a crash of the process (the operating system holds the pages); the price is that after
   * a crash the file may end in zero bytes past the last append, which log readers treat as the end
   * of the log. {@link WritableFile#close()} cuts the file to the bytes appended and makes that
   * durable. By default this is {@link #create(Path)}.
   */
  default WritableFile createLog(Path file) throws IOException {
    return create(file);
  }

  /** Opens an existing file for appending at its end (for example to truncate a torn tail). */
  WritableFile openForAppend(Path file) throws IOException;

  /** Opens an existing file for positional reads. */
  ReadableFile openForRead(Path file) throws IOException;

  /** Renames {@code source} to {@code target}, atomically replacing {@code target} if it exists. */
  void rename(Path source, Path target) throws IOException;

  /**
   * Makes {@code link}, which must not exist, a second name of the existing file {@code existing}
   * (a hard link: both names reach the same bytes; deleting one leaves the other). Durable, like a
   * creation, once {@link #syncDirectory(Path)} of the link's parent returns. By default links are
   * not supported: callers that only need the bytes under the new name copy the file instead.
   *
   * @throws UnsupportedOperationException when this file system has no links
   * @throws IOException when the link cannot be made, for example across devices
   */
  default void link(Path existing, Path link) throws IOException {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no hard links");
  }

  /** Deletes a file; returns false when it did not exist. */
  boolean delete(Path file) throws IOException;

  /** The names of the entries of {@code dir}, sorted. */
  List<String> list(Path dir) throws IOException;

  /** Creates {@code dir} and any missing parents; durable when this returns. */
  void createDirectories(Path dir) throws IOException;

  /** Whether a file or directory exists at {@code path}. */
  boolean exists(Path path) throws IOException;

  /** Makes the entries of {@code dir} (creations, renames, deletions) durable. */
  void syncDirectory(Path dir) throws IOException;

  /**
   * Takes an exclusive lock on {@code file} (created if absent), failing at once with an {@link
   * IOException} when another holder, in this process or another, has it. Closing the returned
   * lock releases it.
   */
  FileLock lock(Path file) throws IOException;
}

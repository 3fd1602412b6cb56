package io.strata.lsm;

import java.nio.file.Path;

/**
 * Damage found in a file of the store: names the file, the byte offset where the damage was found,
 * and the check that failed. The store never answers from damaged bytes.
 */
public class CorruptionException extends StrataException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;
  private final String problem;

  public CorruptionException(Path file, long offset, String problem) {
    this(file, offset, problem, null);
  }

  public CorruptionException(Path file, long offset, String problem, Throwable cause) {
    super(file + " at offset " + offset + ": " + problem, cause);
    this.file = file;
    this.offset = offset;
    this.problem = problem;
  }

  /** Wraps the write-ahead log's report of damage, keeping its file and offset. */
  static CorruptionException of(io.strata.wal.CorruptionException e) {
    return new CorruptionException(e.file(), e.offset(), e.problem(), e);
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }

  /** Byte offset in the file where the damage was found. */
  public long offset() {
    return offset;
  }

  /** The check that failed, without file and offset. */
  public String problem() {
    return problem;
  }
}

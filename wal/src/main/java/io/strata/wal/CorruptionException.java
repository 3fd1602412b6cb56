package io.strata.wal;

import java.nio.file.Path;

/**
 * Damage found in a log file: names the file, the byte offset where the damage was found, and the
 * check that failed.
 */
public class CorruptionException extends RuntimeException {
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

  /** The damaged file. */
  public Path file() {
    return file;
  }

  /** Byte offset in the file where the damage was found. */
  public long offset() {
    return offset;
  }

  /** What check failed, without the file and offset. */
  public String problem() {
    return problem;
  }
}

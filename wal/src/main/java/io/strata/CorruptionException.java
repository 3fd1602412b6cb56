package io.strata;

import java.nio.file.Path;

/**
 * Damage found in the stored data: names where it was found and the check that failed. Strata
 * never answers from damaged bytes; it throws this instead.
 *
 * <p>Damage found in a file (a log segment, a manifest, a table) names the file and the byte
 * offset where it was found ({@link #CorruptionException(Path, long, String)}). Damage found by
 * key rather than by file, such as a trie node whose stored bytes do not hash to the key they are
 * stored under, names the store's directory, what was looked up ({@link #subject()}, for example
 * {@code "trie node 0x…"}) and has no offset ({@link #offset()} is -1): {@link
 * #CorruptionException(Path, String, String)}.
 */
public class CorruptionException extends StrataException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;
  private final String subject;
  private final String problem;

  /** Damage in {@code file} at byte {@code offset}: {@code problem} says which check failed. */
  public CorruptionException(Path file, long offset, String problem) {
    this(file, offset, problem, null);
  }

  /** As {@link #CorruptionException(Path, long, String)}, with the error that revealed it. */
  public CorruptionException(Path file, long offset, String problem, Throwable cause) {
    super(file + " at offset " + offset + ": " + problem, cause);
    this.file = file;
    this.offset = offset;
    this.subject = null;
    this.problem = problem;
  }

  /**
   * Damage found by key or node hash, not at a known place in a file: {@code store} is the
   * directory of the store that holds it, {@code subject} what was read (for example {@code "trie
   * node 0x…"} or {@code "root of block 7"}), {@code problem} the check that failed. {@link
   * #offset()} is then -1.
   */
  public CorruptionException(Path store, String subject, String problem) {
    super(store + ": " + subject + ": " + problem, null);
    this.file = store;
    this.offset = -1;
    this.subject = subject;
    this.problem = problem;
  }

  /**
   * The damaged file; for damage found by key ({@link #subject()} not null), the directory of the
   * store that holds it.
   */
  public Path file() {
    return file;
  }

  /** Byte offset in the file where the damage was found; -1 when it was found by key. */
  public long offset() {
    return offset;
  }

  /** What was read when the damage was found by key or node hash; null for damage in a file. */
  public String subject() {
    return subject;
  }

  /** The check that failed, without file and offset. */
  public String problem() {
    return problem;
  }
}

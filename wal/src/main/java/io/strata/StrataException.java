package io.strata;

/**
 * The root of the unchecked exceptions Strata throws for failures of the store itself (as opposed
 * to bad arguments, which give {@link IllegalArgumentException} or {@link NullPointerException},
 * and misuse such as a call after close, which gives {@link IllegalStateException}). Every module
 * of Strata (the write-ahead log, the key-value engine, the trie) throws this family; the cause,
 * when there is one, is the I/O error or the damage that made the operation fail.
 *
 * <p>Subclasses: {@link CorruptionException} (damaged bytes, in any module), and in the trie
 * {@code MissingNodeException} and {@code InvalidProofException}.
 */
public class StrataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StrataException(String message) {
    super(message);
  }

  public StrataException(String message, Throwable cause) {
    super(message, cause);
  }
}

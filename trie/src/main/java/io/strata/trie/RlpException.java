package io.strata.trie;

/**
 * Bytes that are not a well-formed RLP trie node. Internal: callers turn it into {@link
 * io.strata.CorruptionException} (stored node) or {@link InvalidProofException} (proof).
 */
final class RlpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RlpException(String message) {
    super(message);
  }
}

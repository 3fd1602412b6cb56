package io.strata.trie;

import io.strata.StrataException;

/**
 * A proof that does not prove anything about the given root and key: a node is missing from it,
 * does not hash to the reference its parent makes, or is not a well-formed node; or the proof's
 * bytes are not a proof at all.
 */
public class InvalidProofException extends StrataException {
  private static final long serialVersionUID = 1L;

  public InvalidProofException(String message) {
    super(message);
  }
}

package io.strata.trie;

import io.strata.StrataException;

/**
 * A node the trie needs is not in the store: the root asked for was never committed there, or a
 * node below it is gone. Names the hash of the missing node.
 */
public class MissingNodeException extends StrataException {
  private static final long serialVersionUID = 1L;

  private final transient Hash hash;

  public MissingNodeException(Hash hash, String detail) {
    super("trie node " + hash + " is missing: " + detail);
    this.hash = hash;
  }

  /** The hash of the node that was not found. */
  public Hash hash() {
    return hash;
  }
}

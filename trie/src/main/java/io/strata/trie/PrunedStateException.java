package io.strata.trie;

import java.util.OptionalLong;

/**
 * The root asked for was committed to this store but has left its retention window ({@link
 * Retention#blocks(int)}): its nodes are deleted or about to be. Names the root and, when the
 * store still knows it, the block it was recorded at.
 */
public class PrunedStateException extends MissingNodeException {
  private static final long serialVersionUID = 1L;

  private final transient Hash root;
  private final long block;

  public PrunedStateException(Hash root, OptionalLong block, String detail) {
    super(root, "root " + root + (block.isPresent() ? " of block " + block.getAsLong() : "")
        + " was pruned: " + detail);
    this.root = root;
    this.block = block.isPresent() ? block.getAsLong() : -1;
  }

  /** The pruned root. */
  public Hash root() {
    return root;
  }

  /** The block the root was recorded at, when known. */
  public OptionalLong block() {
    return block < 0 ? OptionalLong.empty() : OptionalLong.of(block);
  }
}

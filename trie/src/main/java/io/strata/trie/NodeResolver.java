package io.strata.trie;

/**
 * Loads the node a {@link HashNode} names. Implementations are safe to call from any thread.
 */
interface NodeResolver {
  /**
   * The node with this hash.
   *
   * @throws MissingNodeException if the node is not there
   * @throws io.strata.CorruptionException if its stored bytes do not hash to its name or are
   *     not a node
   */
  Node resolve(HashNode ref);

  /** The exception for a node graph that decodes but cannot be a trie of byte keys. */
  default RuntimeException corrupt(String problem) {
    return new IllegalStateException(problem);
  }

  /** For tries that live only in memory: they never contain a {@link HashNode}. */
  NodeResolver NONE = ref -> {
    throw new MissingNodeException(ref.hash, "an in-memory trie holds no reference to a stored node");
  };
}

/**
 * The Ethereum-compatible Merkle Patricia trie stored in the LSM engine: {@link
 * io.strata.trie.StateStore}, {@link io.strata.trie.Trie}, {@link io.strata.trie.Proof}. Only
 * {@code io.strata.trie} is exported.
 */
module io.strata.trie {
  // StateStore.on(Db) and StateOptions carry the engine's types.
  requires transitive io.strata.lsm;

  exports io.strata.trie;
}

/**
 * An Ethereum-compatible, immutable Merkle Patricia trie whose nodes are stored in the Strata LSM
 * engine keyed by their Keccak-256 hash.
 *
 * <p>Public API: {@link io.strata.trie.Trie} (an immutable trie, in memory or backed by a store),
 * {@link io.strata.trie.TrieUpdater} (batch updates), {@link io.strata.trie.StateStore} (commits
 * and history by block number), {@link io.strata.trie.StateOptions}, {@link
 * io.strata.trie.Hash}, {@link io.strata.trie.Proof}, {@link io.strata.trie.RangeProof} (range
 * proofs, snap sync), {@link io.strata.trie.StateChange} (diffs). Everything else is
 * package-private. The on-disk format is in {@code trie/FORMAT.md}.
 */
package io.strata.trie;

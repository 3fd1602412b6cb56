/**
 * An Ethereum-compatible, immutable Merkle Patricia trie whose nodes are stored in the Strata LSM
 * engine keyed by their Keccak-256 hash.
 *
 * <p>Not yet implemented: this module holds only its package declaration until the trie lands.
 */
package io.strata.trie;

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code eth_getProof} shape (issue 19, also in the README): an account proof against the
 * block's state root, then storage proofs against the account's storage root, all checked with
 * {@link Proof#verifySecure}; in a windowed store whose pruning follows the account leaves.
 */
class EthGetProofExampleTest {
  @TempDir Path tmp;

  @Test
  void accountAndStorageProofsVerifyAgainstABlockRootAndItsStorageRoot() {
    StateOptions options = StateOptions.builder().secure(true)
        .leafLinks(LeafLinks.ethereumAccounts()).retention(Retention.blocks(2)).build();
    byte[] address = hex("00000000000000000000000000000000000000aa");
    byte[] slot = new byte[32];
    slot[31] = 1;
    byte[] slotValue = {0x2a};
    try (StateStore store = StateStore.open(tmp.resolve("state"), options)) {
      Trie storage = store.emptyTrie().put(slot, slotValue);
      Trie accounts = store.emptyTrie().put(address,
          WorldStateModel.accountValue(7, storage.rootHash()));
      Hash stateRoot = store.commit(1, accounts, List.of(storage));

      // the client's side: only the block's state root, the proofs and Proof.verifySecure
      Trie atBlock = store.trie(store.rootAt(1).orElseThrow());
      Proof accountProof = atBlock.prove(address);
      byte[] account = Proof.verifySecure(stateRoot, address, accountProof).orElseThrow();
      Hash storageRoot = LeafLinks.ethereumAccounts().links(Keccak.hash(address), account).get(0);
      assertEquals(storage.rootHash(), storageRoot);
      Proof storageProof = store.trie(storageRoot).prove(slot);
      assertArrayEquals(slotValue,
          Proof.verifySecure(storageRoot, slot, storageProof).orElseThrow());
      byte[] absent = new byte[32];
      assertEquals(Optional.empty(), Proof.verifySecure(storageRoot, absent,
          store.trie(storageRoot).prove(absent)), "absence is proven too");

      // the storage trie lives as long as a retained block links it, then is pruned
      Trie later = atBlock;
      for (long b = 2; b <= 4; b++) {
        later = later.remove(address).put(new byte[] {(byte) b}, new byte[] {(byte) b});
        store.commit(b, later, List.of());
      }
      store.waitForPruning();
      assertThrows(PrunedStateException.class, () -> store.trie(stateRoot));
      assertTrue(!store.isRetained(storageRoot), "no retained block links the storage trie");
      assertThrows(MissingNodeException.class, () -> store.trie(storageRoot).get(slot));
      assertEquals(1, store.stats().linkedTriesPruned());
    }
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}

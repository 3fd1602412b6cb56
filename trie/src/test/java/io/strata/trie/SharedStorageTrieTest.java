package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One storage trie linked from two accounts (contracts from one template): when one account
 * moves to another storage trie and the block that linked it from both leaves the window, the
 * trie is still linked from the other account and stays whole (issue 19); once neither links it,
 * it is pruned.
 */
class SharedStorageTrieTest {
  @TempDir Path tmp;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aStorageTrieLinkedFromTwoAccountsLivesWhileOneStillLinksIt() {
    StateOptions options = StateOptions.builder().secure(true)
        .leafLinks(LeafLinks.ethereumAccounts()).retention(Retention.blocks(1)).build();
    try (StateStore store = StateStore.open(tmp.resolve("state"), options)) {
      Trie shared = store.emptyTrie();
      for (int i = 0; i < 40; i++) {
        shared = shared.put(b("slot-" + i), b("template value " + i));
      }
      Trie other = shared.put(b("slot-0"), b("changed"));
      byte[] a = b("account-a");
      byte[] c = b("account-c");
      Trie accounts = store.emptyTrie()
          .put(a, WorldStateModel.accountValue(1, shared.rootHash()))
          .put(c, WorldStateModel.accountValue(2, shared.rootHash()));
      Hash first = store.commit(1, accounts, List.of(shared));
      // block 2: account c moves to another storage trie; a still links the shared one
      accounts = accounts.put(c, WorldStateModel.accountValue(2, other.rootHash()));
      store.commit(2, accounts, List.of(other));
      store.waitForPruning();
      assertFalse(store.isRetained(first), "block 1 left the window of one block");
      assertTrue(store.isRetained(shared.rootHash()), "account a still links it");
      Trie read = store.trie(shared.rootHash());
      for (int i = 0; i < 40; i++) {
        assertArrayEquals(b("template value " + i), read.get(b("slot-" + i)), "slot " + i);
      }
      assertEquals(0, store.stats().linkedTriesPruned());

      // block 3: a moves too: nothing retained links the shared trie any more
      accounts = accounts.put(a, WorldStateModel.accountValue(1, other.rootHash()));
      store.commit(3, accounts, List.of());
      store.waitForPruning();
      assertFalse(store.isRetained(shared.rootHash()));
      assertEquals(1, store.stats().linkedTriesPruned());
      Trie still = store.trie(other.rootHash());
      assertArrayEquals(b("changed"), still.get(b("slot-0")));
      assertArrayEquals(b("template value 39"), still.get(b("slot-39")));
    }
  }
}

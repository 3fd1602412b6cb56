package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A put of the value a key already has, on a trie read back from a store (its nodes are hash
 * references until resolved), leaves the trie the same object, and committing it writes no node
 * (issue 13: it used to copy and rewrite the whole path under the same hashes). Also for a put of
 * an absent key followed by its removal inside one updater, which must come back to the stored
 * nodes' hashes without new records beyond what differs.
 */
class UnchangedPutTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putOfTheCurrentValueLeavesAStoredTrieUnchanged() {
    StateOptions opts = StateOptions.builder().syncCommits(false).build();
    Hash root;
    try (StateStore store = StateStore.open(dir, opts)) {
      Trie t = store.emptyTrie();
      for (int i = 0; i < 2_000; i++) {
        t = t.put(b("key-" + i), b("value-" + i));
      }
      root = store.commit(t);
    }
    try (StateStore store = StateStore.open(dir, opts)) {
      Trie t = store.trie(root);
      long nodes0 = store.stats().nodesWritten();
      long bytes0 = store.stats().bytesWritten();
      // persistent puts, one at a time
      Trie u = t;
      for (int i = 0; i < 2_000; i += 97) {
        byte[] k = b("key-" + i);
        Trie next = u.put(k, u.get(k));
        assertSame(u, next, "put(k, get(k)) of key-" + i + " returned a new trie");
        u = next;
      }
      // and through one updater (the edit-token path)
      Trie w = t.update(up -> {
        for (int i = 0; i < 2_000; i += 89) {
          up.put(b("key-" + i), b("value-" + i));
        }
      });
      assertSame(t, w, "an updater putting unchanged values returned a new trie");
      assertEquals(root, store.commit(w));
      assertEquals(0, store.stats().nodesWritten() - nodes0, "nodes rewritten by an unchanged trie");
      // a version record may be written; no node bytes beyond it (one node is > 60 bytes)
      long bytes = store.stats().bytesWritten() - bytes0;
      assertEquals(true, bytes < 200, "bytes written by an unchanged commit: " + bytes);
    }
  }
}

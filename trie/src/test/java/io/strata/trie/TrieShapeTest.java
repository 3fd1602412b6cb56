package io.strata.trie;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrieShapeTest {
  @TempDir Path dir;

  /**
   * do, dog, doge, horse (nibbles 646f, 646f67, 646f6765, 686f727365), counted by hand: extension
   * [6]; branch (4, 8); extension [6f] and leaf horse; branch (value verb); extension [7]; branch
   * (value puppy); leaf coin.
   */
  @Test
  void classicExampleCountedByHand() {
    Trie t = Trie.empty().put(b("do"), b("verb")).put(b("dog"), b("puppy"))
        .put(b("doge"), b("coin")).put(b("horse"), b("stallion"));
    TrieShape s = TrieShape.of(t);
    long[][] expected = {{0, 1, 0}, {1, 0, 0}, {0, 1, 1}, {1, 0, 0}, {0, 1, 0}, {1, 0, 0},
        {0, 0, 1}};
    assertEquals(expected.length, s.depths().size());
    for (int d = 0; d < expected.length; d++) {
      TrieShape.Depth x = s.depths().get(d);
      assertEquals(expected[d][0], x.branches(), "branches at depth " + d);
      assertEquals(expected[d][1], x.extensions(), "extensions at depth " + d);
      assertEquals(expected[d][2], x.leaves(), "leaves at depth " + d);
    }
    assertEquals(8, s.nodes());
    assertEquals(1, s.depths().get(0).stored());
    assertTrue(s.bytes() > 0);
  }

  @Test
  void storedTrieHasTheSameShapeAsInMemory() {
    Trie t = Trie.empty();
    for (int i = 0; i < 500; i++) {
      t = t.put(("key" + i).getBytes(UTF_8), ("value" + i).getBytes(UTF_8));
    }
    TrieShape mem = TrieShape.of(t);
    try (StateStore s = StateStore.open(dir)) {
      Hash root = s.commit(s.emptyTrie().update(u -> {
        for (int i = 0; i < 500; i++) {
          u.put(("key" + i).getBytes(UTF_8), ("value" + i).getBytes(UTF_8));
        }
      }));
      assertEquals(t.rootHash(), root);
      TrieShape stored = TrieShape.of(s.trie(root));
      assertEquals(mem.depths().size(), stored.depths().size());
      for (int d = 0; d < mem.depths().size(); d++) {
        TrieShape.Depth a = mem.depths().get(d);
        TrieShape.Depth b = stored.depths().get(d);
        assertEquals(a.branches(), b.branches(), "depth " + d);
        assertEquals(a.extensions(), b.extensions(), "depth " + d);
        assertEquals(a.leaves(), b.leaves(), "depth " + d);
        assertEquals(a.bytes(), b.bytes(), "depth " + d);
      }
      assertEquals(0, TrieShape.of(s.emptyTrie()).nodes());
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }
}

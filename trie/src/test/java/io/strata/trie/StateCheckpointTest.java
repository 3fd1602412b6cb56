package io.strata.trie;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StateStore.checkpoint: the copy holds every block committed before it, with its nodes. */
class StateCheckpointTest {
  @TempDir Path dir;

  @Test
  void checkpointHoldsBlocksAndNodes() {
    Path store = dir.resolve("s");
    Path copy = dir.resolve("c");
    List<Hash> roots = new ArrayList<>();
    try (StateStore s = StateStore.open(store)) {
      Trie t = s.emptyTrie();
      for (int block = 0; block < 20; block++) {
        for (int i = 0; i < 50; i++) {
          t = t.put(("key" + (block * 7 + i) % 300).getBytes(UTF_8),
              ("v" + block + "/" + i).getBytes(UTF_8));
        }
        roots.add(s.commit(block, t));
      }
      s.checkpoint(copy);
      s.commit(20, t.put("after".getBytes(UTF_8), "x".getBytes(UTF_8)));
      assertThrows(IllegalArgumentException.class, () -> s.checkpoint(copy));
    }
    try (StateStore c = StateStore.open(copy)) {
      assertEquals(19, c.latestBlock().getAsLong());
      assertFalse(c.rootAt(20).isPresent());
      for (int block = 0; block < 20; block++) {
        Hash root = c.rootAt(block).orElseThrow();
        assertEquals(roots.get(block), root);
        // every node of the block's trie is there: read a key written in that block
        assertArrayEquals(("v" + block + "/49").getBytes(UTF_8),
            c.trie(root).get(("key" + (block * 7 + 49) % 300).getBytes(UTF_8)));
      }
    }
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes read back from the flush lag's layer in memory (decoded straight from its chunks) are the
 * nodes committed: with the node cache off every read of a recent root loads them from there, for
 * a root under 32 bytes (held as its encoding) and for an ordinary trie, and a trie built on them
 * hashes as one built in memory.
 */
class HeldNodeReadTest {
  @TempDir Path dir;

  @Test
  void nodesReadFromMemoryAreTheCommittedOnes() {
    StateOptions options = StateOptions.builder().syncCommits(false).nodeCacheBytes(0)
        .retention(Retention.blocks(8)).flushLag(4).build();
    try (StateStore store = StateStore.open(dir, options)) {
      // a single short entry: the root node is 4 bytes, its reference its encoding
      Trie tiny = Trie.empty().put(new byte[] {1}, new byte[] {2});
      Hash tinyRoot = store.commit(1, store.emptyTrie().put(new byte[] {1}, new byte[] {2}));
      assertEquals(tiny.rootHash(), tinyRoot);
      Trie read = store.trie(tinyRoot);
      assertEquals(tinyRoot, read.rootHash());
      assertEquals(tiny.put(new byte[] {3}, new byte[] {4}).rootHash(),
          read.put(new byte[] {3}, new byte[] {4}).rootHash());

      Trie memory = Trie.empty();
      Trie stored = store.trie(tinyRoot);
      for (int block = 0; block < 3; block++) {
        for (int i = 0; i < 300; i++) {
          byte[] k = Hash.keccak256(new byte[] {(byte) block, (byte) i, (byte) (i >> 8)}).bytes();
          byte[] v = new byte[40 + i % 7];
          v[0] = (byte) i;
          memory = memory.put(k, v);
          stored = stored.put(k, v);
        }
        memory = memory.put(new byte[] {1}, new byte[] {2});
        Hash root = store.commit(2 + block, stored);
        assertEquals(memory.rootHash(), root);
        stored = store.trie(root); // read back from the layer: nothing was written yet
        assertEquals(root, stored.rootHash());
      }
      for (int i = 0; i < 300; i++) {
        byte[] k = Hash.keccak256(new byte[] {1, (byte) i, (byte) (i >> 8)}).bytes();
        assertArrayEquals(memory.get(k), stored.get(k));
      }
    }
  }
}

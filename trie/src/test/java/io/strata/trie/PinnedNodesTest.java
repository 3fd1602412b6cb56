package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * References in the top {@link HashNode#PINNED_DEPTH} nibbles of a loaded trie keep the node they
 * resolved to, so reads pass the upper levels without a node-cache lookup; deeper references keep
 * nothing (the memory stays bounded by the cache), and with the node cache off nothing is kept.
 * Fails when the pinning ignores the depth (deep references keep nodes), when it ignores a cache
 * of 0, or when it keeps nothing.
 */
class PinnedNodesTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 64L << 20})
  void onlyTheTopLevelsKeepTheirNodes(long cacheBytes) {
    StateOptions opts = StateOptions.builder().syncCommits(false).nodeCacheBytes(cacheBytes)
        .secure(true).build();
    Hash root;
    try (StateStore store = StateStore.open(dir, opts)) {
      Trie t = store.emptyTrie().update(u -> {
        for (int i = 0; i < 20_000; i++) {
          u.put(b("key-" + i), b("value-" + i));
        }
      });
      root = store.commit(t);
    }
    try (StateStore store = StateStore.open(dir, opts)) {
      Trie t = store.trie(root);
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 20_000; i++) {
          assertArrayEquals(b("value-" + i), t.get(b("key-" + i)), "key-" + i);
        }
      }
      // references in the top levels, those of them keeping a node, deeper ones keeping one
      int[] counts = new int[3];
      walk(t.root, 0, counts, store.resolver());
      assertTrue(counts[0] > 4_000, "references in the top levels: " + counts[0]);
      assertEquals(cacheBytes == 0 ? 0 : counts[0], counts[1],
          "top-level references keeping their nodes after every key was read");
      assertEquals(0, counts[2], "references deeper than " + HashNode.PINNED_DEPTH
          + " nibbles keeping their nodes");
    }
  }

  /** Counts the references below {@code n} (at {@code depth} nibbles), loading as it goes. */
  private static void walk(Node n, int depth, int[] counts, NodeResolver resolver) {
    if (n instanceof BranchNode br) {
      for (Node c : br.children) {
        visit(c, depth + 1, counts, resolver);
      }
    } else if (n instanceof ExtensionNode ext) {
      visit(ext.child, depth + ext.path.length, counts, resolver);
    }
  }

  private static void visit(Node c, int depth, int[] counts, NodeResolver resolver) {
    if (c instanceof HashNode h) {
      Node kept = h.resolved;
      if (depth <= HashNode.PINNED_DEPTH) {
        counts[0]++;
        counts[1] += kept != null ? 1 : 0;
      } else {
        counts[2] += kept != null ? 1 : 0;
      }
      walk(kept != null ? kept : resolver.resolve(h), depth, counts, resolver);
    } else if (c != null) {
      walk(c, depth, counts, resolver);
    }
  }
}

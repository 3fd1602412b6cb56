package io.strata.trie;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Turns a hashed trie into the {@link NodeSet} a commit writes. Two ways:
 *
 * <ul>
 *   <li>{@link #unstored}: every node not yet marked stored (archive stores, where nothing is
 *       ever deleted, so the hint is always true);
 *   <li>{@link #against}: every node the trie holds that the anchor trie does not hold at the same
 *       position ({@link TrieDiff}), whether new in memory or loaded; exactly the set the pruning
 *       forest counts for the new version, and nothing the anchor already holds is written again.
 * </ul>
 *
 * <p>Thread-safety: static methods; the trie is immutable and hashed by the caller.
 */
final class Committer {
  private Committer() {}

  static NodeSet unstored(Node root, Hash rootHash) {
    NodeSet set = new NodeSet();
    if (root != null && !root.stored) {
      collect(root, Nibbles.EMPTY, rootHash, set);
    }
    return set;
  }

  private static void collect(Node n, byte[] pos, Hash rootHash, NodeSet set) {
    if (n instanceof BranchNode br) {
      for (int i = 0; i < 16; i++) {
        Node c = br.children[i];
        if (c != null && !c.stored && c.ref.length == Hash.LENGTH) {
          byte[] p = java.util.Arrays.copyOf(pos, pos.length + 1);
          p[pos.length] = (byte) i;
          collect(c, p, null, set);
        }
      }
    } else if (n instanceof ExtensionNode ext) {
      Node c = ext.child;
      if (!c.stored && c.ref.length == Hash.LENGTH) {
        collect(c, Nibbles.concat(pos, ext.path), null, set);
      }
    }
    byte[] hash = rootHash != null ? rootHash.bytes() : n.ref;
    set.add(StoreKeys.node(pos, hash), encode(n), n);
  }

  static NodeSet against(Node root, Hash rootHash, Node anchor, Hash anchorHash,
      NodeResolver resolver) {
    List<Object[]> found = new ArrayList<>();
    TrieDiff.onlyIn(root, rootHash, anchor, anchorHash, resolver,
        (pos, node, hash) -> found.add(new Object[] {pos, node, hash}));
    Collections.reverse(found); // the walk reports parents first; write children first
    NodeSet set = new NodeSet();
    for (Object[] f : found) {
      Node n = (Node) f[1];
      set.add(StoreKeys.node((byte[]) f[0], (byte[]) f[2]), encode(n), n);
    }
    return set;
  }

  static byte[] encode(Node n) {
    byte[] enc = new byte[n.encodedLength()];
    n.encode(enc, 0);
    return enc;
  }
}

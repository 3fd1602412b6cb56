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

  /** The unstored nodes of the subtree {@code n} at {@code position} (not a root). */
  static NodeSet unstoredAt(Node n, byte[] position) {
    NodeSet set = new NodeSet();
    if (n != null && !n.stored && n.ref.length == Hash.LENGTH) {
      collect(n, position, null, set);
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
    set.add(StoreKeys.node(pos, hash), take(n), n, pos);
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
      set.add(StoreKeys.node((byte[]) f[0], (byte[]) f[2]), take(n), n, (byte[]) f[0]);
    }
    return set;
  }

  /**
   * Calls {@code sink} with every key-value entry held in node {@code n} itself (a leaf's, a
   * branch's value) or in the nodes embedded in it, given the node's position. Keys are bytes;
   * an entry at an odd number of nibbles (no byte key reaches it) is skipped. The node must be
   * hashed (a branch's embedded children are known from its {@link BranchNode#embedded} mask).
   */
  static void entries(Node n, byte[] pos, java.util.function.BiConsumer<byte[], byte[]> sink) {
    if (n instanceof LeafNode leaf) {
      emit(Nibbles.concat(pos, leaf.path), leaf.value, sink);
    } else if (n instanceof ExtensionNode ext) {
      if (!(ext.child instanceof HashNode) && ext.child.ref != null
          && ext.child.ref.length < Hash.LENGTH) {
        entries(ext.child, Nibbles.concat(pos, ext.path), sink);
      }
    } else if (n instanceof BranchNode br) {
      if (br.value != null) {
        emit(pos, br.value, sink);
      }
      // the embedded children from the node's mask: loading all sixteen child objects to ask
      // each was most of the journal's and the leave set's entry walks (cache misses)
      for (int m = br.embedded; m != 0; m &= m - 1) {
        int i = Integer.numberOfTrailingZeros(m);
        byte[] p = java.util.Arrays.copyOf(pos, pos.length + 1);
        p[pos.length] = (byte) i;
        entries(br.children[i], p, sink);
      }
    }
  }

  private static void emit(byte[] nibbles, byte[] value,
      java.util.function.BiConsumer<byte[], byte[]> sink) {
    if (nibbles.length % 2 == 0) {
      sink.accept(Nibbles.toBytes(nibbles, nibbles.length), value);
    }
  }

  static byte[] encode(Node n) {
    byte[] enc = new byte[n.encodedLength()];
    n.encode(enc, 0);
    return enc;
  }

  /**
   * The node's encoding for a write: the one its hashing kept ({@link Node#encoding}), taken
   * (the node no longer holds it), else encoded now.
   */
  static byte[] take(Node n) {
    byte[] enc = n.encoding;
    if (enc != null) {
      n.encoding = null;
      return enc;
    }
    return encode(n);
  }
}

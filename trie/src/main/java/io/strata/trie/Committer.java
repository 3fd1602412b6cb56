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
   * Both sides of a windowed commit's diff, from the trie's {@link Trace} instead of two walks:
   * {@link #join} holds the nodes the trie holds and the anchor does not (children first, the
   * root last, as {@link #against}), {@link #leaving} the anchor's nodes the trie does not hold,
   * with their positions.
   */
  static final class Traced {
    final NodeSet join;
    final List<Node> leaving;
    final List<byte[]> leavingPositions;
    final List<byte[]> leavingKeys;

    Traced(NodeSet join, List<Node> leaving, List<byte[]> positions, List<byte[]> keys) {
      this.join = join;
      this.leaving = leaving;
      this.leavingPositions = positions;
      this.leavingKeys = keys;
    }
  }

  /**
   * The diff of hashed trie {@code v} (root hash {@code rootHash}) against the committed root
   * {@code anchor}, from {@code v}'s trace; null when the trace does not describe that diff (see
   * {@link Trace#describes}), and the caller walks instead.
   *
   * <p>Why it is exact: every node of the anchor that {@code v} lacks was replaced by some update
   * of the chain, which recorded it (replaced set R); every node {@code v} holds that the anchor
   * lacks is new, so not yet stored (U, the unstored nodes reachable from the root). A new node can
   * carry the key of an anchor node (a value set back): then that anchor node was replaced at the
   * same position, so it is in R. Hence join = U \ R and leaving = R \ U, over store keys. Nodes
   * of U under an anchor key are flagged stored here (they are in the store), so a later trace
   * records them when they are replaced.
   */
  static Traced traced(Trie v, Hash rootHash, Hash anchor) {
    Trace t = v.trace;
    if (t == null || !t.describes(anchor)) {
      return null;
    }
    java.util.HashMap<NodeKey, Integer> replaced = new java.util.HashMap<>(
        Math.max(16, t.chainSize() * 2));
    List<Node> rNodes = new ArrayList<>();
    List<byte[]> rPositions = new ArrayList<>();
    List<byte[]> rKeys = new ArrayList<>();
    t.forEach((pos, n) -> {
      byte[] ref = n.ref;
      byte[] hash = pos.length == 0 ? (ref.length == Hash.LENGTH ? ref : Keccak.hash(ref)) : ref;
      byte[] key = StoreKeys.node(pos, hash);
      if (replaced.putIfAbsent(new NodeKey(key), rNodes.size()) == null) {
        rNodes.add(n);
        rPositions.add(pos);
        rKeys.add(key);
      }
    });
    NodeSet join = unstored(v.root, rootHash);
    boolean[] kept = new boolean[rNodes.size()];
    NodeSet j = new NodeSet();
    for (int i = 0; i < join.size(); i++) {
      Integer r = replaced.get(new NodeKey(join.keys.get(i)));
      Node n = join.nodes.get(i);
      if (r != null) {
        kept[r] = true; // the anchor holds this key: neither joins nor leaves
        n.stored = true;
        n.encoding = null;
      } else {
        j.add(join.keys.get(i), join.values.get(i), n, join.positions.get(i));
      }
    }
    List<Node> leaving = new ArrayList<>(rNodes.size());
    List<byte[]> positions = new ArrayList<>(rNodes.size());
    List<byte[]> keys = new ArrayList<>(rNodes.size());
    for (int i = 0; i < kept.length; i++) {
      if (!kept[i]) {
        leaving.add(rNodes.get(i));
        positions.add(rPositions.get(i));
        keys.add(rKeys.get(i));
      }
    }
    return new Traced(join.size() == j.size() ? join : j, leaving, positions, keys);
  }

  /**
   * Flags every node reachable from {@code root} through unstored nodes as stored: after a
   * windowed commit of a trie whose nodes are all in the store (written now, or held by the
   * anchor under the same key), so that traces of later updates record them when they replace
   * them.
   */
  static void markReachableStored(Node root) {
    if (root != null && !root.stored && root.ref != null) {
      markBelow(root);
      root.stored = true;
    }
  }

  private static void markBelow(Node n) {
    if (n instanceof BranchNode br) {
      for (int i = 0; i < 16; i++) {
        Node c = br.children[i];
        if (c != null && !c.stored && c.ref != null && c.ref.length == Hash.LENGTH) {
          markBelow(c);
          c.stored = true;
        }
      }
    } else if (n instanceof ExtensionNode ext) {
      Node c = ext.child;
      if (!c.stored && c.ref != null && c.ref.length == Hash.LENGTH) {
        markBelow(c);
        c.stored = true;
      }
    }
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

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
      // only the children unstored when the branch was hashed, and not embedded in it
      for (int m = br.unstored & ~br.embedded & 0xffff; m != 0; m &= m - 1) {
        int i = Integer.numberOfTrailingZeros(m);
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
   * root last, as {@link #against}), the leaving nodes are those of the anchor the trie does not
   * hold: node {@code i} stood at the first {@link #leavingLengths}{@code [i]} nibbles of {@link
   * #leavingPaths}{@code [i]}, under store key {@link #leavingKeys}{@code [i]}.
   */
  static final class Traced {
    final NodeSet join;
    final List<Node> leaving = new ArrayList<>();
    final List<byte[]> leavingPaths = new ArrayList<>();
    final IntArray leavingLengths = new IntArray();
    final List<byte[]> leavingKeys = new ArrayList<>();

    Traced(NodeSet join) {
      this.join = join;
    }

    /** The position of leaving node {@code i} (a fresh array). */
    byte[] leavingPosition(int i) {
      return java.util.Arrays.copyOf(leavingPaths.get(i), leavingLengths.get(i));
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
    // R as keys in an open-addressing table of indices, hashed by the node hash's first bytes
    List<Node> rNodes = new ArrayList<>();
    List<byte[]> rPaths = new ArrayList<>();
    IntArray rLengths = new IntArray();
    List<byte[]> rKeys = new ArrayList<>();
    int cap = Integer.highestOneBit(Math.max(8, t.chainSize()) * 2) * 2;
    int[] table = new int[cap]; // index + 1, 0 for empty
    t.forEach((n, path, len) -> {
      byte[] ref = n.ref;
      byte[] hash = len == 0 ? (ref.length == Hash.LENGTH ? ref : Keccak.hash(ref)) : ref;
      byte[] key = StoreKeys.node(path, len, hash);
      int slot = find(table, rKeys, key);
      if (table[slot] == 0) {
        table[slot] = rKeys.size() + 1;
        rNodes.add(n);
        rPaths.add(path);
        rLengths.add(len);
        rKeys.add(key);
      }
    });
    NodeSet u = unstored(v.root, rootHash);
    boolean[] kept = new boolean[rKeys.size()];
    NodeSet join = u;
    if (!rKeys.isEmpty()) {
      for (int i = 0; i < u.size(); i++) {
        int slot = find(table, rKeys, u.keys.get(i));
        if (table[slot] != 0) {
          // the anchor holds this key: neither joins nor leaves; it is in the store
          kept[table[slot] - 1] = true;
          Node n = u.nodes.get(i);
          n.stored = true;
          n.encoding = null;
          if (join == u) {
            join = new NodeSet();
            for (int k = 0; k < i; k++) {
              join.add(u.keys.get(k), u.values.get(k), u.nodes.get(k), u.positions.get(k));
            }
          }
        } else if (join != u) {
          join.add(u.keys.get(i), u.values.get(i), u.nodes.get(i), u.positions.get(i));
        }
      }
    }
    Traced d = new Traced(join);
    for (int i = 0; i < kept.length; i++) {
      if (!kept[i]) {
        d.leaving.add(rNodes.get(i));
        d.leavingPaths.add(rPaths.get(i));
        d.leavingLengths.add(rLengths.get(i));
        d.leavingKeys.add(rKeys.get(i));
      }
    }
    return d;
  }

  /** The slot of {@code key} in {@code table} (linear probing), or the empty slot it would take. */
  private static int find(int[] table, List<byte[]> keys, byte[] key) {
    int n = key.length;
    int h = (key[n - 32] & 0xff) << 24 | (key[n - 31] & 0xff) << 16 | (key[n - 30] & 0xff) << 8
        | (key[n - 29] & 0xff);
    h ^= n * 0x9e3779b9;
    int mask = table.length - 1;
    for (int s = (h ^ h >>> 16) & mask; ; s = (s + 1) & mask) {
      int e = table[s];
      if (e == 0 || java.util.Arrays.equals(keys.get(e - 1), key)) {
        return s;
      }
    }
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

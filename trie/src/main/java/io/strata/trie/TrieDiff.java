package io.strata.trie;

import java.util.Arrays;

/**
 * The nodes one trie holds that another does not hold at the same position: {@code A \ B} over
 * store keys (position, hash). One walk of both tries by position, descending only where they
 * differ: equal references at one position mean equal subtrees (the hash covers everything
 * below), so the walk costs what the two tries do not share, not their size. Nodes load through
 * a resolver as the walk reaches them; nodes embedded in their parent are never reported (they
 * are not stored on their own), the root always is (it is stored under its hash even when
 * short).
 *
 * <p>Relies on a fact of the trie's shape: a position holds at most one node, and a stored node
 * never moves (see {@code trie/PRUNING.md}, F1 and F2).
 *
 * <p>Thread-safety: static methods; the tries are immutable.
 */
final class TrieDiff {
  private TrieDiff() {}

  /** Receives one node of A that B lacks: its position, the node (resolved) and its hash. */
  interface Sink {
    void node(byte[] position, Node node, byte[] hash);
  }

  /** Where the walk stands in B: at node {@code n} (k == 0), inside its path at k, or nowhere. */
  private record Cursor(Node n, int k) {}

  /**
   * Reports every stored node of trie A (root {@code a}, hash {@code aHash}; null for the empty
   * trie) that trie B (root {@code b}, hash {@code bHash}) does not hold at the same position.
   * Both tries must be hashed.
   */
  static void onlyIn(Node a, Hash aHash, Node b, Hash bHash, NodeResolver resolver, Sink sink) {
    if (a == null || aHash.equals(bHash)) {
      return;
    }
    Node an = resolve(a, resolver);
    sink.node(Nibbles.EMPTY, an, aHash.bytes());
    descend(an, Nibbles.EMPTY, b == null ? null : new Cursor(b, 0), resolver, sink);
  }

  private static Node resolve(Node n, NodeResolver resolver) {
    return n instanceof HashNode h ? resolver.resolve(h) : n;
  }

  private static void walk(Node a, byte[] pos, Cursor b, NodeResolver resolver, Sink sink) {
    // one object in both tries (a subtree a mutation did not copy, the usual case between a trie
    // and the one it was made from): equal without loading either node, which at 16 children per
    // changed branch was most of a commit's diff walks (cache misses, not comparisons)
    if (b != null && b.k == 0 && (b.n == a || b.n != null && Arrays.equals(a.ref, b.n.ref))) {
      return;
    }
    if (a.ref.length < Hash.LENGTH) {
      return; // embedded: it and everything below it live inside the parent's encoding
    }
    Node an = resolve(a, resolver);
    sink.node(pos, an, a.ref);
    descend(an, pos, b, resolver, sink);
  }

  private static void descend(Node an, byte[] pos, Cursor b, NodeResolver resolver, Sink sink) {
    if (an instanceof ExtensionNode ext) {
      Cursor c = b;
      for (int i = 0; i < ext.path.length && c != null; i++) {
        c = advance(c, ext.path[i], resolver);
      }
      walk(ext.child, Nibbles.concat(pos, ext.path), c, resolver, sink);
    } else if (an instanceof BranchNode br) {
      // B's node here when it is a branch, resolved once for the sixteen slots (not per slot)
      BranchNode bb = null;
      if (b != null && b.k == 0 && resolve(b.n, resolver) instanceof BranchNode x) {
        bb = x;
      }
      for (int i = 0; i < 16; i++) {
        Node c = br.children[i];
        if (c == null) {
          continue;
        }
        Cursor next;
        if (bb != null) {
          Node bc = bb.children[i];
          if (bc == c) {
            continue; // one subtree shared by both tries: nothing to allocate or load
          }
          next = bc == null ? null : new Cursor(bc, 0);
        } else {
          next = b == null ? null : advance(b, i, resolver);
        }
        byte[] p = Arrays.copyOf(pos, pos.length + 1);
        p[pos.length] = (byte) i;
        walk(c, p, next, resolver, sink);
      }
    }
  }

  /** The cursor one nibble further down B, or null where B holds nothing. */
  private static Cursor advance(Cursor c, int x, NodeResolver resolver) {
    Node n = c.n;
    int k = c.k;
    if (k == 0) {
      n = resolve(n, resolver);
      if (n instanceof BranchNode br) {
        Node child = br.children[x];
        return child == null ? null : new Cursor(child, 0);
      }
    }
    byte[] path = n instanceof ExtensionNode e ? e.path : ((LeafNode) n).path;
    if (k >= path.length || path[k] != x) {
      return null;
    }
    if (k + 1 == path.length) {
      return n instanceof ExtensionNode e ? new Cursor(e.child, 0) : null;
    }
    return new Cursor(n, k + 1);
  }
}

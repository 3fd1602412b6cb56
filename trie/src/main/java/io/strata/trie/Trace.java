package io.strata.trie;

import java.util.Arrays;

/**
 * The stored nodes a chain of updates replaced since a committed root: what lets a windowed
 * commit know both sides of its diff against its anchor without walking both tries ({@link
 * TrieDiff}). The mutator records a node when it replaces it, while the node is in the cache
 * line it just read; go-ethereum's trie tracer keeps the nodes a trie deleted the same way.
 *
 * <p>A trace belongs to one trie made from another by puts and removes ({@link Trie#put}, {@link
 * TrieUpdater}). It starts fresh when that trie's base is a committed root (its root node is
 * stored), and otherwise continues the base's trace ({@link #parent}), so the chain says what
 * changed since the committed root {@link #base}. Only nodes flagged {@link Node#stored} are
 * recorded: nodes the chain itself made are not in any committed root.
 *
 * <p>When a trie is committed, its whole chain is marked {@link #committed}: its new nodes are now
 * flagged stored, so a trie of the same chain committed later (an ancestor, or a sibling made
 * from an ancestor) would miss them in both sides of its diff; such tries fall back to the walk
 * ({@link #describes}).
 *
 * <p>Thread-safety: filled by the one thread that runs the mutation, before the trie holding it
 * is returned; read-only after. {@link #committed} is written and read under the store's commit
 * lock (volatile for readers outside it).
 */
final class Trace {
  private static final byte[][] NO_POSITIONS = new byte[0][];
  private static final Node[] NO_NODES = new Node[0];

  /** The committed root the chain started from. */
  final Hash base;
  /** The trace of the trie this trie was made from, or null when that trie was the base. */
  final Trace parent;
  private byte[][] positions = NO_POSITIONS;
  private Node[] nodes = NO_NODES;
  private int size;
  volatile boolean committed;

  private Trace(Hash base, Trace parent) {
    this.base = base;
    this.parent = parent;
  }

  /**
   * The trace for a trie about to be made from {@code t}, or null when none can be kept (an
   * in-memory trie, or one whose chain does not start at a committed root).
   */
  static Trace start(Trie t) {
    if (t.store == null) {
      return null;
    }
    Node r = t.root;
    if (r == null) {
      return new Trace(Hash.EMPTY_TRIE, null);
    }
    if (r.stored && r.ref != null) {
      return new Trace(t.rootHash(), null);
    }
    return t.trace == null ? null : new Trace(t.trace.base, t.trace);
  }

  /**
   * Records that the mutation replaced node {@code n} (resolved) at position {@code path[0, pos)},
   * if it is a stored node held on its own (not embedded in its parent; the root always is).
   */
  void replaced(Node n, byte[] path, int pos) {
    byte[] ref = n.ref;
    if (!n.stored || ref == null || pos > 0 && ref.length < Hash.LENGTH) {
      return;
    }
    if (size == nodes.length) {
      int cap = Math.max(16, size * 2);
      nodes = Arrays.copyOf(nodes, cap);
      positions = Arrays.copyOf(positions, cap);
    }
    nodes[size] = n;
    positions[size] = Arrays.copyOf(path, pos);
    size++;
  }

  /** Like {@link #replaced} for a node at {@code path[0, pos)} followed by nibble {@code nibble}. */
  void replaced(Node n, byte[] path, int pos, int nibble) {
    if (!n.stored || n.ref == null || n.ref.length < Hash.LENGTH) {
      return;
    }
    byte[] p = Arrays.copyOf(path, pos + 1);
    p[pos] = (byte) nibble;
    replaced(n, p, pos + 1);
  }

  /** This trace, or its parent when it recorded nothing (a chain keeps no empty links). */
  Trace finish() {
    return size == 0 && parent != null ? parent : this;
  }

  /**
   * Whether the chain ending here says exactly what changed since committed root {@code anchor}:
   * it started there and no trie of the chain was committed.
   */
  boolean describes(Hash anchor) {
    if (!base.equals(anchor)) {
      return false;
    }
    for (Trace t = this; t != null; t = t.parent) {
      if (t.committed) {
        return false;
      }
    }
    return true;
  }

  /** Marks the whole chain committed (see the class comment). */
  void markCommitted() {
    for (Trace t = this; t != null && !t.committed; t = t.parent) {
      t.committed = true;
    }
  }

  /** Calls {@code sink} with every recorded node and its position, newest trace first. */
  void forEach(java.util.function.BiConsumer<byte[], Node> sink) {
    for (Trace t = this; t != null; t = t.parent) {
      for (int i = 0; i < t.size; i++) {
        sink.accept(t.positions[i], t.nodes[i]);
      }
    }
  }

  /** Nodes recorded over the chain. */
  int chainSize() {
    int n = 0;
    for (Trace t = this; t != null; t = t.parent) {
      n += t.size;
    }
    return n;
  }
}

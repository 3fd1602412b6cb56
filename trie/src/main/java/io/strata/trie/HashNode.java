package io.strata.trie;

/**
 * A child known only by its hash: the node is in the store and is loaded (through the node cache)
 * when a walk reaches it. The store keys a node by its position (the nibble path from the root of
 * its trie) and its hash, so a hash reference also knows where it sits: the position of the
 * stored node it was decoded from plus one step (a branch slot, or an extension's path). Positions
 * never change (a mutation copies the nodes above a reference, never moves the reference), so a
 * reference reused by a new trie is still at the same position. Immutable; safe to share between
 * threads.
 */
final class HashNode extends Node {
  final Hash hash;
  /** Position of the node this reference was decoded from (shared, never modified). */
  private final byte[] parentPosition;
  /** The branch slot below the parent, or -1 for an extension's child (then {@code step}). */
  private final int slot;
  /** The extension's path below the parent (shared with it), when {@code slot < 0}. */
  private final byte[] step;
  /**
   * The node this reference names, once a store's resolver loaded it, for references in the top
   * {@link #PINNED_DEPTH} nibbles of a trie only (see {@link #pins()}); else null. A reference
   * never names another node, and a node held by a live parent is live itself (a pruned node's
   * parents are pruned first), so the link never goes stale.
   */
  volatile Node resolved;

  /**
   * References whose node sits at most this many nibbles deep keep the node they resolved to:
   * at most 1 + 16 + 256 + 4,096 nodes per root a reader walks (about 2.3 MB of branches), which
   * every read of a store passes through (a node-cache lookup each, with its key built, before).
   */
  static final int PINNED_DEPTH = 3;

  /** A root reference: position is the empty path. */
  HashNode(Hash hash) {
    this(hash, Nibbles.EMPTY, -1, Nibbles.EMPTY);
  }

  HashNode(Hash hash, byte[] parentPosition, int slot, byte[] step) {
    this.hash = hash;
    this.parentPosition = parentPosition;
    this.slot = slot;
    this.step = step;
    this.ref = hash.bytes();
    this.stored = true;
  }

  /** Whether this reference keeps the node it resolves to ({@link #PINNED_DEPTH}). */
  boolean pins() {
    return parentPosition.length + (slot >= 0 ? 1 : step.length) <= PINNED_DEPTH;
  }

  /** The nibble path from the trie's root to the node this reference names (a fresh array). */
  byte[] position() {
    if (slot >= 0) {
      byte[] p = java.util.Arrays.copyOf(parentPosition, parentPosition.length + 1);
      p[parentPosition.length] = (byte) slot;
      return p;
    }
    return step.length == 0 ? parentPosition : Nibbles.concat(parentPosition, step);
  }

  @Override
  int payloadLength() {
    throw new IllegalStateException("a hash reference has no encoding of its own");
  }

  @Override
  int encodePayload(byte[] out, int off) {
    throw new IllegalStateException("a hash reference has no encoding of its own");
  }

  /** The reference (56 bytes), its {@link Hash} (24) and the hash's array (48). */
  static final int WEIGHT = 56 + 24 + 48;

  @Override
  int weight() {
    return WEIGHT;
  }
}

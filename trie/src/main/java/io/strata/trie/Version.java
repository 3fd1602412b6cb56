package io.strata.trie;

/**
 * One recorded (height, root) pair of a windowed store: a member of the pruning forest (see
 * {@code trie/PRUNING.md}). Stored under {@link StoreKeys#version} as root (32 bytes), anchor's
 * sequence number (8, -1 for none), the epoch in which its join was counted (4, 0 for not yet)
 * and the epoch in which its anchor was chosen (4).
 *
 * <p>Thread-safety: mutable fields are changed only under the store's commit lock.
 */
final class Version {
  static final int VALUE_BYTES = 48;

  final long seq;
  final long height;
  final Hash root;
  /** Sequence number of the anchor, or -1. */
  long anchor;
  /** Whether this version's join is counted in the current epoch. */
  boolean joined;
  /**
   * With a flush lag: whether this version has a journal record ({@link StoreKeys#journal}),
   * i.e. some of its nodes may be only in memory; false once they are all on disk.
   */
  boolean journaled;
  /** What the commit wrote (exactly the join), kept until the join is counted; null after. */
  NodeSet joinSet;
  /**
   * The store keys of the nodes the anchor holds that this version does not, with their sizes
   * (key plus node bytes): {@code nodes(anchor) \ nodes(this)}, recorded by the commit from the
   * same tries its join came from (PRUNING.md, section 8a). When the anchor leaves as the forest
   * root with this version as its heir, this is exactly the set it counts down, so that leave
   * needs no diff walk reading old nodes back. Valid only while {@link #anchor} equals {@link
   * #leaveSetAnchor}; null when not recorded (after a reopen, with links, or once re-anchored).
   */
  byte[][] leaveSet;
  /**
   * In a store counting in memory: the keys of {@code nodes(this) \ nodes(anchor)} and their
   * sizes, counted in memory while this is a member with an anchor; null for the forest root
   * and before the join is counted.
   */
  NodeKey[] joinKeys;
  int[] joinSizes;
  /**
   * With links: what the commit wrote for each linked trie, {@code nodes(trie) \ nodes(base)},
   * by root, kept until this version's join is counted. When pruning lets such a trie join
   * anchored to {@code base}, that is its join set and no diff walk reads its nodes back; with
   * another anchor (or after a reopen, when this is null) the join walks as before.
   */
  java.util.Map<Hash, LinkedJoin> linkedJoins;

  /** The node keys and sizes (key plus node bytes) a commit wrote for one linked trie. */
  record LinkedJoin(Hash base, byte[][] keys, int[] sizes) {}

  void linkedJoin(Hash root, Hash base, NodeSet written) {
    byte[][] keys = written.keys.toArray(new byte[0][]);
    int[] sizes = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      sizes[i] = keys[i].length + written.values.get(i).length;
    }
    if (linkedJoins == null) {
      linkedJoins = new java.util.HashMap<>();
    }
    linkedJoins.putIfAbsent(root, new LinkedJoin(base, keys, sizes));
  }
  int[] leaveSetSizes;
  long leaveSetAnchor = -1;

  Version(long seq, long height, Hash root, long anchor) {
    this.seq = seq;
    this.height = height;
    this.root = root;
    this.anchor = anchor;
  }

  byte[] key() {
    return StoreKeys.version(height, seq);
  }

  /**
   * The stored record; {@code countsOnDisk} false for a store counting in memory, whose joins
   * are never on disk (recorded as not counted, so an open that counts on disk counts them).
   */
  byte[] value(int epoch, boolean countsOnDisk) {
    byte[] v = new byte[VALUE_BYTES];
    System.arraycopy(root.bytes(), 0, v, 0, 32);
    StoreKeys.putLong(v, 32, anchor);
    StoreKeys.putInt(v, 40, joined && countsOnDisk ? epoch : 0);
    StoreKeys.putInt(v, 44, epoch);
    return v;
  }

  @Override
  public String toString() {
    return "version " + seq + " (block " + height + ", root " + root + ")";
  }
}

package io.strata.trie;

/**
 * Decodes the RLP encoding of a node. Children referred to by hash become {@link HashNode}s;
 * embedded children (encodings under 32 bytes) are decoded in place and get their encoding as
 * their {@code ref}.
 *
 * <p>Thread-safety: static methods.
 */
final class NodeDecoder {
  private NodeDecoder() {}

  /**
   * Decodes the node encoded in {@code b[off, off + len)}, which must be exactly one list.
   *
   * @throws RlpException if the bytes are not a well-formed node
   */
  static Node decode(byte[] b, int off, int len) {
    return decode(b, off, len, Nibbles.EMPTY);
  }

  /**
   * Decodes a node stored at {@code position} (nibbles from its trie's root): its hash children
   * learn their positions from it. {@code position} is shared, never modified.
   *
   * @throws RlpException if the bytes are not a well-formed node
   */
  static Node decode(byte[] b, int off, int len, byte[] position) {
    try {
      Rlp.Item it = Rlp.item(b, off, off + len, new Rlp.Item());
      if (!it.list) {
        throw new RlpException("a node must be an RLP list");
      }
      if (it.end != off + len) {
        throw new RlpException((off + len - it.end) + " bytes after the node's list");
      }
      return list(b, it.off, it.end, position);
    } catch (IndexOutOfBoundsException e) {
      throw new RlpException("truncated node: " + e.getMessage());
    }
  }

  private static Node list(byte[] b, int p, int end, byte[] position) {
    Rlp.Item it = new Rlp.Item();
    int[] starts = new int[17];
    int n = 0;
    while (p < end) {
      if (n == 17) {
        throw new RlpException("a node list has more than 17 items");
      }
      starts[n++] = p;
      p = Rlp.item(b, p, end, it).end;
    }
    if (n == 17) {
      Node[] children = new Node[16];
      for (int i = 0; i < 16; i++) {
        children[i] = child(b, starts[i], end, it, position, i, Nibbles.EMPTY);
      }
      Rlp.item(b, starts[16], end, it);
      if (it.list) {
        throw new RlpException("a branch value must be a string");
      }
      byte[] value = it.len == 0 ? null : it.bytes(b);
      BranchNode br = new BranchNode(children, value, null);
      if (br.entries() < 2) {
        throw new RlpException("a branch with fewer than two entries");
      }
      int embedded = 0;
      for (int i = 0; i < 16; i++) {
        if (children[i] != null && !(children[i] instanceof HashNode)) {
          embedded |= 1 << i;
        }
      }
      br.embedded = embedded;
      return br;
    }
    if (n != 2) {
      throw new RlpException("a node list has " + n + " items, not 2 or 17");
    }
    Rlp.item(b, starts[0], end, it);
    if (it.list) {
      throw new RlpException("a node path must be a string");
    }
    boolean leaf = HexPrefix.isLeaf(b, it.off, it.len);
    byte[] path = HexPrefix.decode(b, it.off, it.len);
    if (leaf) {
      Rlp.item(b, starts[1], end, it);
      if (it.list) {
        throw new RlpException("a leaf value must be a string");
      }
      if (it.len == 0) {
        throw new RlpException("a leaf with an empty value");
      }
      return new LeafNode(path, it.bytes(b), null);
    }
    if (path.length == 0) {
      throw new RlpException("an extension with an empty path");
    }
    Node child = child(b, starts[1], end, it, position, -1, path);
    if (!(child instanceof BranchNode) && !(child instanceof HashNode)) {
      throw new RlpException("an extension must lead to a branch");
    }
    return new ExtensionNode(path, child, null);
  }

  private static Node child(byte[] b, int p, int end, Rlp.Item it, byte[] position, int slot,
      byte[] step) {
    Rlp.item(b, p, end, it);
    if (!it.list) {
      if (it.len == 0) {
        return null;
      }
      if (it.len != 32) {
        throw new RlpException("a child reference of " + it.len + " bytes, not 0 or 32");
      }
      return new HashNode(Hash.wrap(it.bytes(b)), position, slot, step);
    }
    int start = p;
    int stop = it.end;
    if (stop - start >= 32) {
      throw new RlpException("an embedded child of " + (stop - start) + " bytes (must be < 32)");
    }
    // an embedded node is under 32 bytes, so it holds no hash reference: its position is unused
    Node c = list(b, it.off, it.end, position);
    c.ref = java.util.Arrays.copyOfRange(b, start, stop);
    return c;
  }
}

package io.strata.trie;

/**
 * A branch: sixteen children, one per next nibble, and the value of the key that ends here (or
 * null). Encoded as the 17-item list {@code [ref0, ..., ref15, value]}, empty slots as the empty
 * string. See {@link Node} for the thread-safety contract.
 */
final class BranchNode extends Node {
  final Node[] children;
  byte[] value;
  /**
   * Bit {@code i} set when child {@code i} is embedded (its reference, under 32 bytes, is its
   * encoding), so a walk for the entries held in a node finds its embedded children without
   * loading the sixteen child objects. Valid while the node is hashed ({@link #ref} set): written
   * by the hashing and by the decoder before {@code ref}, like {@link #encodedSize}.
   */
  int embedded;

  BranchNode(Node[] children, byte[] value, Object edit) {
    this.children = children;
    this.value = value;
    this.edit = edit;
  }

  @Override
  int payloadLength() {
    int n = value == null ? 1 : Rlp.stringLength(value);
    for (Node c : children) {
      n += refLength(c);
    }
    return n;
  }

  @Override
  int encodePayload(byte[] out, int off) {
    for (Node c : children) {
      off = writeRef(c, out, off);
    }
    if (value == null) {
      out[off] = (byte) 0x80;
      return off + 1;
    }
    return Rlp.writeString(value, out, off);
  }

  /** The {@link #embedded} mask of the children's computed references. */
  int embeddedMask() {
    int m = 0;
    for (int i = 0; i < 16; i++) {
      Node c = children[i];
      if (c != null && c.ref.length < Hash.LENGTH) {
        m |= 1 << i;
      }
    }
    return m;
  }

  /** Number of non-empty children plus one if there is a value. */
  int entries() {
    int n = value == null ? 0 : 1;
    for (Node c : children) {
      if (c != null) {
        n++;
      }
    }
    return n;
  }

  @Override
  int weight() {
    // the branch (48 bytes), its array of 16 children (80), its hash or encoding, its value
    int w = 48 + 80 + arrayBytes(ref) + arrayBytes(value);
    for (Node c : children) {
      if (c != null) {
        w += c.weight();
      }
    }
    return w;
  }
}

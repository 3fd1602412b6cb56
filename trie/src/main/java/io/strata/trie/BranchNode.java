package io.strata.trie;

/**
 * A branch: sixteen children, one per next nibble, and the value of the key that ends here (or
 * null). Encoded as the 17-item list {@code [ref0, ..., ref15, value]}, empty slots as the empty
 * string. See {@link Node} for the thread-safety contract.
 */
final class BranchNode extends Node {
  final Node[] children;
  byte[] value;

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
    return 96 + 16 * 8 + (value == null ? 0 : value.length);
  }
}

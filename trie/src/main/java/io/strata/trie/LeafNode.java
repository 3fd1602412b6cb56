package io.strata.trie;

/**
 * A leaf: the rest of a key's path (nibbles) and the value. Encoded as the two-item list
 * {@code [hexPrefix(path, leaf=true), value]}. See {@link Node} for the thread-safety contract.
 */
final class LeafNode extends Node {
  byte[] path;
  byte[] value;

  LeafNode(byte[] path, byte[] value, Object edit) {
    this.path = path;
    this.value = value;
    this.edit = edit;
  }

  @Override
  int payloadLength() {
    int hp = HexPrefix.encodedLength(path);
    return (hp == 1 ? 1 : Rlp.headerLength(hp) + hp)
        + Rlp.stringLength(value);
  }

  @Override
  int encodePayload(byte[] out, int off) {
    off = writePath(path, true, out, off);
    return Rlp.writeString(value, out, off);
  }

  /** Writes the hex-prefix path as an RLP string. */
  static int writePath(byte[] path, boolean leaf, byte[] out, int off) {
    int hp = HexPrefix.encodedLength(path);
    if (hp == 1) {
      // zero or one nibble: the byte is 0x00, 0x1X, 0x20 or 0x3X, below 0x80: its own encoding
      return HexPrefix.encode(path, leaf, out, off);
    }
    off = Rlp.writeStringHeader(hp, out, off);
    return HexPrefix.encode(path, leaf, out, off);
  }

  @Override
  int weight() {
    return 40 + arrayBytes(path) + arrayBytes(value) + arrayBytes(ref);
  }
}

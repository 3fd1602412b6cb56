package io.strata.trie;

/**
 * An extension: a shared path (nibbles, never empty) leading to one child, always a branch.
 * Encoded as {@code [hexPrefix(path, leaf=false), childRef]}. See {@link Node} for the
 * thread-safety contract.
 */
final class ExtensionNode extends Node {
  byte[] path;
  Node child;

  ExtensionNode(byte[] path, Node child, Object edit) {
    this.path = path;
    this.child = child;
    this.edit = edit;
  }

  @Override
  int payloadLength() {
    int hp = HexPrefix.encodedLength(path);
    return (hp == 1 ? 1 : Rlp.headerLength(hp) + hp) + refLength(child);
  }

  @Override
  int encodePayload(byte[] out, int off) {
    off = LeafNode.writePath(path, false, out, off);
    return writeRef(child, out, off);
  }

  @Override
  int weight() {
    return 40 + arrayBytes(path) + arrayBytes(ref) + child.weight();
  }
}

package io.strata.trie;

/**
 * A child known only by its hash: the node is in the store and is loaded (through the node cache)
 * when a walk reaches it. Immutable; safe to share between threads.
 */
final class HashNode extends Node {
  final Hash hash;

  HashNode(Hash hash) {
    this.hash = hash;
    this.ref = hash.bytes();
    this.stored = true;
  }

  @Override
  int payloadLength() {
    throw new IllegalStateException("a hash reference has no encoding of its own");
  }

  @Override
  int encodePayload(byte[] out, int off) {
    throw new IllegalStateException("a hash reference has no encoding of its own");
  }

  @Override
  int weight() {
    return 64;
  }
}

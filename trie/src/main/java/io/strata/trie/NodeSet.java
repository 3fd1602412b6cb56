package io.strata.trie;

import java.util.ArrayList;
import java.util.List;

/**
 * What one commit hands the store to write (go-ethereum's {@code trie/committer.go} returns a
 * node set the same way): store keys and encodings of nodes, children before parents, the root
 * last. {@link Committer} builds it; {@link StateStore} writes it. The store key of each node is
 * also what the pruning forest counts.
 *
 * <p>Thread-safety: built by one thread, then read-only.
 */
final class NodeSet {
  final List<byte[]> keys = new ArrayList<>();
  final List<byte[]> values = new ArrayList<>();
  final List<Node> nodes = new ArrayList<>();
  long bytes;

  void add(byte[] key, byte[] value, Node node) {
    keys.add(key);
    values.add(value);
    nodes.add(node);
    bytes += key.length + value.length;
  }

  int size() {
    return keys.size();
  }

  /** Marks every node as stored (a hint: the store holds it under its key). */
  void markStored() {
    for (Node n : nodes) {
      n.stored = true;
    }
  }
}

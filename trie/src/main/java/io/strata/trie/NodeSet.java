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
  /** Position of each node (nibbles from its trie's root). */
  final List<byte[]> positions = new ArrayList<>();
  long bytes;

  void add(byte[] key, byte[] value, Node node, byte[] position) {
    keys.add(key);
    values.add(value);
    nodes.add(node);
    positions.add(position);
    bytes += key.length + value.length;
  }

  /** Appends every node of {@code other}. */
  void addAll(NodeSet other) {
    for (int i = 0; i < other.size(); i++) {
      add(other.keys.get(i), other.values.get(i), other.nodes.get(i), other.positions.get(i));
    }
  }

  int size() {
    return keys.size();
  }

  /** Marks every node as stored (a hint: the store holds it under its key). */
  void markStored() {
    for (Node n : nodes) {
      if (n != null) {
        n.stored = true;
      }
    }
  }
}

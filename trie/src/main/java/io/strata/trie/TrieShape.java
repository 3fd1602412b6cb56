package io.strata.trie;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The shape of one trie: how many nodes of each kind it has at each depth and how many bytes
 * their encodings take, found by walking every node from the root (loading each stored node once
 * per reference, so the walk reads the whole trie). For operators ({@code strata trie stats}) and
 * tests. Immutable.
 *
 * @param depths one entry per depth, from the root (depth 0) down to the deepest node
 */
public record TrieShape(List<Depth> depths) {

  /**
   * The nodes at one depth (the root is at depth 0; a node's children are one deeper, including
   * nodes embedded in their parent's encoding).
   *
   * @param depth distance from the root, in nodes
   * @param branches branch nodes
   * @param extensions extension nodes
   * @param leaves leaf nodes
   * @param stored nodes referred to by hash (stored under their hash), the root included
   * @param bytes bytes of the RLP encodings of all nodes at this depth (embedded ones included)
   */
  public record Depth(int depth, long branches, long extensions, long leaves, long stored,
      long bytes) {
    /** Nodes of every kind at this depth. */
    public long nodes() {
      return branches + extensions + leaves;
    }
  }

  public TrieShape {
    depths = List.copyOf(depths);
  }

  /** Nodes of all depths. */
  public long nodes() {
    return depths.stream().mapToLong(Depth::nodes).sum();
  }

  /** Encoded bytes of all nodes. */
  public long bytes() {
    return depths.stream().mapToLong(Depth::bytes).sum();
  }

  /**
   * Walks {@code trie} (hashing it first if it has changes not yet hashed).
   *
   * @throws MissingNodeException when a node below the root is not in the store
   */
  public static TrieShape of(Trie trie) {
    if (trie.isEmpty()) {
      return new TrieShape(List.of());
    }
    trie.rootHash(); // every node's reference computed, so encodedLength can be taken
    NodeResolver resolver = trie.resolver();
    List<long[]> perDepth = new ArrayList<>();
    Deque<Object[]> todo = new ArrayDeque<>();
    todo.push(new Object[] {trie.root, 0});
    while (!todo.isEmpty()) {
      Object[] item = todo.pop();
      Node n = (Node) item[0];
      int depth = (Integer) item[1];
      boolean byHash = depth == 0;
      if (n instanceof HashNode h) {
        n = resolver.resolve(h);
        byHash = true;
      }
      while (perDepth.size() <= depth) {
        perDepth.add(new long[5]);
      }
      long[] d = perDepth.get(depth);
      d[3] += byHash ? 1 : 0;
      d[4] += n.encodedLength();
      if (n instanceof BranchNode br) {
        d[0]++;
        for (Node c : br.children) {
          if (c != null) {
            todo.push(new Object[] {c, depth + 1});
          }
        }
      } else if (n instanceof ExtensionNode ext) {
        d[1]++;
        todo.push(new Object[] {ext.child, depth + 1});
      } else {
        d[2]++;
      }
    }
    List<Depth> out = new ArrayList<>();
    for (int i = 0; i < perDepth.size(); i++) {
      long[] d = perDepth.get(i);
      out.add(new Depth(i, d[0], d[1], d[2], d[3], d[4]));
    }
    return new TrieShape(out);
  }
}

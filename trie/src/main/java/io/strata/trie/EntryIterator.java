package io.strata.trie;

import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Walks a trie depth-first in key order from a start key, loading nodes only when it reaches them
 * and skipping every subtree whose keys all sort before the start key.
 *
 * <p>Thread-safety: one thread at a time.
 */
final class EntryIterator implements Iterator<Map.Entry<byte[], byte[]>> {
  /** A node to visit, the path to it, and the nearest stored node at or above it (or null). */
  private record Frame(Node node, byte[] prefix, Hash stored) {}

  private final ArrayDeque<Frame> stack = new ArrayDeque<>();
  private final byte[] from;
  private final NodeResolver resolver;
  private Map.Entry<byte[], byte[]> next;

  EntryIterator(Node root, byte[] fromNibbles, NodeResolver resolver) {
    this.from = fromNibbles;
    this.resolver = resolver;
    if (root != null) {
      stack.push(new Frame(root, Nibbles.EMPTY, storedHash(root)));
    }
  }

  /** The hash a stored root is kept under (a root is stored by hash even when small), or null. */
  private static Hash storedHash(Node root) {
    if (root.ref == null || !root.stored) {
      return null;
    }
    return Hash.wrap(root.ref.length == Hash.LENGTH ? root.ref : Keccak.hash(root.ref));
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      next = advance();
    }
    return next != null;
  }

  @Override
  public Map.Entry<byte[], byte[]> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Map.Entry<byte[], byte[]> e = next;
    next = null;
    return e;
  }

  private Map.Entry<byte[], byte[]> advance() {
    while (!stack.isEmpty()) {
      Frame f = stack.pop();
      Node n = f.node;
      Hash stored = f.stored;
      if (n instanceof HashNode h) {
        n = resolver.resolve(h);
        stored = h.hash;
      }
      if (n instanceof LeafNode leaf) {
        byte[] key = Nibbles.concat(f.prefix, leaf.path);
        if (atOrAfterFrom(key)) {
          return entry(key, leaf.value, stored);
        }
      } else if (n instanceof ExtensionNode ext) {
        byte[] p = Nibbles.concat(f.prefix, ext.path);
        if (mayReachFrom(p)) {
          stack.push(new Frame(ext.child, p, stored));
        }
      } else {
        BranchNode br = (BranchNode) n;
        for (int i = 15; i >= 0; i--) {
          Node c = br.children[i];
          if (c != null) {
            byte[] p = Nibbles.concat(f.prefix, new byte[] {(byte) i});
            if (mayReachFrom(p)) {
              stack.push(new Frame(c, p, stored));
            }
          }
        }
        if (br.value != null && atOrAfterFrom(f.prefix)) {
          return entry(f.prefix, br.value, stored);
        }
      }
    }
    return null;
  }

  /** False when every key under {@code prefix} sorts before the start key. */
  private boolean mayReachFrom(byte[] prefix) {
    int n = Math.min(prefix.length, from.length);
    for (int i = 0; i < n; i++) {
      if (prefix[i] != from[i]) {
        return prefix[i] > from[i];
      }
    }
    return true;
  }

  private boolean atOrAfterFrom(byte[] key) {
    return java.util.Arrays.compare(key, from) >= 0;
  }

  private Map.Entry<byte[], byte[]> entry(byte[] nibbles, byte[] value, Hash stored) {
    if (nibbles.length % 2 != 0) {
      // only a stored node graph that no trie of byte keys produces can get here
      throw resolver.corrupt("trie node " + (stored == null ? "(in memory)" : stored)
          + " holds a value at a path of " + nibbles.length
          + " nibbles, which is no key of whole bytes");
    }
    return new AbstractMap.SimpleImmutableEntry<>(
        Nibbles.toBytes(nibbles, nibbles.length), value.clone());
  }
}

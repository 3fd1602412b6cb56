package io.strata.trie;

import java.util.Arrays;

/**
 * Insertion and deletion on nibble paths, keeping the trie canonical (no branch with fewer than
 * two entries, no extension to anything but a branch, no two extensions in a row). Returns the
 * node it was given when nothing changes, so an unchanged trie stays the same object.
 *
 * <p>With a null {@code edit} token every change copies the nodes on its path (a persistent
 * update). With a token, nodes carrying that token were made by this mutator and are changed in
 * place: many updates then cost one copy per node, not one per update.
 *
 * <p>Thread-safety: one thread at a time.
 */
final class TrieMutator {
  private final Object edit;
  private final NodeResolver resolver;

  TrieMutator(Object edit, NodeResolver resolver) {
    this.edit = edit;
    this.resolver = resolver;
  }

  private boolean owned(Node n) {
    return edit != null && n.edit == edit;
  }

  private Node resolve(Node n) {
    return n instanceof HashNode h ? resolver.resolve(h) : n;
  }

  Node insert(Node n, byte[] path, int pos, byte[] value) {
    if (n == null) {
      return new LeafNode(Nibbles.slice(path, pos, path.length), value, edit);
    }
    // unchanged: return the node as given (a hash reference stays one), so the caller's
    // identity check sees no change and keeps its own node (issue 13: put(k, get(k)))
    Node orig = n;
    n = resolve(n);
    if (n instanceof LeafNode leaf) {
      int c = Nibbles.commonPrefix(leaf.path, path, pos);
      if (c == leaf.path.length && pos + c == path.length) {
        if (Arrays.equals(leaf.value, value)) {
          return orig;
        }
        if (owned(leaf)) {
          leaf.value = value;
          leaf.unhash();
          return leaf;
        }
        return new LeafNode(leaf.path, value, edit);
      }
      BranchNode br = new BranchNode(new Node[16], null, edit);
      if (c == leaf.path.length) {
        br.value = leaf.value;
      } else {
        br.children[leaf.path[c]] =
            new LeafNode(Nibbles.slice(leaf.path, c + 1, leaf.path.length), leaf.value, edit);
      }
      put(br, path, pos + c, value);
      return c == 0 ? br : new ExtensionNode(Nibbles.slice(leaf.path, 0, c), br, edit);
    }
    if (n instanceof ExtensionNode ext) {
      int c = Nibbles.commonPrefix(ext.path, path, pos);
      if (c == ext.path.length) {
        Node nc = insert(ext.child, path, pos + c, value);
        if (nc == ext.child) {
          return orig;
        }
        if (owned(ext)) {
          ext.child = nc;
          ext.unhash();
          return ext;
        }
        return new ExtensionNode(ext.path, nc, edit);
      }
      BranchNode br = new BranchNode(new Node[16], null, edit);
      br.children[ext.path[c]] = c + 1 == ext.path.length
          ? ext.child
          : new ExtensionNode(Nibbles.slice(ext.path, c + 1, ext.path.length), ext.child, edit);
      put(br, path, pos + c, value);
      return c == 0 ? br : new ExtensionNode(Nibbles.slice(ext.path, 0, c), br, edit);
    }
    BranchNode br = (BranchNode) n;
    if (pos == path.length) {
      if (Arrays.equals(br.value, value)) {
        return orig;
      }
      if (owned(br)) {
        br.value = value;
        br.unhash();
        return br;
      }
      return new BranchNode(br.children.clone(), value, edit);
    }
    int i = path[pos];
    Node old = br.children[i];
    Node nc = insert(old, path, pos + 1, value);
    if (nc == old) {
      return orig;
    }
    if (owned(br)) {
      br.children[i] = nc;
      br.unhash();
      return br;
    }
    Node[] ch = br.children.clone();
    ch[i] = nc;
    return new BranchNode(ch, br.value, edit);
  }

  /** Puts a new key's remainder into a fresh branch: as its value or as a leaf child. */
  private void put(BranchNode br, byte[] path, int pos, byte[] value) {
    if (pos == path.length) {
      br.value = value;
    } else {
      br.children[path[pos]] = new LeafNode(Nibbles.slice(path, pos + 1, path.length), value, edit);
    }
  }

  /** Deletes the key; returns {@code n} itself when the key is absent, null when nothing is left. */
  Node delete(Node n, byte[] path, int pos) {
    if (n == null) {
      return null;
    }
    Node orig = n;
    n = resolve(n);
    if (n instanceof LeafNode leaf) {
      return Nibbles.equalsTail(path, pos, leaf.path) ? null : orig;
    }
    if (n instanceof ExtensionNode ext) {
      if (!Nibbles.startsWith(path, pos, ext.path)) {
        return orig;
      }
      Node nc = delete(ext.child, path, pos + ext.path.length);
      if (nc == ext.child) {
        return orig;
      }
      return extend(ext, ext.path, nc);
    }
    BranchNode br = (BranchNode) n;
    BranchNode nb;
    if (pos == path.length) {
      if (br.value == null) {
        return orig;
      }
      if (owned(br)) {
        br.value = null;
        br.unhash();
        nb = br;
      } else {
        nb = new BranchNode(br.children.clone(), null, edit);
      }
    } else {
      int i = path[pos];
      Node old = br.children[i];
      if (old == null) {
        return orig;
      }
      Node nc = delete(old, path, pos + 1);
      if (nc == old) {
        return orig;
      }
      if (owned(br)) {
        br.children[i] = nc;
        br.unhash();
        nb = br;
      } else {
        Node[] ch = br.children.clone();
        ch[i] = nc;
        nb = new BranchNode(ch, br.value, edit);
      }
    }
    return collapse(nb);
  }

  /** A branch left with one entry becomes a leaf or joins its only child. */
  private Node collapse(BranchNode br) {
    int only = -1;
    int count = br.value == null ? 0 : 1;
    for (int i = 0; i < 16; i++) {
      if (br.children[i] != null) {
        only = i;
        count++;
      }
    }
    if (count >= 2) {
      return br;
    }
    if (count == 0) {
      return null;
    }
    if (only < 0) {
      return new LeafNode(Nibbles.EMPTY, br.value, edit);
    }
    Node child = br.children[only];
    Node c = resolve(child);
    byte[] prefix = new byte[] {(byte) only};
    if (c instanceof LeafNode leaf) {
      return new LeafNode(Nibbles.concat(prefix, leaf.path), leaf.value, edit);
    }
    if (c instanceof ExtensionNode ext) {
      return new ExtensionNode(Nibbles.concat(prefix, ext.path), ext.child, edit);
    }
    return new ExtensionNode(prefix, child, edit);
  }

  /** The node for {@code prefix} followed by {@code child}, merging paths where the rules ask. */
  private Node extend(ExtensionNode old, byte[] prefix, Node child) {
    if (child == null) {
      return null;
    }
    if (child instanceof LeafNode leaf) {
      return new LeafNode(Nibbles.concat(prefix, leaf.path), leaf.value, edit);
    }
    if (child instanceof ExtensionNode ext) {
      return new ExtensionNode(Nibbles.concat(prefix, ext.path), ext.child, edit);
    }
    if (owned(old)) {
      old.child = child;
      old.unhash();
      return old;
    }
    return new ExtensionNode(prefix, child, edit);
  }
}

package io.strata.trie;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The keys whose values differ between two tries, in key order: walks both tries together,
 * position by position, and skips every pair of subtrees whose references (hash, or encoding for
 * embedded nodes) are equal without loading them, so that the nodes it reads are only nodes that
 * differ. go-ethereum's {@code differenceIterator} ({@code trie/iterator.go}) skips equal
 * subtrees the same way; this one walks both sides at once and yields old and new values.
 *
 * <p>Compressed paths (leaves, extensions) are walked nibble by nibble as a cursor into the
 * node, so a leaf or extension on one side and a branch on the other line up. Where one side has
 * nothing, every entry of the other side's subtree is a change (read whole: every key there
 * changed).
 *
 * <p>Thread-safety: one thread at a time. The tries are immutable.
 */
final class DiffIterator implements Iterator<StateChange> {
  /** A place in one trie: a node and how far into its compressed path the walk is. */
  private record Cursor(Node node, int off) {}

  /** Work to do: compare two cursors, list one side, or emit a change found earlier. */
  private record Task(Cursor from, Cursor to, byte[] prefix, StateChange emit) {}

  private final ArrayDeque<Task> stack = new ArrayDeque<>();
  private final NodeResolver fromResolver;
  private final NodeResolver toResolver;
  private StateChange next;
  private long nodesRead;

  DiffIterator(Node from, NodeResolver fromResolver, Node to, NodeResolver toResolver) {
    this.fromResolver = fromResolver;
    this.toResolver = toResolver;
    if (from != null || to != null) {
      stack.push(new Task(from == null ? null : new Cursor(from, 0),
          to == null ? null : new Cursor(to, 0), Nibbles.EMPTY, null));
    }
  }

  /** Nodes loaded through the resolvers so far (for tests of the read bound). */
  long nodesRead() {
    return nodesRead;
  }

  @Override
  public boolean hasNext() {
    while (next == null && !stack.isEmpty()) {
      next = step(stack.pop());
    }
    return next != null;
  }

  @Override
  public StateChange next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    StateChange c = next;
    next = null;
    return c;
  }

  /** Processes one task; returns a change when it finds one (pushing the rest). */
  private StateChange step(Task t) {
    if (t.emit != null) {
      return t.emit;
    }
    Cursor a = t.from;
    Cursor b = t.to;
    if (a != null && b != null && a.off == b.off && sameRef(a.node, b.node)) {
      return null; // equal subtrees: skipped unread
    }
    a = resolve(a, fromResolver);
    b = resolve(b, toResolver);
    byte[] p = t.prefix;
    if (a == null || b == null) {
      // one side only: its leaves and extensions are taken whole, not nibble by nibble
      Cursor only = a == null ? b : a;
      if (only.node instanceof LeafNode leaf) {
        byte[] k = Nibbles.concat(p, Nibbles.slice(leaf.path, only.off, leaf.path.length));
        return a == null ? change(k, null, leaf.value, b) : change(k, leaf.value, null, a);
      }
      if (only.node instanceof ExtensionNode ext) {
        Cursor c = new Cursor(ext.child, 0);
        byte[] cp = Nibbles.concat(p, Nibbles.slice(ext.path, only.off, ext.path.length));
        stack.push(a == null ? new Task(null, c, cp, null) : new Task(c, null, cp, null));
        return null;
      }
    }
    if (a != null && b != null && a.node instanceof LeafNode la && b.node instanceof LeafNode lb) {
      byte[] ka = Nibbles.concat(p, Nibbles.slice(la.path, a.off, la.path.length));
      byte[] kb = Nibbles.concat(p, Nibbles.slice(lb.path, b.off, lb.path.length));
      int c = Arrays.compare(ka, kb);
      if (c == 0) {
        return Arrays.equals(la.value, lb.value) ? null : change(ka, la.value, lb.value, a);
      }
      StateChange first = c < 0 ? change(ka, la.value, null, a) : change(kb, null, lb.value, b);
      StateChange second = c < 0 ? change(kb, null, lb.value, b) : change(ka, la.value, null, a);
      stack.push(new Task(null, null, null, second));
      return first;
    }
    for (int i = 15; i >= 0; i--) {
      Cursor ca = child(a, i);
      Cursor cb = child(b, i);
      if (ca != null || cb != null) {
        stack.push(new Task(ca, cb, Nibbles.concat(p, new byte[] {(byte) i}), null));
      }
    }
    byte[] va = value(a);
    byte[] vb = value(b);
    if (Arrays.equals(va, vb)) {
      return null;
    }
    return change(p, va, vb, va != null ? a : b);
  }

  private static boolean sameRef(Node x, Node y) {
    if (x == y) {
      return true;
    }
    byte[] rx = x.ref;
    byte[] ry = y.ref;
    return rx != null && ry != null && Arrays.equals(rx, ry);
  }

  private Cursor resolve(Cursor c, NodeResolver r) {
    if (c == null || !(c.node instanceof HashNode h)) {
      return c;
    }
    nodesRead++;
    return new Cursor(r.resolve(h), 0);
  }

  /** The value of the key ending exactly at the cursor, or null. */
  private static byte[] value(Cursor c) {
    if (c == null) {
      return null;
    }
    if (c.node instanceof LeafNode leaf) {
      return c.off == leaf.path.length ? leaf.value : null;
    }
    if (c.node instanceof BranchNode br) {
      return br.value;
    }
    return null;
  }

  /** The cursor one nibble {@code i} further down, or null. */
  private static Cursor child(Cursor c, int i) {
    if (c == null) {
      return null;
    }
    Node n = c.node;
    if (n instanceof LeafNode leaf) {
      return c.off < leaf.path.length && leaf.path[c.off] == i ? new Cursor(leaf, c.off + 1)
          : null;
    }
    if (n instanceof ExtensionNode ext) {
      if (ext.path[c.off] != i) {
        return null;
      }
      return c.off + 1 == ext.path.length ? new Cursor(ext.child, 0) : new Cursor(ext, c.off + 1);
    }
    Node ch = ((BranchNode) n).children[i];
    return ch == null ? null : new Cursor(ch, 0);
  }

  private StateChange change(byte[] path, byte[] oldValue, byte[] newValue, Cursor where) {
    if (path.length % 2 != 0) {
      NodeResolver r = oldValue != null ? fromResolver : toResolver;
      throw r.corrupt("a trie node holds a value at a path of " + path.length
          + " nibbles, which is no key of whole bytes (" + where.node.getClass().getSimpleName()
          + ")");
    }
    return new StateChange(Nibbles.toBytes(path, path.length), oldValue, newValue);
  }
}

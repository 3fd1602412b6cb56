package io.strata.trie;

/**
 * A node of the trie: {@link LeafNode}, {@link ExtensionNode}, {@link BranchNode}, or {@link
 * HashNode} (a node known only by its hash, loaded from the store on demand).
 *
 * <p>Invariants and thread-safety: a node reachable from a {@link Trie} never changes its
 * contents. A node created by a {@link TrieUpdater} carries that updater's {@code edit} token and
 * is changed in place by it until the updater finishes, before any other thread can see it; after
 * that the token is dead and the node is as immutable as any other. The cached {@code ref}
 * (volatile) is computed by whichever thread hashes first; every thread computes the same bytes.
 * {@code stored} is a hint set after a successful commit: a thread that misses it writes the same
 * node again, which is harmless.
 */
abstract class Node {
  /**
   * How a parent refers to this node, once hashed: its RLP encoding when shorter than 32 bytes
   * (embedded in the parent), otherwise the 32-byte Keccak-256 of the encoding. Null until hashed.
   */
  volatile byte[] ref;
  /** True once the node (if referred to by hash) is known to be in the store. */
  boolean stored;
  /** The updater allowed to change this node in place, or null. */
  Object edit;
  /**
   * The length of the RLP encoding once known, else 0: set by the hashing (with {@link #ref},
   * before it, so a thread that sees the reference sees this too or 0) and by a load from the
   * store, when the node is final. A cache only: 0 means compute it.
   */
  int encodedSize;
  /**
   * The RLP encoding (32 bytes or more) kept by the hashing of a trie that belongs to a store,
   * written before {@link #ref} like {@link #encodedSize}, so the commit does not encode the node
   * again; the commit takes it ({@link Committer}) and clears the field, so committed nodes do
   * not keep their encodings. Null otherwise; never changed once set except to null. Another
   * thread may see it null and encode the same bytes itself.
   */
  byte[] encoding;

  /**
   * Forgets the cached reference, length and encoding: for a node its updater (or a verifier
   * rebuilding a trie) is about to change in place.
   */
  final void unhash() {
    ref = null;
    encodedSize = 0;
    encoding = null;
  }

  /** Length of the RLP payload (inside the list header); children's refs must be computed. */
  abstract int payloadLength();

  /** Writes the RLP encoding at {@code off}; returns the end. Children's refs must be computed. */
  final int encode(byte[] out, int off) {
    return encode(out, off, payloadLength());
  }

  /** Like {@link #encode(byte[], int)} with the payload length already computed. */
  final int encode(byte[] out, int off, int payloadLength) {
    return encodePayload(out, Rlp.writeListHeader(payloadLength, out, off));
  }

  /** Writes the list items (without the list header); returns the end. */
  abstract int encodePayload(byte[] out, int off);

  /** Length of the RLP encoding (children's refs must be computed). */
  final int encodedLength() {
    int s = encodedSize;
    if (s != 0) {
      return s;
    }
    int p = payloadLength();
    return Rlp.headerLength(p) + p;
  }

  /** Bytes this node takes in a parent's encoding: empty string, hash string, or embedded. */
  static int refLength(Node child) {
    if (child == null) {
      return 1;
    }
    byte[] r = child.ref;
    return r.length == 32 ? 33 : r.length;
  }

  static int writeRef(Node child, byte[] out, int off) {
    if (child == null) {
      out[off] = (byte) 0x80;
      return off + 1;
    }
    byte[] r = child.ref;
    if (r.length == 32) {
      out[off++] = (byte) 0xa0;
    }
    System.arraycopy(r, 0, out, off, r.length);
    return off + r.length;
  }

  /**
   * Heap bytes of this node and of the objects only it holds (its arrays, its children's
   * references and embedded children), for the byte-bounded node cache: object sizes of a 64-bit
   * JVM with compressed references (12-byte headers, 8-byte alignment), as a class histogram of a
   * store's node cache shows them. Arrays shared with other nodes (a reference's parent position)
   * are not counted.
   */
  abstract int weight();

  /** Heap bytes of an array of {@code length} bytes (none for null). */
  static int arrayBytes(byte[] a) {
    return a == null ? 0 : (16 + a.length + 7) & ~7;
  }
}

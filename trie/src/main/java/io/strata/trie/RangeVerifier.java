package io.strata.trie;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link RangeProof} against a root by rebuilding the root from the edge proofs and the
 * entries, the way go-ethereum's {@code VerifyRangeProof} does (it resolves the two edge paths,
 * unsets what lies between them and re-inserts the entries); this class does the same in one
 * recursive pass over node positions, which also handles keys of any length.
 *
 * <p>The range is {@code S = [L, R]} over nibble paths: {@code L} the origin (empty when null),
 * {@code R} the last entry's key, or no upper end when there are no entries. Every position
 * {@code P} of the trie (the nibble path to a node) is one of:
 *
 * <ol>
 *   <li><em>edge</em>: {@code P} is a prefix of {@code L} or of {@code R}. The node there must be
 *       in the proof (or embedded in an edge node). Its parts inside {@code S} are rebuilt, the
 *       rest kept as the proof has it.
 *   <li><em>inside</em>: every key under {@code P} lies in {@code S}. The subtree is rebuilt from
 *       the entries whose keys start with {@code P}; the proof's version is not looked at.
 *   <li><em>outside</em>: no key under {@code P} lies in {@code S}. The reference to it is kept
 *       unread.
 * </ol>
 *
 * A position that is no prefix of {@code L} or {@code R} lies wholly on one side of each, so
 * these three cases are all. The edge nodes are exactly the nodes a proof of {@code L} and of
 * {@code R} lists, so nothing beyond the two edge proofs is needed. Entries are consumed in key
 * order as rebuilt parts take them; one left over lies where the proof shows no room for it. The
 * rebuilt root must hash to {@code root}: by collision resistance every rebuilt node is then the
 * trie's own node at its position, so the entries are exactly the trie's keys in {@code S}; and
 * whether keys follow {@code R} is read off the kept references to the right of {@code R}.
 *
 * <p>Bounded work for hostile input: every proof node is hashed once; the recursion follows
 * only edge positions, at most one level per nibble of {@code L} or {@code R} (keys are at most
 * {@value Trie#MAX_KEY_BYTES} bytes); each entry is inserted once.
 *
 * <p>Thread-safety: a verifier is used by one thread; {@link #verify} makes a new one per call.
 */
final class RangeVerifier {
  /** What a verification found: whether keys follow, and the rebuilt root (null: empty). */
  record Result(boolean hasMore, Node root) {}

  private final Hash rootHash;
  private final byte[] left;
  /** Null when there is no upper end (a range without entries). */
  private final byte[] right;
  private final byte[][] paths;
  private final List<byte[]> values;
  private final Map<Hash, byte[]> byHash = new HashMap<>();
  private final TrieMutator mutator = new TrieMutator(new Object(), NodeResolver.NONE);
  private int cursor;
  private boolean hasMore;

  private RangeVerifier(Hash rootHash, byte[] left, byte[][] paths, List<byte[]> values) {
    this.rootHash = rootHash;
    this.left = left;
    this.paths = paths;
    this.values = values;
    this.right = paths.length == 0 ? null : paths[paths.length - 1];
  }

  static Result verify(Hash root, byte[] origin, RangeProof range) {
    List<byte[]> keys = range.keysShared();
    List<byte[]> values = range.valuesShared();
    List<byte[]> nodes = range.nodesShared();
    if (origin != null && origin.length > Trie.MAX_KEY_BYTES) {
      throw new IllegalArgumentException("origin of " + origin.length
          + " bytes is longer than " + Trie.MAX_KEY_BYTES);
    }
    if (keys.size() != values.size()) {
      throw new InvalidProofException("inconsistent range: " + keys.size() + " keys, "
          + values.size() + " values");
    }
    byte[][] paths = new byte[keys.size()][];
    for (int i = 0; i < keys.size(); i++) {
      byte[] k = keys.get(i);
      byte[] v = values.get(i);
      if (k.length > Trie.MAX_KEY_BYTES) {
        throw new InvalidProofException("key " + i + " is " + k.length + " bytes, longer than "
            + Trie.MAX_KEY_BYTES);
      }
      if (v.length == 0) {
        throw new InvalidProofException("entry " + i + " (key 0x" + Hash.hex(k)
            + ") has an empty value: a range holds no deletions");
      }
      if (v.length > Trie.MAX_VALUE_BYTES) {
        throw new InvalidProofException("entry " + i + " has a value of " + v.length
            + " bytes, longer than " + Trie.MAX_VALUE_BYTES);
      }
      if (i > 0 && Arrays.compareUnsigned(keys.get(i - 1), k) >= 0) {
        throw new InvalidProofException("keys are not strictly increasing: key " + (i - 1)
            + " 0x" + Hash.hex(keys.get(i - 1)) + ", key " + i + " 0x" + Hash.hex(k));
      }
      paths[i] = Nibbles.of(k);
    }
    if (origin != null && !keys.isEmpty() && Arrays.compareUnsigned(origin, keys.get(0)) > 0) {
      throw new InvalidProofException("key 0 0x" + Hash.hex(keys.get(0))
          + " precedes the origin 0x" + Hash.hex(origin));
    }
    byte[] left = origin == null ? Nibbles.EMPTY : Nibbles.of(origin);
    RangeVerifier v = new RangeVerifier(root, left, paths, values);
    if (root.equals(Hash.EMPTY_TRIE)) {
      if (!keys.isEmpty()) {
        throw new InvalidProofException("the empty trie has no entries, the range has "
            + keys.size());
      }
      return new Result(false, null);
    }
    if (nodes.isEmpty()) {
      return v.wholeTrie();
    }
    for (byte[] n : nodes) {
      v.byHash.put(Hash.wrap(Keccak.hash(n)), n);
    }
    return v.edges();
  }

  /** No proof: the entries must be every entry of the trie. */
  private Result wholeTrie() {
    Node r = null;
    for (int i = 0; i < paths.length; i++) {
      r = mutator.insert(r, paths[i], 0, values.get(i));
    }
    Hash got = Hasher.rootHash(r, false);
    if (!got.equals(rootHash)) {
      throw new InvalidProofException("a range without proof nodes must be the whole trie, but"
          + " its " + paths.length + " entries make root " + got + ", not " + rootHash);
    }
    return new Result(false, r);
  }

  private Result edges() {
    byte[] buf = new byte[Math.max(left.length, right == null ? 0 : right.length) + 1];
    Node root = edge(resolve(new HashNode(rootHash), buf, 0), buf, 0, true,
        right != null);
    if (cursor < paths.length) {
      throw new InvalidProofException("entry " + cursor + " (key 0x"
          + Hash.hex(Nibbles.toBytes(paths[cursor], paths[cursor].length))
          + ") lies where the proof shows no room for it: not a key of the trie under " + rootHash
          + (right == null ? "" : ", or the proof is wrong"));
    }
    Hash got = Hasher.rootHash(root, false);
    if (!got.equals(rootHash)) {
      throw new InvalidProofException(right == null
          ? "the proof of the origin does not show that no key at or after it exists (a range"
              + " without entries must end the trie); the rebuilt root is " + got + ", not "
              + rootHash
          : "the entries and the edge proofs rebuild root " + got + ", not " + rootHash
              + ": an entry is missing, extra or altered, or an edge is wrong");
    }
    return new Result(hasMore, root);
  }

  /**
   * The node at edge position {@code buf[0, len)} with its in-range parts rebuilt.
   *
   * @param onL whether the position is a prefix of L
   * @param onR whether it is a prefix of R (never when R is open)
   */
  private Node edge(Node n, byte[] buf, int len, boolean onL, boolean onR) {
    n.unhash(); // its children may change: hash it again
    n.stored = false;
    if (n instanceof LeafNode leaf) {
      byte[] key = Nibbles.concat(Arrays.copyOf(buf, len), leaf.path);
      if (inRange(key, key.length)) {
        return rebuild(buf, len);
      }
      if (right != null && compare(key, key.length, right) > 0) {
        hasMore = true;
      }
      return leaf;
    }
    if (n instanceof ExtensionNode ext) {
      int clen = len + ext.path.length;
      byte[] cbuf = clen <= buf.length ? buf : Arrays.copyOf(buf, clen);
      System.arraycopy(ext.path, 0, cbuf, len, ext.path.length);
      boolean cl = onL && prefixOf(cbuf, clen, left);
      boolean cr = onR && prefixOf(cbuf, clen, right);
      ext.child = child(ext.child, cbuf, clen, cl, cr);
      if (ext.child == null) {
        // no trie has an extension to nothing, so no such node hashes into the root
        throw new InvalidProofException("the range leaves no key below the extension at path "
            + nibbleString(cbuf, len) + ": an entry is missing or the proof is wrong");
      }
      return ext;
    }
    BranchNode br = (BranchNode) n;
    if (inRange(buf, len)) {
      br.value = cursor < paths.length && equal(paths[cursor], buf, len)
          ? values.get(cursor++) : null;
    } else if (br.value != null && right != null && compare(buf, len, right) > 0) {
      hasMore = true;
    }
    for (int i = 0; i < 16; i++) {
      buf[len] = (byte) i;
      boolean cl = onL && left.length > len && left[len] == i;
      boolean cr = onR && right.length > len && right[len] == i;
      br.children[i] = child(br.children[i], buf, len + 1, cl, cr);
    }
    return br;
  }

  /** The child at position {@code buf[0, len)} in the reconstruction. */
  private Node child(Node c, byte[] buf, int len, boolean onL, boolean onR) {
    if (onL || onR) {
      if (c == null) {
        return null; // an edge ends here: entries under it stay unconsumed and are refused
      }
      return edge(resolve(c, buf, len), buf, len, onL, onR);
    }
    boolean afterL = compare(buf, len, left) > 0;
    boolean beforeR = right == null || compare(buf, len, right) < 0;
    if (afterL && beforeR) {
      return rebuild(buf, len);
    }
    if (c != null && right != null && !beforeR) {
      hasMore = true;
    }
    return c;
  }

  /** The subtree at {@code buf[0, len)} built from the entries under it, consumed. */
  private Node rebuild(byte[] buf, int len) {
    Node r = null;
    while (cursor < paths.length && startsWith(paths[cursor], buf, len)) {
      r = mutator.insert(r, paths[cursor], len, values.get(cursor));
      cursor++;
    }
    return r;
  }

  private Node resolve(Node n, byte[] buf, int len) {
    if (!(n instanceof HashNode h)) {
      return n;
    }
    byte[] enc = byHash.get(h.hash);
    if (enc == null) {
      throw new InvalidProofException("the proof lacks node " + h.hash + " at path "
          + nibbleString(buf, len) + " on the " + edgeName(buf, len) + " edge");
    }
    try {
      return NodeDecoder.decode(enc, 0, enc.length);
    } catch (RlpException e) {
      throw new InvalidProofException("proof node " + h.hash + " is not a trie node: "
          + e.getMessage());
    }
  }

  private String edgeName(byte[] buf, int len) {
    return prefixOf(buf, len, left) ? "origin's" : "last key's";
  }

  private static String nibbleString(byte[] buf, int len) {
    StringBuilder s = new StringBuilder(len == 0 ? "(root)" : "");
    for (int i = 0; i < len; i++) {
      s.append(Character.forDigit(buf[i], 16));
    }
    return s.toString();
  }

  private boolean inRange(byte[] p, int len) {
    return compare(p, len, left) >= 0 && (right == null || compare(p, len, right) <= 0);
  }

  /** Lexicographic order of {@code p[0, len)} and {@code x}; a proper prefix sorts first. */
  static int compare(byte[] p, int len, byte[] x) {
    int n = Math.min(len, x.length);
    for (int i = 0; i < n; i++) {
      if (p[i] != x[i]) {
        return p[i] < x[i] ? -1 : 1;
      }
    }
    return Integer.compare(len, x.length);
  }

  private static boolean prefixOf(byte[] p, int len, byte[] x) {
    if (len > x.length) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (p[i] != x[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] path, byte[] prefix, int len) {
    return prefixOf(prefix, len, path);
  }

  private static boolean equal(byte[] path, byte[] buf, int len) {
    return path.length == len && prefixOf(buf, len, path);
  }
}

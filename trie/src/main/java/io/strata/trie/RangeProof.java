package io.strata.trie;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A range of a trie's entries with the edge proofs that tie it to a root: the entries with keys
 * from an origin on, in key order, and the RLP encodings of the trie nodes on the path of the
 * origin and on the path of the last entry's key. Made by {@link Trie#proveRange}, checked by
 * {@link #verify}, which has the semantics of go-ethereum's {@code trie.VerifyRangeProof} (the
 * one of Ethereum's snap protocol), so that a range proven by either verifies on the other.
 *
 * <p>Keys are paths: for a secure trie ({@link StateOptions#secure()}) they are the 32-byte
 * Keccak-256 hashes of the original keys, and a range is a range of hashed keys, as in snap sync.
 *
 * <p>Serialized form ({@link #toBytes()}): RLP, byte by byte in {@code trie/FORMAT.md}.
 *
 * <p>Thread-safety: immutable, safe to share; every accessor returns copies.
 */
public final class RangeProof {
  private final List<byte[]> keys;
  private final List<byte[]> values;
  private final List<byte[]> nodes;

  RangeProof(List<byte[]> keys, List<byte[]> values, List<byte[]> nodes) {
    this.keys = keys;
    this.values = values;
    this.nodes = nodes;
  }

  /**
   * A range proof received from elsewhere (copied): entries as two lists of equal length, and
   * proof nodes in any order, each the RLP encoding of one trie node. An empty list of proof
   * nodes means "no proof": the entries must then be the whole trie (go-ethereum's nil proof).
   * Nothing is checked here but the shapes; {@link #verify} judges the contents.
   *
   * @throws NullPointerException if a list or an element is null
   * @throws IllegalArgumentException if {@code keys} and {@code values} differ in length
   */
  public static RangeProof of(List<byte[]> keys, List<byte[]> values, List<byte[]> proofNodes) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(proofNodes, "proofNodes");
    if (keys.size() != values.size()) {
      throw new IllegalArgumentException("keys (" + keys.size() + ") and values ("
          + values.size() + ") must have the same length");
    }
    return new RangeProof(copy(keys, "keys"), copy(values, "values"),
        copy(proofNodes, "proofNodes"));
  }

  private static List<byte[]> copy(List<byte[]> list, String name) {
    List<byte[]> c = new ArrayList<>(list.size());
    for (byte[] b : list) {
      c.add(Objects.requireNonNull(b, name + " element").clone());
    }
    return Collections.unmodifiableList(c);
  }

  private static List<byte[]> copyOut(List<byte[]> list) {
    List<byte[]> c = new ArrayList<>(list.size());
    for (byte[] b : list) {
      c.add(b.clone());
    }
    return c;
  }

  /** The keys of the entries, in key order (copies). */
  public List<byte[]> keys() {
    return copyOut(keys);
  }

  /** The values of the entries, in the order of {@link #keys()} (copies). */
  public List<byte[]> values() {
    return copyOut(values);
  }

  /** The proof nodes (RLP encodings, copies), origin path first, each node once. */
  public List<byte[]> proofNodes() {
    return copyOut(nodes);
  }

  /** Number of entries. */
  public int size() {
    return keys.size();
  }

  /** Internal access without copies: callers inside the package must not change the arrays. */
  List<byte[]> keysShared() {
    return keys;
  }

  List<byte[]> valuesShared() {
    return values;
  }

  List<byte[]> nodesShared() {
    return nodes;
  }

  /**
   * Checks that the entries are exactly the entries of the trie with root {@code root} whose
   * keys lie from {@code origin} to the last entry's key, both included (from {@code origin} on,
   * everything, when the range has no entries), and says whether the trie holds keys after them.
   * The four cases of go-ethereum's {@code VerifyRangeProof}:
   *
   * <ul>
   *   <li>no proof nodes: the entries must be the whole trie (their trie's root is {@code
   *       root}); returns false;
   *   <li>no entries, with a proof: the proof of {@code origin} must show that no key at or
   *       after it exists; returns false;
   *   <li>one entry whose key is {@code origin}: the proof must prove that entry;
   *   <li>otherwise the two edge proofs (of {@code origin}, of the last key) and the entries
   *       between must rebuild the trie's root: nothing missing, added, altered or reordered.
   * </ul>
   *
   * Keys must be strictly increasing, at or after {@code origin}, values non-empty. Where
   * go-ethereum refuses what it cannot handle, keys that are prefixes of the next key and edge
   * keys of different lengths (it has only 32-byte keys), this check handles them; go-ethereum
   * does not check {@code origin} against the entries when there is no proof, this check does.
   * Proof nodes no path needs are ignored, as there.
   *
   * @param origin the first key of the range; null for the smallest key (its edge proof is then
   *     not needed; go-ethereum's verifier needs edge keys of equal length, so for a proof meant
   *     for it use the all-zero 32-byte key, as snap sync does)
   * @return whether the trie holds keys after the last entry
   * @throws InvalidProofException naming the problem when the range does not prove that
   */
  public static boolean verify(Hash root, byte[] origin, RangeProof range) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(range, "range");
    return RangeVerifier.verify(root, origin, range).hasMore();
  }

  /** The serialized proof, format in {@code trie/FORMAT.md}. */
  public byte[] toBytes() {
    int pairs = 0;
    for (int i = 0; i < keys.size(); i++) {
      int p = Rlp.stringLength(keys.get(i)) + Rlp.stringLength(values.get(i));
      pairs += Rlp.headerLength(p) + p;
    }
    int proof = 0;
    for (byte[] n : nodes) {
      proof += Rlp.headerLength(n.length) + n.length;
    }
    int payload = Rlp.headerLength(pairs) + pairs + Rlp.headerLength(proof) + proof;
    byte[] out = new byte[Rlp.headerLength(payload) + payload];
    int off = Rlp.writeListHeader(payload, out, 0);
    off = Rlp.writeListHeader(pairs, out, off);
    for (int i = 0; i < keys.size(); i++) {
      int p = Rlp.stringLength(keys.get(i)) + Rlp.stringLength(values.get(i));
      off = Rlp.writeListHeader(p, out, off);
      off = Rlp.writeString(keys.get(i), out, off);
      off = Rlp.writeString(values.get(i), out, off);
    }
    off = Rlp.writeListHeader(proof, out, off);
    for (byte[] n : nodes) {
      off = Rlp.writeStringHeader(n.length, out, off);
      System.arraycopy(n, 0, out, off, n.length);
      off += n.length;
    }
    assert off == out.length;
    return out;
  }

  /**
   * Reads a proof written by {@link #toBytes()}. Reading is bounded by the input: it descends
   * exactly three list levels and allocates no more than the input's size.
   *
   * @throws InvalidProofException if {@code bytes} is not a serialized range proof
   */
  public static RangeProof fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    try {
      Rlp.Item it = Rlp.item(bytes, 0, bytes.length, new Rlp.Item());
      if (!it.list || it.end != bytes.length) {
        throw new RlpException("not a single RLP list");
      }
      int end = it.end;
      Rlp.Item pairs = Rlp.item(bytes, it.off, end, new Rlp.Item());
      if (!pairs.list) {
        throw new RlpException("the entries must be a list");
      }
      Rlp.Item proof = Rlp.item(bytes, pairs.end, end, new Rlp.Item());
      if (!proof.list) {
        throw new RlpException("the proof nodes must be a list");
      }
      if (proof.end != end) {
        throw new RlpException((end - proof.end) + " bytes after the proof nodes");
      }
      List<byte[]> keys = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      Rlp.Item pair = new Rlp.Item();
      Rlp.Item s = new Rlp.Item();
      for (int p = pairs.off; p < pairs.end; p = pair.end) {
        Rlp.item(bytes, p, pairs.end, pair);
        if (!pair.list) {
          throw new RlpException("entry " + keys.size() + " is not a [key, value] list");
        }
        Rlp.item(bytes, pair.off, pair.end, s);
        if (s.list) {
          throw new RlpException("the key of entry " + keys.size() + " is not a byte string");
        }
        byte[] key = s.bytes(bytes);
        Rlp.item(bytes, s.end, pair.end, s);
        if (s.list) {
          throw new RlpException("the value of entry " + keys.size() + " is not a byte string");
        }
        if (s.end != pair.end) {
          throw new RlpException("entry " + keys.size() + " has more than two items");
        }
        keys.add(key);
        values.add(s.bytes(bytes));
      }
      List<byte[]> nodes = new ArrayList<>();
      for (int p = proof.off; p < proof.end; p = s.end) {
        Rlp.item(bytes, p, proof.end, s);
        if (s.list) {
          throw new RlpException("proof node " + nodes.size() + " is not a byte string");
        }
        nodes.add(s.bytes(bytes));
      }
      return new RangeProof(Collections.unmodifiableList(keys),
          Collections.unmodifiableList(values), Collections.unmodifiableList(nodes));
    } catch (RlpException e) {
      throw new InvalidProofException("not a serialized range proof: " + e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeProof r && same(keys, r.keys) && same(values, r.values)
        && same(nodes, r.nodes);
  }

  private static boolean same(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (List<byte[]> l : List.of(keys, values, nodes)) {
      for (byte[] b : l) {
        h = 31 * h + Arrays.hashCode(b);
      }
    }
    return h;
  }

  @Override
  public String toString() {
    return "RangeProof{" + keys.size() + " entries"
        + (keys.isEmpty() ? "" : " from 0x" + Hash.hex(keys.get(0)) + " to 0x"
            + Hash.hex(keys.get(keys.size() - 1))) + ", " + nodes.size() + " proof nodes}";
  }
}

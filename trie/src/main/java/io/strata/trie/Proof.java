package io.strata.trie;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Merkle proof: the RLP encodings of the trie nodes on the path of one key, from the root down
 * (nodes embedded in their parent are not listed separately). {@link #verify} checks it against a
 * root hash, following only nodes whose Keccak-256 matches the reference made to them, so it
 * returns the value only the trie with that root holds, or proves absence, or throws.
 *
 * <p>Serialized form ({@link #toBytes()}): one RLP list of the node encodings as byte strings, see
 * {@code trie/FORMAT.md}.
 *
 * <p>Thread-safety: immutable, safe to share.
 */
public final class Proof {
  private final List<byte[]> nodes;

  private Proof(List<byte[]> nodes) {
    this.nodes = nodes;
  }

  /** A proof made of these node encodings (copied), root first. */
  public static Proof of(List<byte[]> nodes) {
    Objects.requireNonNull(nodes, "nodes");
    List<byte[]> copy = new ArrayList<>(nodes.size());
    for (byte[] n : nodes) {
      copy.add(Objects.requireNonNull(n, "nodes element").clone());
    }
    return new Proof(Collections.unmodifiableList(copy));
  }

  static Proof build(Node root, byte[] path, NodeResolver resolver) {
    List<byte[]> out = new ArrayList<>();
    Node n = root;
    int pos = 0;
    boolean isRoot = true;
    while (n != null) {
      if (n instanceof HashNode h) {
        n = resolver.resolve(h);
      }
      if (isRoot || n.ref.length == 32) {
        int len = n.encodedLength();
        out.add(Arrays.copyOf(Hasher.encodeToBuffer(n, len), len));
      }
      isRoot = false;
      if (n instanceof LeafNode) {
        break;
      }
      if (n instanceof ExtensionNode ext) {
        if (!Nibbles.startsWith(path, pos, ext.path)) {
          break;
        }
        pos += ext.path.length;
        n = ext.child;
      } else {
        BranchNode br = (BranchNode) n;
        if (pos == path.length) {
          break;
        }
        n = br.children[path[pos++]];
      }
    }
    return new Proof(Collections.unmodifiableList(out));
  }

  /** The node encodings without copies: callers inside the package must not change them. */
  List<byte[]> nodesShared() {
    return nodes;
  }

  /** The node encodings, root first (copies). */
  public List<byte[]> nodes() {
    List<byte[]> copy = new ArrayList<>(nodes.size());
    for (byte[] n : nodes) {
      copy.add(n.clone());
    }
    return copy;
  }

  /**
   * Verifies the proof for a plain (not secure) trie.
   *
   * @return the value of {@code key} in the trie with root {@code root}, or empty when the proof
   *     shows that the key is absent
   * @throws InvalidProofException if the proof does not match {@code root} and {@code key}
   */
  public static Optional<byte[]> verify(Hash root, byte[] key, Proof proof) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(proof, "proof");
    return proof.walk(root, Nibbles.of(key));
  }

  /** Like {@link #verify}, for a secure trie: {@code key} is the original key, hashed here. */
  public static Optional<byte[]> verifySecure(Hash root, byte[] key, Proof proof) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(proof, "proof");
    return proof.walk(root, Nibbles.of(Keccak.hash(key)));
  }

  private Optional<byte[]> walk(Hash root, byte[] path) {
    Map<Hash, byte[]> byHash = new HashMap<>();
    for (byte[] n : nodes) {
      byHash.put(Hash.wrap(Keccak.hash(n)), n);
    }
    if (root.equals(Hash.EMPTY_TRIE)) {
      return Optional.empty();
    }
    NodeResolver fromProof = ref -> {
      byte[] enc = byHash.get(ref.hash);
      if (enc == null) {
        throw new InvalidProofException("the proof has no node with hash " + ref.hash);
      }
      try {
        return NodeDecoder.decode(enc, 0, enc.length);
      } catch (RlpException e) {
        throw new InvalidProofException("proof node " + ref.hash + " is not a node: "
            + e.getMessage());
      }
    };
    byte[] v = Trie.get(new HashNode(root), path, fromProof);
    return v == null ? Optional.empty() : Optional.of(v.clone());
  }

  /** The serialized proof: an RLP list of the node encodings. */
  public byte[] toBytes() {
    int payload = 0;
    for (byte[] n : nodes) {
      payload += Rlp.headerLength(n.length) + n.length;
    }
    byte[] out = new byte[Rlp.headerLength(payload) + payload];
    int off = Rlp.writeListHeader(payload, out, 0);
    for (byte[] n : nodes) {
      off = Rlp.writeStringHeader(n.length, out, off);
      System.arraycopy(n, 0, out, off, n.length);
      off += n.length;
    }
    return out;
  }

  /**
   * Reads a proof written by {@link #toBytes()}.
   *
   * @throws InvalidProofException if {@code bytes} is not a serialized proof
   */
  public static Proof fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    try {
      Rlp.Item it = Rlp.item(bytes, 0, bytes.length, new Rlp.Item());
      if (!it.list || it.end != bytes.length) {
        throw new RlpException("not a single RLP list");
      }
      List<byte[]> out = new ArrayList<>();
      int p = it.off;
      int end = it.end;
      while (p < end) {
        Rlp.item(bytes, p, end, it);
        if (it.list) {
          throw new RlpException("a proof node must be a byte string");
        }
        out.add(it.bytes(bytes));
        p = it.end;
      }
      return new Proof(Collections.unmodifiableList(out));
    } catch (RlpException e) {
      throw new InvalidProofException("not a serialized proof: " + e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Proof p) || p.nodes.size() != nodes.size()) {
      return false;
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (!Arrays.equals(nodes.get(i), p.nodes.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (byte[] n : nodes) {
      h = 31 * h + Arrays.hashCode(n);
    }
    return h;
  }

  @Override
  public String toString() {
    return "Proof{" + nodes.size() + " nodes}";
  }
}

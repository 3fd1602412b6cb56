package io.strata.trie;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a {@link RangeProof}: walks the entries from the origin in key order, stops at the limit,
 * at the entry count or once the byte budget is reached, and adds the nodes on the path of the
 * origin and of the last key (each node once, origin path first). The serving side of snap sync
 * (go-ethereum's {@code ServiceGetAccountRangeQuery} proves the origin and the last key the same
 * way).
 *
 * <p>Thread-safety: static methods; the trie is immutable.
 */
final class RangeProver {
  private RangeProver() {}

  static RangeProof prove(Trie t, byte[] origin, byte[] limit, int maxEntries, long maxBytes) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1, got " + maxEntries);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
    }
    checkLength(origin, "origin");
    checkLength(limit, "limit");
    if (origin != null && limit != null && Arrays.compareUnsigned(origin, limit) > 0) {
      throw new IllegalArgumentException("limit 0x" + Hash.hex(limit) + " is before origin 0x"
          + Hash.hex(origin));
    }
    t.rootHash(); // every node's reference, for the proofs
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    Iterator<Map.Entry<byte[], byte[]>> it = new EntryIterator(t.root,
        origin == null ? Nibbles.EMPTY : Nibbles.of(origin), t.resolver());
    long bytes = 0;
    while (keys.size() < maxEntries && bytes < maxBytes && it.hasNext()) {
      Map.Entry<byte[], byte[]> e = it.next();
      if (limit != null && Arrays.compareUnsigned(e.getKey(), limit) > 0 && !keys.isEmpty()) {
        break;
      }
      // past the limit with nothing before it: the first key after the limit still comes, since
      // a range without entries proves that nothing at all follows the origin
      keys.add(e.getKey());
      values.add(e.getValue());
      bytes += e.getKey().length + e.getValue().length;
      if (limit != null && Arrays.compareUnsigned(e.getKey(), limit) > 0) {
        break;
      }
    }
    Map<Hash, byte[]> nodes = new LinkedHashMap<>();
    if (origin != null) {
      add(nodes, Proof.build(t.root, Nibbles.of(origin), t.resolver()));
    }
    if (!keys.isEmpty()) {
      add(nodes, Proof.build(t.root, Nibbles.of(keys.get(keys.size() - 1)), t.resolver()));
    }
    return new RangeProof(Collections.unmodifiableList(keys),
        Collections.unmodifiableList(values),
        Collections.unmodifiableList(new ArrayList<>(nodes.values())));
  }

  private static void add(Map<Hash, byte[]> nodes, Proof p) {
    for (byte[] n : p.nodesShared()) {
      nodes.putIfAbsent(Hash.wrap(Keccak.hash(n)), n);
    }
  }

  private static void checkLength(byte[] key, String name) {
    if (key != null && key.length > Trie.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(name + " of " + key.length
          + " bytes is longer than " + Trie.MAX_KEY_BYTES);
    }
  }
}

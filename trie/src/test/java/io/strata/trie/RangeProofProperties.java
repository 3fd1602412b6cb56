package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Range proofs of random tries (plain and secure, small alphabets so that paths share prefixes
 * and keys are prefixes of keys): every range {@link Trie#proveRange} makes holds the model's
 * entries and verifies with the right {@code hasMore}, also after serialization; walking ranges
 * from the smallest key collects the whole trie; and every single mutation of a range (an entry
 * dropped, added, altered or moved, a value emptied, a proof node cut, changed or swapped for one
 * of another trie, another origin, a neighbouring root) is refused unless what is left still
 * tells exactly the truth about the trie it is checked against.
 */
class RangeProofProperties {
  @Provide
  Arbitrary<List<Gen.Op>> ops() {
    return Gen.ops();
  }

  @Provide
  Arbitrary<byte[]> bounds() {
    return Arbitraries.oneOf(Gen.keys(), Arbitraries.just(null));
  }

  @Property
  void everyRangeVerifiesToItsEntries(@ForAll("ops") List<Gen.Op> ops, @ForAll boolean secure,
      @ForAll("bounds") byte[] origin, @ForAll("bounds") byte[] limit,
      @ForAll @IntRange(min = 1, max = 8) int max) {
    if (origin != null && limit != null && java.util.Arrays.compareUnsigned(origin, limit) > 0) {
      byte[] t = origin;
      origin = limit;
      limit = t;
    }
    Trie t = Gen.apply(secure ? Trie.emptySecure() : Trie.empty(), ops);
    TreeMap<byte[], byte[]> model = Gen.model(ops, secure);
    Hash root = t.rootHash();
    RangeProof r = t.proveRange(origin, limit, max, Long.MAX_VALUE);
    List<Map.Entry<byte[], byte[]>> want = RangeModel.expected(model, origin, limit, max);
    RangeModel.assertEntries(want, r);
    boolean more = !want.isEmpty() && model.higherKey(want.get(want.size() - 1).getKey()) != null;
    assertEquals(more, RangeProof.verify(root, origin, r), "hasMore");
    RangeProof again = RangeProof.fromBytes(r.toBytes());
    assertEquals(r, again);
    assertEquals(more, RangeProof.verify(root, origin, again), "hasMore after serialization");
    // the same range given as lists, proof nodes reversed
    List<byte[]> nodes = r.proofNodes();
    java.util.Collections.reverse(nodes);
    assertEquals(more, RangeProof.verify(root, origin, RangeProof.of(r.keys(), r.values(),
        nodes)));
  }

  @Property
  void walkingRangesCollectsTheWholeTrie(@ForAll("ops") List<Gen.Op> ops, @ForAll boolean secure,
      @ForAll @IntRange(min = 1, max = 5) int max, @ForAll @IntRange(min = 1, max = 40) int bytes) {
    Trie t = Gen.apply(secure ? Trie.emptySecure() : Trie.empty(), ops);
    TreeMap<byte[], byte[]> model = Gen.model(ops, secure);
    Hash root = t.rootHash();
    TreeMap<byte[], byte[]> got = new TreeMap<>(java.util.Arrays::compareUnsigned);
    byte[] origin = null;
    for (int round = 0; ; round++) {
      assertTrue(round <= model.size(), "the walk does not end");
      RangeProof r = t.proveRange(origin, null, max, bytes);
      assertTrue(r.size() <= max);
      assertTrue(r.size() >= 1 || model.isEmpty() || (origin != null
          && model.ceilingKey(origin) == null), "at least one entry when any follows");
      boolean more = RangeProof.verify(root, origin, r);
      List<byte[]> keys = r.keys();
      List<byte[]> values = r.values();
      long size = 0;
      for (int i = 0; i < keys.size(); i++) {
        got.put(keys.get(i), values.get(i));
        if (i < keys.size() - 1) {
          size += keys.get(i).length + values.get(i).length;
          assertTrue(size < bytes, "went on past the byte budget");
        }
      }
      if (!more) {
        break;
      }
      origin = RangeModel.after(keys.get(keys.size() - 1));
    }
    assertEquals(model.size(), got.size());
    model.forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(v, got.get(k)));
  }

  /** Kinds of single mutations of a range. */
  static final int KINDS = 12;

  @Property(tries = 400)
  void everySingleMutationIsRefused(@ForAll("ops") List<Gen.Op> ops, @ForAll boolean secure,
      @ForAll("bounds") byte[] origin, @ForAll @IntRange(min = 1, max = 8) int max,
      @ForAll @IntRange(min = 0, max = KINDS - 1) int kind,
      @ForAll @IntRange(min = 0, max = 1000) int at, @ForAll("bounds") byte[] extra,
      @ForAll("ops") List<Gen.Op> otherOps) {
    Trie t = Gen.apply(secure ? Trie.emptySecure() : Trie.empty(), ops);
    TreeMap<byte[], byte[]> model = Gen.model(ops, secure);
    Hash root = t.rootHash();
    RangeProof r = t.proveRange(origin, null, max, Long.MAX_VALUE);
    List<byte[]> keys = r.keys();
    List<byte[]> values = r.values();
    List<byte[]> nodes = r.proofNodes();
    byte[] verifyOrigin = origin;
    Hash verifyRoot = root;
    TreeMap<byte[], byte[]> verifyModel = model;
    byte[] x = extra == null ? new byte[] {7} : extra;
    int n = keys.size();
    switch (kind) {
      case 0 -> { // drop an entry
        if (n == 0) {
          return;
        }
        keys.remove(at % n);
        values.remove(at % n);
      }
      case 1 -> { // add an entry: a new key, a copy of a key, or a key before the origin
        byte[] k = secure ? Keccak.hash(x) : x;
        int pos = insertionPoint(keys, k);
        keys.add(pos, k);
        values.add(pos, new byte[] {(byte) at, 1});
      }
      case 2 -> { // alter a value: one byte, or its length
        if (n == 0) {
          return;
        }
        byte[] v = values.get(at % n);
        values.set(at % n, at % 2 == 0 ? flip(v, at) : java.util.Arrays.copyOf(v, v.length + 1));
      }
      case 3 -> { // alter a key
        if (n == 0) {
          return;
        }
        byte[] k = keys.get(at % n);
        keys.set(at % n, k.length > 0 && at % 3 != 0 ? flip(k, at)
            : java.util.Arrays.copyOf(k, k.length + 1));
      }
      case 4 -> { // reorder: swap two entries
        if (n < 2) {
          return;
        }
        int i = at % n;
        int j = (i + 1 + at / n % (n - 1)) % n;
        java.util.Collections.swap(keys, i, j);
        java.util.Collections.swap(values, i, j);
      }
      case 5 -> { // an empty value: a deletion
        if (n == 0) {
          return;
        }
        values.set(at % n, new byte[0]);
      }
      case 6 -> { // cut an edge node
        if (nodes.isEmpty()) {
          return;
        }
        nodes.remove(at % nodes.size());
      }
      case 7 -> { // change a byte of an edge node
        if (nodes.isEmpty()) {
          return;
        }
        int i = at % nodes.size();
        nodes.set(i, flip(nodes.get(i), at / nodes.size()));
      }
      case 8 -> { // swap in a node of another trie's proof
        Trie other = Gen.apply(secure ? Trie.emptySecure() : Trie.empty(), otherOps);
        List<byte[]> foreign = other.proveRange(origin, null, max, Long.MAX_VALUE).proofNodes();
        if (nodes.isEmpty() || foreign.isEmpty()) {
          return;
        }
        nodes.set(at % nodes.size(), foreign.get(at % foreign.size()));
      }
      case 9 -> { // a neighbouring root: one more key, or one key changed
        byte[] k = n > 0 && at % 2 == 0 ? keys.get(at % n) : x;
        // (in a secure trie k is hashed again: the neighbour's new key is its hash)
        verifyRoot = t.put(k, new byte[] {9, 9}).rootHash();
        verifyModel = Gen.model(withPut(ops, k), secure);
      }
      case 10 -> verifyOrigin = x; // another origin
      default -> { // drop the last entry (what is left may still be a true, shorter range)
        if (n == 0) {
          return;
        }
        keys.remove(n - 1);
        values.remove(n - 1);
      }
    }
    RangeProof bad = RangeProof.of(keys, values, nodes);
    boolean more;
    try {
      more = RangeProof.verify(verifyRoot, verifyOrigin, bad);
    } catch (InvalidProofException refused) {
      return;
    }
    assertTrue(RangeModel.truthful(verifyModel, verifyOrigin, bad, more),
        "mutation " + kind + " accepted although untrue: " + bad);
    assertFalse(kind == 2 || kind == 4 || kind == 5,
        "mutation " + kind + " can never leave a true range");
  }

  private static List<Gen.Op> withPut(List<Gen.Op> ops, byte[] k) {
    List<Gen.Op> l = new ArrayList<>(ops);
    l.add(new Gen.Op(k, new byte[] {9, 9}));
    return l;
  }

  private static int insertionPoint(List<byte[]> keys, byte[] k) {
    int i = 0;
    while (i < keys.size() && java.util.Arrays.compareUnsigned(keys.get(i), k) < 0) {
      i++;
    }
    return i;
  }

  private static byte[] flip(byte[] b, int at) {
    byte[] c = b.clone();
    if (c.length == 0) {
      return new byte[] {1};
    }
    c[at % c.length] ^= (byte) (1 + at % 255);
    return c;
  }

  @Property
  void aRangeOfOneTrieIsRefusedForAnother(@ForAll("ops") List<Gen.Op> ops,
      @ForAll("ops") List<Gen.Op> otherOps, @ForAll boolean secure,
      @ForAll("bounds") byte[] origin, @ForAll @IntRange(min = 1, max = 8) int max) {
    Trie t = Gen.apply(secure ? Trie.emptySecure() : Trie.empty(), ops);
    Trie other = Gen.apply(secure ? Trie.emptySecure() : Trie.empty(), otherOps);
    RangeProof r = t.proveRange(origin, null, max, Long.MAX_VALUE);
    TreeMap<byte[], byte[]> otherModel = Gen.model(otherOps, secure);
    try {
      boolean more = RangeProof.verify(other.rootHash(), origin, r);
      assertTrue(RangeModel.truthful(otherModel, origin, r, more), "a foreign range accepted");
    } catch (InvalidProofException refused) {
      assertFalse(t.rootHash().equals(other.rootHash()), "the true range refused");
    }
  }

  @Property
  void proofsOfNoRangeAreRefusedWithClearArguments(@ForAll("ops") List<Gen.Op> ops) {
    Trie t = Gen.apply(Trie.empty(), ops);
    assertThrows(IllegalArgumentException.class, () -> t.proveRange(null, null, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> t.proveRange(null, null, 1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> t.proveRange(new byte[] {2}, new byte[] {1}, 1, 1));
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Range proofs: hand-checked facts, and the cases of go-ethereum's range-proof tests
 * ({@code trie/proof_test.go}), reproduced from their description. Like there, the edge proofs
 * are made key by key ({@link Trie#prove} of the first and of the last key, either of which may
 * be absent) and joined, so these are proofs as go-ethereum's prover makes them; its test trie
 * holds 200 fixed 32-byte keys (the left-padded numbers 0..99 and 10..109) and 4,096 random ones.
 */
class RangeProofTest {
  private static final HexFormat HEX = HexFormat.of();

  // ------------------------------------------------------------------ hand-checked facts

  @Test
  void theSerializedFormOfAOneKeyRangeIsAsWrittenInFormatMd() {
    // key 0x01 -> value 0x02: a leaf [hexPrefix(nibbles 0 1, leaf) = 0x20 0x01, 0x02]
    Trie t = Trie.empty().put(new byte[] {1}, new byte[] {2});
    RangeProof r = t.proveRange(null, null, 10, 1000);
    assertEquals("c4822001" + "02", HEX.formatHex(r.proofNodes().get(0)));
    assertEquals(Hash.keccak256(HEX.parseHex("c482200102")), t.rootHash());
    // [[ [0x01, 0x02] ], [ "c482200102" ]]
    assertEquals("cb" + "c3" + "c20102" + "c6" + "85c482200102", HEX.formatHex(r.toBytes()));
    assertEquals(r, RangeProof.fromBytes(HEX.parseHex("cbc3c20102c685c482200102")));
    assertFalse(RangeProof.verify(t.rootHash(), null, r));
  }

  @Test
  void theClassicTrieInRanges() {
    Trie t = Trie.empty();
    for (String[] kv : new String[][] {{"do", "verb"}, {"dog", "puppy"}, {"doge", "coin"},
        {"horse", "stallion"}}) {
      t = t.put(b(kv[0]), b(kv[1]));
    }
    Hash root = Hash.fromHex("5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84");
    assertEquals(root, t.rootHash());
    // "do" is a prefix of "dog" and "doge": go-ethereum refuses such ranges, these verify
    RangeProof first = t.proveRange(null, null, 2, Long.MAX_VALUE);
    assertEquals(List.of("do", "dog"), strings(first.keys()));
    assertTrue(RangeProof.verify(root, null, first), "doge and horse follow");
    RangeProof rest = t.proveRange(b("dog\0"), null, 10, Long.MAX_VALUE);
    assertEquals(List.of("doge", "horse"), strings(rest.keys()));
    assertFalse(RangeProof.verify(root, b("dog\0"), rest));
    // a byte budget: "do" + "verb" is 6 bytes, so a budget of 6 stops after the first entry
    assertEquals(List.of("do"), strings(t.proveRange(null, null, 10, 6).keys()));
    assertEquals(List.of("do", "dog"), strings(t.proveRange(null, null, 10, 7).keys()));
    // a limit between keys, and a range with nothing before the limit
    assertEquals(List.of("dog", "doge"), strings(t.proveRange(b("dog"), b("e"), 10, 999).keys()));
    RangeProof past = t.proveRange(b("e"), b("f"), 10, 999);
    assertEquals(List.of("horse"), strings(past.keys()), "the first key after the limit");
    assertFalse(RangeProof.verify(root, b("e"), past));
    // nothing at or after "i": no entries, and the proof of "i" shows that
    RangeProof none = t.proveRange(b("i"), null, 10, 999);
    assertEquals(0, none.size());
    assertFalse(none.proofNodes().isEmpty());
    assertFalse(RangeProof.verify(root, b("i"), none));
    // the same empty range does not prove that nothing follows "h"
    assertThrows(InvalidProofException.class, () -> RangeProof.verify(root, b("h"), none));
    // without proof nodes only the whole trie verifies
    RangeProof whole = t.proveRange(null, null, 10, Long.MAX_VALUE);
    assertEquals(4, whole.size());
    assertFalse(RangeProof.verify(root, null, RangeProof.of(whole.keys(), whole.values(),
        List.of())));
    assertThrows(InvalidProofException.class, () -> RangeProof.verify(root, null,
        RangeProof.of(first.keys(), first.values(), List.of())));
  }

  @Test
  void aRangeThatEmptiesAnExtensionIsRefused() {
    // found by everySingleMutationIsRefused (a NullPointerException in hashing before the fix):
    // the trie is an extension 0 0 1 to a branch of two leaves; without its one entry the
    // range from 0x00 claims nothing follows, which leaves the extension with no child
    Trie t = Trie.empty().put(HEX.parseHex("0010"), new byte[] {0})
        .put(HEX.parseHex("0011"), new byte[] {(byte) 0xf1});
    RangeProof r = t.proveRange(new byte[] {0}, null, 1, Long.MAX_VALUE);
    assertEquals(1, r.size());
    assertTrue(RangeProof.verify(t.rootHash(), new byte[] {0}, r));
    RangeProof none = RangeProof.of(List.of(), List.of(), r.proofNodes());
    InvalidProofException e = assertThrows(InvalidProofException.class,
        () -> RangeProof.verify(t.rootHash(), new byte[] {0}, none));
    assertTrue(e.getMessage().contains("extension"), e.getMessage());
  }

  @Test
  void theWholeTrieWithoutProofNodesAndTheEmptyTrie() {
    Trie t = Trie.empty().put(b("a"), b("1")).put(b("b"), b("2"));
    RangeProof all = RangeProof.of(List.of(b("a"), b("b")), List.of(b("1"), b("2")), List.of());
    assertFalse(RangeProof.verify(t.rootHash(), null, all));
    RangeProof part = RangeProof.of(List.of(b("a")), List.of(b("1")), List.of());
    InvalidProofException e = assertThrows(InvalidProofException.class,
        () -> RangeProof.verify(t.rootHash(), null, part));
    assertTrue(e.getMessage().contains("whole trie"), e.getMessage());
    // the empty trie: no entries and no proof nodes; and no entry can be proven in it
    RangeProof empty = Trie.empty().proveRange(null, null, 5, 5);
    assertEquals(0, empty.size());
    assertTrue(empty.proofNodes().isEmpty());
    assertFalse(RangeProof.verify(Hash.EMPTY_TRIE, null, empty));
    assertFalse(RangeProof.verify(Hash.EMPTY_TRIE, b("x"), Trie.empty().proveRange(b("x"),
        null, 5, 5)));
    assertThrows(InvalidProofException.class, () -> RangeProof.verify(Hash.EMPTY_TRIE, null, all));
  }

  @Test
  void secureRangesAreRangesOfHashedKeys() {
    Trie t = Trie.emptySecure();
    for (int i = 0; i < 50; i++) {
      t = t.put(b("account" + i), b("balance" + i));
    }
    RangeProof r = t.proveRange(new byte[32], null, 1000, Long.MAX_VALUE);
    assertEquals(50, r.size());
    List<byte[]> keys = r.keys();
    for (int i = 1; i < keys.size(); i++) {
      assertTrue(Arrays.compareUnsigned(keys.get(i - 1), keys.get(i)) < 0);
    }
    assertArrayEquals(b("balance7"), t.get(b("account7")));
    byte[] h7 = Hash.keccak256(b("account7")).toBytes();
    int at = -1;
    for (int i = 0; i < keys.size(); i++) {
      if (Arrays.equals(keys.get(i), h7)) {
        at = i;
      }
    }
    assertTrue(at >= 0, "the hash of account7 is a key");
    assertArrayEquals(b("balance7"), r.values().get(at));
    assertFalse(RangeProof.verify(t.rootHash(), new byte[32], r));
  }

  // ------------------------------------------------------------------ go-ethereum's cases

  /** go-ethereum's randomTrie(n): 200 fixed keys and n random 32-byte keys, 20-byte values. */
  private static TreeMap<byte[], byte[]> gethEntries(int n, long seed) {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 0; i < 100; i++) {
      m.put(leftPad(i), new byte[] {(byte) i});
      m.put(leftPad(i + 10), new byte[] {(byte) i});
    }
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      byte[] k = new byte[32];
      byte[] v = new byte[20];
      r.nextBytes(k);
      r.nextBytes(v);
      m.put(k, v);
    }
    return m;
  }

  private static byte[] leftPad(int i) {
    byte[] k = new byte[32];
    k[31] = (byte) i;
    return k;
  }

  private static Trie trieOf(Map<byte[], byte[]> m) {
    return Trie.empty().update(u -> m.forEach(u::put));
  }

  /** The edge proofs as go-ethereum makes them: the proof of each edge key, joined. */
  private static List<byte[]> edges(Trie t, byte[]... edgeKeys) {
    Map<Hash, byte[]> nodes = new LinkedHashMap<>();
    for (byte[] k : edgeKeys) {
      for (byte[] n : t.prove(k).nodes()) {
        nodes.putIfAbsent(Hash.keccak256(n), n);
      }
    }
    return new ArrayList<>(nodes.values());
  }

  private record Slice(List<byte[]> keys, List<byte[]> values) {}

  private static Slice slice(List<Map.Entry<byte[], byte[]>> entries, int start, int end) {
    List<byte[]> k = new ArrayList<>();
    List<byte[]> v = new ArrayList<>();
    for (int i = start; i < end; i++) {
      k.add(entries.get(i).getKey());
      v.add(entries.get(i).getValue());
    }
    return new Slice(k, v);
  }

  private static boolean verify(Trie t, byte[] first, Slice s, List<byte[]> proof) {
    return RangeProof.verify(t.rootHash(), first, RangeProof.of(s.keys, s.values, proof));
  }

  private static byte[] decrease(byte[] k) {
    byte[] c = k.clone();
    for (int i = c.length - 1; i >= 0; i--) {
      if (c[i]-- != 0) {
        break;
      }
    }
    return c;
  }

  private static byte[] increase(byte[] k) {
    byte[] c = k.clone();
    for (int i = c.length - 1; i >= 0; i--) {
      if (++c[i] != 0) {
        break;
      }
    }
    return c;
  }

  private final TreeMap<byte[], byte[]> model = gethEntries(4096, 17);
  private final List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>(model.entrySet());
  private final Trie trie = trieOf(model);
  private final Random random = new Random(23);

  /** TestRangeProof: random slices, both edges existent. */
  @Test
  void gethRangeProof() {
    for (int i = 0; i < 200; i++) {
      int start = random.nextInt(entries.size());
      int end = start + 1 + random.nextInt(entries.size() - start);
      Slice s = slice(entries, start, end);
      boolean more = verify(trie, s.keys.get(0), s, edges(trie, s.keys.get(0),
          s.keys.get(s.keys.size() - 1)));
      assertEquals(end < entries.size(), more);
    }
  }

  /** TestRangeProofWithNonExistentProof: the left edge is the first key minus one. */
  @Test
  void gethRangeProofWithNonExistentLeftEdge() {
    for (int i = 0; i < 200; i++) {
      int start = random.nextInt(entries.size());
      int end = start + 1 + random.nextInt(entries.size() - start);
      byte[] first = decrease(entries.get(start).getKey());
      if (start > 0 && Arrays.equals(first, entries.get(start - 1).getKey())
          || Arrays.compareUnsigned(first, entries.get(start).getKey()) > 0) {
        continue;
      }
      Slice s = slice(entries, start, end);
      verify(trie, first, s, edges(trie, first, s.keys.get(s.keys.size() - 1)));
    }
  }

  /** TestRangeProofWithInvalidNonExistentProof: a gap between the left edge and the first entry. */
  @Test
  void gethGapAfterTheLeftEdgeIsRefused() {
    byte[] first = decrease(entries.get(100).getKey());
    List<byte[]> proof = edges(trie, first, entries.get(199).getKey());
    assertThrows(InvalidProofException.class,
        () -> verify(trie, first, slice(entries, 105, 200), proof));
  }

  /** TestOneElementRangeProof: one entry with every kind of edge proof. */
  @Test
  void gethOneElementRangeProof() {
    byte[] k = entries.get(1000).getKey();
    Slice one = slice(entries, 1000, 1001);
    verify(trie, k, one, edges(trie, k));
    byte[] before = decrease(k);
    verify(trie, before, one, edges(trie, before, k));
    byte[] after = increase(k);
    verify(trie, k, one, edges(trie, k, after));
    verify(trie, before, one, edges(trie, before, after));
    // a trie of one random entry, left edge all zeros
    Random r = new Random(5);
    byte[] key = new byte[32];
    byte[] value = new byte[20];
    r.nextBytes(key);
    r.nextBytes(value);
    Trie tiny = Trie.empty().put(key, value);
    assertFalse(RangeProof.verify(tiny.rootHash(), new byte[32], RangeProof.of(List.of(key),
        List.of(value), edges(tiny, new byte[32], key))));
  }

  /** TestAllElementsProof: the whole set without proof, with existent and zero left edges. */
  @Test
  void gethAllElementsProof() {
    Slice all = slice(entries, 0, entries.size());
    assertFalse(verify(trie, null, all, List.of()));
    byte[] last = all.keys.get(all.keys.size() - 1);
    assertFalse(verify(trie, all.keys.get(0), all, edges(trie, all.keys.get(0), last)));
    assertFalse(verify(trie, new byte[32], all, edges(trie, new byte[32], last)));
  }

  /** TestSingleSideRangeProof: ranges from the zero key to several positions. */
  @Test
  void gethSingleSideRangeProof() {
    for (int round = 0; round < 4; round++) {
      TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
      Random r = new Random(100 + round);
      for (int i = 0; i < 4096; i++) {
        byte[] k = new byte[32];
        byte[] v = new byte[20];
        r.nextBytes(k);
        r.nextBytes(v);
        m.put(k, v);
      }
      Trie t = trieOf(m);
      List<Map.Entry<byte[], byte[]>> e = new ArrayList<>(m.entrySet());
      for (int pos : new int[] {0, 1, 50, 100, 1000, 2000, e.size() - 1}) {
        Slice s = slice(e, 0, pos + 1);
        assertEquals(pos < e.size() - 1, verify(t, new byte[32], s,
            edges(t, new byte[32], e.get(pos).getKey())));
      }
    }
  }

  /** TestBadRangeProof: a key or value changed, an entry dropped, two swapped, one emptied. */
  @Test
  void gethBadRangeProof() {
    int refused = 0;
    for (int i = 0; i < 300; i++) {
      int start = random.nextInt(entries.size());
      int end = start + 1 + random.nextInt(entries.size() - start);
      Slice s = slice(entries, start, end);
      byte[] first = s.keys.get(0);
      List<byte[]> proof = edges(trie, first, s.keys.get(s.keys.size() - 1));
      int n = end - start;
      int index = random.nextInt(n);
      switch (random.nextInt(6)) {
        case 0 -> {
          byte[] k = new byte[32];
          random.nextBytes(k);
          s.keys.set(index, k);
        }
        case 1 -> {
          byte[] v = new byte[20];
          random.nextBytes(v);
          s.values.set(index, v);
        }
        case 2 -> {
          if (index == 0 && start < 100 || index == n - 1) {
            continue; // as there: what is left may be a true range
          }
          s.keys.remove(index);
          s.values.remove(index);
        }
        case 3 -> {
          int j = random.nextInt(n);
          if (j == index) {
            continue;
          }
          java.util.Collections.swap(s.keys, index, j);
          java.util.Collections.swap(s.values, index, j);
        }
        case 4 -> s.keys.set(index, new byte[0]);
        default -> s.values.set(index, new byte[0]);
      }
      assertThrows(InvalidProofException.class, () -> verify(trie, first, s, proof),
          "case " + i);
      refused++;
    }
    assertTrue(refused > 200);
  }

  /** TestGappedRangeProof: ten keys 0..9 left-padded, the middle one of 2..7 left out. */
  @Test
  void gethGappedRangeProof() {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 0; i < 10; i++) {
      m.put(leftPad(i), new byte[] {(byte) i});
    }
    Trie t = trieOf(m);
    List<Map.Entry<byte[], byte[]>> e = new ArrayList<>(m.entrySet());
    Slice s = slice(e, 2, 8);
    s.keys.remove(3);
    s.values.remove(3);
    assertThrows(InvalidProofException.class,
        () -> verify(t, s.keys.get(0), s, edges(t, leftPad(2), leftPad(7))));
  }

  /** TestSameSideProofs: the entry lies outside the range the edge proofs cover. */
  @Test
  void gethSameSideProofs() {
    Slice one = slice(entries, 1000, 1001);
    byte[] first = entries.get(0).getKey();
    assertThrows(InvalidProofException.class,
        () -> verify(trie, first, one, edges(trie, first, entries.get(2000).getKey())));
    byte[] after = increase(entries.get(1000).getKey());
    byte[] after2 = increase(after);
    assertThrows(InvalidProofException.class,
        () -> verify(trie, after, one, edges(trie, after, after2)));
  }

  /** TestHasRightElement: hasMore for slices at the start, middle and end. */
  @Test
  void gethHasRightElement() {
    int[][] cases = {{-1, 1, 1}, {0, 1, 1}, {0, 10, 1}, {50, 100, 1},
        {50, entries.size(), 0}, {entries.size() - 1, entries.size(), 0},
        {0, entries.size(), 0}, {-1, entries.size(), 0}};
    for (int[] c : cases) {
      byte[] first = c[0] == -1 ? new byte[32] : entries.get(c[0]).getKey();
      Slice s = slice(entries, Math.max(0, c[0]), c[1]);
      assertEquals(c[2] == 1, verify(trie, first, s, edges(trie, first,
          entries.get(c[1] - 1).getKey())), Arrays.toString(c));
    }
  }

  /** TestEmptyRangeProof: no entries after the last key is fine, after key 500 it is not. */
  @Test
  void gethEmptyRangeProof() {
    Slice none = new Slice(new ArrayList<>(), new ArrayList<>());
    byte[] afterLast = increase(entries.get(entries.size() - 1).getKey());
    assertFalse(verify(trie, afterLast, none, edges(trie, afterLast)));
    byte[] after500 = increase(entries.get(500).getKey());
    assertThrows(InvalidProofException.class,
        () -> verify(trie, after500, none, edges(trie, after500)));
  }

  /** TestBloatedProof: the proofs of every key, one entry: accepted (minimality is not checked). */
  @Test
  void gethBloatedProof() {
    TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
    for (long i = 0; i < 100; i++) {
      byte[] k = new byte[32];
      byte[] v = new byte[32];
      java.nio.ByteBuffer.wrap(k).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(i);
      java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(i + 1);
      m.put(k, v);
    }
    Trie t = trieOf(m);
    List<Map.Entry<byte[], byte[]>> e = new ArrayList<>(m.entrySet());
    byte[][] all = e.stream().map(Map.Entry::getKey).toArray(byte[][]::new);
    Slice s = slice(e, 50, 51);
    verify(t, s.keys.get(0), s, edges(t, all));
  }

  /** TestEmptyValueRangeProof and TestAllElementsEmptyValueRangeProof: a no-op entry is refused. */
  @Test
  void gethEmptyValueEntriesAreRefused() {
    TreeMap<byte[], byte[]> m = gethEntries(512, 3);
    Trie t = trieOf(m);
    List<Map.Entry<byte[], byte[]>> e = new ArrayList<>(m.entrySet());
    int mid = e.size() / 2;
    byte[] noop = increase(e.get(mid - 1).getKey());
    Slice s = slice(e, 1, e.size() - 1);
    s.keys.add(mid - 1, noop);
    s.values.add(mid - 1, new byte[0]);
    assertThrows(InvalidProofException.class, () -> verify(t, s.keys.get(0), s,
        edges(t, s.keys.get(0), s.keys.get(s.keys.size() - 1))));
    Slice all = slice(e, 0, e.size());
    all.keys.add(mid, noop);
    all.values.add(mid, new byte[0]);
    assertThrows(InvalidProofException.class, () -> verify(t, null, all, List.of()));
  }

  /** TestRangeProofKeysWithSharedPrefix: keys aa10... and aa20..., left edge all zeros. */
  @Test
  void gethKeysWithSharedPrefix() {
    byte[] k1 = HEX.parseHex("aa1" + "0".repeat(63));
    byte[] k2 = HEX.parseHex("aa2" + "0".repeat(63));
    Trie t = Trie.empty().put(k1, new byte[] {2}).put(k2, new byte[] {3});
    Slice s = new Slice(List.of(k1, k2), List.of(new byte[] {2}, new byte[] {3}));
    assertFalse(verify(t, new byte[32], s, edges(t, new byte[32], k2)));
  }

  /** TestRangeProofErrors, and where this verifier knowingly differs (keys that are prefixes). */
  @Test
  void gethRangeProofErrors() {
    assertThrows(IllegalArgumentException.class, () -> RangeProof.of(List.of(new byte[1]),
        List.of(), List.of()));
    assertThrows(InvalidProofException.class, () -> RangeProof.verify(Hash.EMPTY_TRIE,
        new byte[0], RangeProof.of(List.of(new byte[] {2, 1}, new byte[] {2, 1}),
            List.of(new byte[] {1}, new byte[] {1}), List.of())));
    InvalidProofException e = assertThrows(InvalidProofException.class,
        () -> RangeProof.verify(Hash.EMPTY_TRIE, new byte[0],
            RangeProof.of(List.of(new byte[] {2, 1}, new byte[] {2, 2}),
                List.of(new byte[] {1}, new byte[0]), List.of())));
    assertTrue(e.getMessage().contains("empty value"), e.getMessage());
    // go-ethereum refuses [0x0201, 0x020102] as "path prefixes"; here a true one verifies
    Trie t = Trie.empty().put(new byte[] {2, 1}, new byte[] {1})
        .put(new byte[] {2, 1, 2}, new byte[] {1});
    assertFalse(RangeProof.verify(t.rootHash(), new byte[0], RangeProof.of(
        List.of(new byte[] {2, 1}, new byte[] {2, 1, 2}),
        List.of(new byte[] {1}, new byte[] {1}), List.of())));
  }

  // ------------------------------------------------------------------ sizes 0, 1, 2, thousands

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3000})
  void rangesOfTriesOfEverySize(int size) {
    for (boolean secure : new boolean[] {false, true}) {
      Random r = new Random(size * 31L + (secure ? 1 : 0));
      byte[] alphabet = {0x00, 0x01, 0x10, (byte) 0xff};
      TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
      Trie t = secure ? Trie.emptySecure() : Trie.empty();
      while (m.size() < size) {
        byte[] k = new byte[1 + r.nextInt(8)];
        for (int i = 0; i < k.length; i++) {
          k[i] = alphabet[r.nextInt(alphabet.length)];
        }
        byte[] v = new byte[1 + r.nextInt(r.nextBoolean() ? 3 : 50)];
        r.nextBytes(v);
        t = t.put(k, v);
        m.put(secure ? Hash.keccak256(k).toBytes() : k, v);
      }
      Hash root = t.rootHash();
      for (int max : new int[] {1, 2, 7, 100, 5000}) {
        TreeMap<byte[], byte[]> got = new TreeMap<>(Arrays::compareUnsigned);
        byte[] origin = null;
        int ranges = 0;
        while (true) {
          RangeProof p = RangeProof.fromBytes(t.proveRange(origin, null, max, Long.MAX_VALUE)
              .toBytes());
          RangeModel.assertEntries(RangeModel.expected(m, origin, null, max), p);
          boolean more = RangeProof.verify(root, origin, p);
          for (int i = 0; i < p.size(); i++) {
            got.put(p.keys().get(i), p.values().get(i));
          }
          ranges++;
          if (!more) {
            break;
          }
          origin = RangeModel.after(p.keys().get(p.size() - 1));
        }
        assertEquals(m.size(), got.size(), "size " + size + " max " + max);
        assertEquals(Math.max(1, (size + max - 1) / max), ranges);
      }
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> strings(List<byte[]> l) {
    return l.stream().map(x -> new String(x, StandardCharsets.UTF_8)).toList();
  }
}

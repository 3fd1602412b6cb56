package io.strata.reliability;

import static io.strata.reliability.HostileTrieInputProperties.cat;
import static io.strata.reliability.HostileTrieInputProperties.header;
import static io.strata.reliability.HostileTrieInputProperties.list;
import static io.strata.reliability.HostileTrieInputProperties.nested;
import static io.strata.reliability.HostileTrieInputProperties.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.ReadOptions;
import io.strata.reliability.HostileFiles.Mutation;
import io.strata.trie.Hash;
import io.strata.trie.InvalidProofException;
import io.strata.trie.RangeProof;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Guarantee 5 for range proofs ({@link RangeProof}, {@link StateStore#importRange}): serialized
 * ranges of a real trie mutated byte by byte; ranges rebuilt entry by entry and node by node
 * (entries dropped, repeated, moved, changed, nodes cut, changed, borrowed); random bytes and
 * hand-made hostile RLP (8-byte and 2^31 lengths, lists nested 10,000 deep, 200,000 entries,
 * lists where strings belong); and hand-made hostile node graphs (a chain of 2,048 branches down
 * a 1,024-byte origin, a root node nested 10,000 deep). {@link RangeProof#fromBytes}, {@link
 * RangeProof#verify} and {@link StateStore#importRange} either throw {@link
 * InvalidProofException} or accept a range that tells exactly the truth about the root (its
 * entries are the trie's from the origin to its last key, {@code hasMore} right); a refused
 * import writes nothing. No other exception, no {@code OutOfMemoryError} in the 768 MiB heap,
 * no hang (a watchdog per try).
 */
class HostileRangeProofProperties {
  private static final Duration LIMIT = Duration.ofSeconds(20);

  private static final AtomicLong tried = new AtomicLong();
  private static final AtomicLong truthful = new AtomicLong();
  private static final AtomicLong refused = new AtomicLong();
  private static final AtomicLong imports = new AtomicLong();
  private static final AtomicLong violations = new AtomicLong();

  @AfterContainer
  static void report() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("range proof inputs tried", tried.get());
    f.put("accepted and true", truthful.get());
    f.put("refused (InvalidProofException)", refused.get());
    f.put("hostile imports refused with the store unchanged", imports.get());
    f.put("violations", violations.get());
    ReliabilityReport.record("hostile range proofs", f);
  }

  /** A trie of 400 keys from a small alphabet (every node kind, keys prefixes of keys). */
  record Real(Trie trie, TreeMap<byte[], byte[]> model) {}

  private static volatile Real plain;
  private static volatile Real secure;

  static Real real(boolean isSecure) {
    Real r = isSecure ? secure : plain;
    if (r == null) {
      Random random = new Random(isSecure ? 13 : 12);
      TreeMap<byte[], byte[]> m = new TreeMap<>(Arrays::compareUnsigned);
      byte[] alphabet = {0x00, 0x01, 0x10, 0x11, (byte) 0xab, (byte) 0xff};
      Trie t = isSecure ? Trie.emptySecure() : Trie.empty();
      for (int i = 0; i < 400; i++) {
        byte[] k = new byte[1 + random.nextInt(5)];
        for (int j = 0; j < k.length; j++) {
          k[j] = alphabet[random.nextInt(alphabet.length)];
        }
        byte[] v = new byte[1 + random.nextInt(random.nextBoolean() ? 4 : 60)];
        random.nextBytes(v);
        t = t.put(k, v);
        m.put(isSecure ? Hash.keccak256(k).toBytes() : k, v);
      }
      r = new Real(t, m);
      if (isSecure) {
        secure = r;
      } else {
        plain = r;
      }
    }
    return r;
  }

  /** An origin: a key of the trie, a key it may not hold, or null. */
  private static byte[] origin(Real r, int pick, byte[] extra) {
    return switch (pick % 3) {
      case 0 -> new ArrayList<>(r.model().keySet()).get((pick / 3) % r.model().size());
      case 1 -> extra;
      default -> null;
    };
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return Combinators.combine(Arbitraries.integers().between(0, 1 << 20),
            Arbitraries.integers().between(0, Mutation.KINDS - 1),
            Arbitraries.integers().between(0, 255))
        .as(Mutation::new).list().ofMinSize(1).ofMaxSize(6);
  }

  @Property
  void mutatedSerializedRangesProveTheTruthOrNothing(
      @ForAll @IntRange(min = 0, max = 3000) int pick, @ForAll @Size(max = 4) byte[] extra,
      @ForAll @IntRange(min = 1, max = 60) int max, @ForAll("mutations") List<Mutation> mutations,
      @ForAll boolean isSecure) {
    Real r = real(isSecure);
    byte[] o = origin(r, pick, extra);
    byte[] bytes = HostileFiles.mutate(r.trie().proveRange(o, null, max, Long.MAX_VALUE)
        .toBytes(), mutations);
    check(r, o, () -> RangeProof.fromBytes(bytes), "mutated " + mutations);
  }

  @Property
  void rebuiltRangesProveTheTruthOrNothing(@ForAll @IntRange(min = 0, max = 3000) int pick,
      @ForAll @IntRange(min = 0, max = 3000) int other, @ForAll @Size(max = 4) byte[] extra,
      @ForAll @IntRange(min = 1, max = 60) int max,
      @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 0, max = 99) Integer> edits,
      @ForAll("mutations") List<Mutation> mutations, @ForAll boolean isSecure) {
    Real r = real(isSecure);
    byte[] o = origin(r, pick, extra);
    RangeProof p = r.trie().proveRange(o, null, max, Long.MAX_VALUE);
    List<byte[]> keys = p.keys();
    List<byte[]> values = p.values();
    List<byte[]> nodes = p.proofNodes();
    RangeProof borrowed = real(!isSecure).trie().proveRange(origin(r, other, extra), null,
        1 + other % 30, Long.MAX_VALUE);
    for (int e : edits) {
      int at = e / 10;
      switch (e % 10) {
        case 0 -> { if (!keys.isEmpty()) { keys.remove(at % keys.size());
            values.remove(at % values.size()); } }
        case 1 -> { if (!keys.isEmpty()) { int i = at % keys.size(); keys.add(i, keys.get(i));
            values.add(i, values.get(i)); } }
        case 2 -> { if (keys.size() > 1) { Collections.swap(keys, 0, keys.size() - 1); } }
        case 3 -> { if (!values.isEmpty()) { int i = at % values.size();
            values.set(i, HostileFiles.mutate(values.get(i), mutations)); } }
        case 4 -> { if (!keys.isEmpty()) { int i = at % keys.size();
            keys.set(i, HostileFiles.mutate(keys.get(i), mutations)); } }
        case 5 -> { if (!nodes.isEmpty()) { nodes.remove(at % nodes.size()); } }
        case 6 -> { if (!nodes.isEmpty()) { int i = at % nodes.size();
            nodes.set(i, HostileFiles.mutate(nodes.get(i), mutations)); } }
        case 7 -> nodes.addAll(borrowed.proofNodes());
        case 8 -> { if (borrowed.size() > 0) { int i = at % borrowed.size();
            keys.add(borrowed.keys().get(i)); values.add(borrowed.values().get(i)); } }
        default -> nodes.clear(); // no proof: only the whole trie verifies
      }
    }
    int n = Math.min(keys.size(), values.size());
    List<byte[]> k = keys.subList(0, n);
    List<byte[]> v = values.subList(0, n);
    check(r, o, () -> RangeProof.of(k, v, nodes), "edits " + edits);
  }

  @Property
  void hostileBytesAsRangesProveTheTruthOrNothing(@ForAll @Size(max = 300) byte[] junk,
      @ForAll @IntRange(min = 0, max = 11) int shape, @ForAll @IntRange(min = 0, max = 250) int n,
      @ForAll @IntRange(min = 0, max = 3000) int pick, @ForAll boolean isSecure) {
    Real r = real(isSecure);
    byte[] o = origin(r, pick, Arrays.copyOf(junk, Math.min(3, junk.length)));
    byte[] realRange = r.trie().proveRange(o, null, 10, Long.MAX_VALUE).toBytes();
    byte[] empty = list(List.of());
    byte[] bytes = switch (shape) {
      case 0 -> junk;
      case 1 -> cat(new byte[] {(byte) 0xff, 0x7f, -1, -1, -1, -1, -1, -1, -1}, junk);
      case 2 -> cat(new byte[] {(byte) 0xfb, 0x7f, -1, -1, -1}, junk); // 2^31-1 bytes claimed
      case 3 -> nested(n * 40); // up to 10,000 deep
      case 4 -> list(List.of(nested(n * 40), empty)); // deep where the entries go
      case 5 -> list(List.of(list(List.of(list(List.of(nested(n * 40), str(junk))))), empty));
      case 6 -> list(List.of(list(Collections.nCopies(n * 800, list(List.of(str(new byte[] {1}),
          str(new byte[] {2}))))), empty)); // up to 200,000 entries
      case 7 -> list(List.of(empty, list(Collections.nCopies(n * 400, str(junk)))));
      case 8 -> cat(header(0xc0, realRange.length + 4L * n), realRange); // longer than its bytes
      case 9 -> list(List.of(empty, empty, str(junk))); // three items
      case 10 -> list(List.of(list(List.of(list(List.of(str(junk), str(junk), str(junk))))),
          empty)); // an entry of three items
      default -> cat(realRange, junk, new byte[] {(byte) n}); // trailing bytes
    };
    check(r, o, () -> RangeProof.fromBytes(bytes), "shape " + shape + " n " + n);
  }

  /**
   * Hand-made node graphs: a chain of branches 2,048 deep down the path of a 1,024-byte origin
   * (the deepest an edge can be), a root whose node is nested 10,000 deep, and a proof of
   * hundreds of thousands of tiny entries against a real root.
   */
  @Property(tries = 30)
  void deepAndHugeRangesAreBounded(@ForAll @IntRange(min = 0, max = 2) int shape,
      @ForAll @IntRange(min = 1, max = 2048) int depth, @ForAll boolean isSecure) {
    Real r = real(isSecure);
    switch (shape) {
      case 0 -> {
        byte[] origin = new byte[1024];
        Arrays.fill(origin, (byte) 0x11);
        List<byte[]> nodes = new ArrayList<>();
        byte[] child = str(new byte[32]); // a missing node at the bottom
        for (int i = 0; i < depth; i++) {
          List<byte[]> items = new ArrayList<>();
          for (int c = 0; c < 16; c++) {
            items.add(c == 1 ? child : c == 2 ? str(Hash.keccak256(new byte[] {(byte) i})
                .toBytes()) : str(new byte[0]));
          }
          items.add(str(new byte[0]));
          byte[] node = list(items);
          nodes.add(node);
          child = str(Hash.keccak256(node).toBytes());
        }
        Hash root = Hash.keccak256(nodes.get(nodes.size() - 1));
        expectRefused(root, origin, RangeProof.of(List.of(), List.of(), nodes), "chain " + depth);
      }
      case 1 -> {
        byte[] node = nested(10_000);
        expectRefused(Hash.keccak256(node), null, RangeProof.of(List.of(), List.of(),
            List.of(node)), "nested root");
      }
      default -> {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 200 * depth; i++) {
          keys.add(new byte[] {(byte) (i >> 16), (byte) (i >> 8), (byte) i});
          values.add(new byte[] {1});
        }
        check(r, null, () -> RangeProof.of(keys, values,
            r.trie().proveRange(null, null, 5, 99).proofNodes()), "huge " + keys.size());
      }
    }
  }

  private static void expectRefused(Hash root, byte[] origin, RangeProof p, String context) {
    tried.incrementAndGet();
    try {
      assertTimeoutPreemptively(LIMIT, () -> {
        try {
          RangeProof.verify(root, origin, p);
        } catch (InvalidProofException e) {
          refused.incrementAndGet();
          return;
        } catch (Throwable e) {
          throw HostileFiles.violation(context, e);
        }
        throw new AssertionError(context + ": a hostile graph verified");
      }, context + ": hung");
    } catch (AssertionError | RuntimeException e) {
      violations.incrementAndGet();
      throw e;
    }
  }

  private static void check(Real r, byte[] origin, Supplier<RangeProof> make, String context) {
    tried.incrementAndGet();
    try {
      assertTimeoutPreemptively(LIMIT, () -> {
        RangeProof p;
        boolean more;
        Hash root = r.trie().rootHash();
        try {
          p = make.get();
          more = RangeProof.verify(root, origin, p);
        } catch (InvalidProofException e) {
          refused.incrementAndGet();
          importRefused(r, origin, make, context);
          return;
        } catch (Throwable e) {
          throw HostileFiles.violation(context, e);
        }
        assertTrue(truthful(r.model(), origin, p, more), context + ": accepted but untrue");
        truthful.incrementAndGet();
      }, context + ": hung");
    } catch (AssertionError | RuntimeException e) {
      violations.incrementAndGet();
      throw e;
    }
  }

  /** The refused range given to a store's import: refused too, and nothing written. */
  private static void importRefused(Real r, byte[] origin, Supplier<RangeProof> make,
      String context) {
    if (tried.get() % 8 != 0) {
      return; // a sample: opening a store per try would dominate the run
    }
    MemFileSystem fs = new MemFileSystem();
    try (Db db = Db.open(Path.of("/import"), Options.builder().fileSystem(fs).build());
        StateStore s = StateStore.on(db, StateOptions.builder().secure(r.trie().isSecure())
            .syncCommits(false).build())) {
      long before = keys(db);
      try {
        s.importRange(r.trie().rootHash(), origin, make.get());
        throw new AssertionError(context + ": the store imported a refused range");
      } catch (InvalidProofException expected) {
        assertEquals(before, keys(db), context + ": a refused import wrote something");
        imports.incrementAndGet();
      } catch (Throwable e) {
        throw HostileFiles.violation(context + " (import)", e);
      }
    }
  }

  private static long keys(Db db) {
    long n = 0;
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        n++;
      }
    }
    return n;
  }

  /** Whether an accepted range tells the truth (the model's entries, hasMore right). */
  static boolean truthful(TreeMap<byte[], byte[]> model, byte[] origin, RangeProof p,
      boolean more) {
    List<byte[]> keys = p.keys();
    List<byte[]> values = p.values();
    NavigableMap<byte[], byte[]> want;
    if (p.proofNodes().isEmpty()) {
      want = model;
    } else if (keys.isEmpty()) {
      want = origin == null ? model : model.tailMap(origin, true);
    } else {
      byte[] last = keys.get(keys.size() - 1);
      want = origin == null ? model.headMap(last, true) : model.subMap(origin, true, last, true);
    }
    if (want.size() != keys.size()) {
      return false;
    }
    int i = 0;
    for (Map.Entry<byte[], byte[]> e : want.entrySet()) {
      assertArrayEquals(e.getKey(), keys.get(i));
      assertArrayEquals(e.getValue(), values.get(i));
      i++;
    }
    return more == (!keys.isEmpty() && model.higherKey(keys.get(keys.size() - 1)) != null);
  }
}

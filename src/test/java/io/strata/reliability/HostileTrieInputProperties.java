package io.strata.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import io.strata.reliability.HostileFiles.Mutation;
import io.strata.trie.Hash;
import io.strata.trie.InvalidProofException;
import io.strata.trie.MissingNodeException;
import io.strata.trie.Proof;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import io.strata.fs.MemFileSystem;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Guarantee 5 for the trie's decoders: RLP, trie nodes and proofs.
 *
 * <ul>
 *   <li>Proofs of a real trie, serialized and then mutated (bytes changed, inserted, deleted,
 *       cut), rebuilt node by node (nodes dropped, repeated, reordered, changed, borrowed from
 *       another key's proof), random bytes, and hand-made RLP with hostile length prefixes (8-byte
 *       lengths, 2^31-1, lists nested 10,000 deep): {@link Proof#fromBytes} and {@link
 *       Proof#verify} / {@link Proof#verifySecure} either throw {@link InvalidProofException} or
 *       give the true answer for the real root, never a wrong one.
 *   <li>Hostile node graphs stored in the Db under the Keccak-256 of their bytes (so the hash
 *       check passes and the node decoder runs): leaves, extensions and branches with bad
 *       hex-prefix flags, wrong item counts, references of the wrong length, embedded nodes of 32
 *       bytes or more, references to missing nodes, huge RLP lengths, deep nesting, random bytes
 *       and mutations of real nodes. {@code StateStore.trie}, get, entries, prove, put, remove and
 *       commit give answers or the documented {@link CorruptionException} / {@link
 *       MissingNodeException}; a proof the store makes of such a trie verifies to what {@code get}
 *       said or is refused, and so does a proof holding every hostile node; a put is read back.
 *   <li>Hostile values under the store's metadata keys (format version, latest block, block
 *       roots).
 * </ul>
 *
 * Every try runs under a watchdog.
 */
class HostileTrieInputProperties {
  private static final Duration LIMIT = Duration.ofSeconds(20);

  private static final AtomicLong proofsTried = new AtomicLong();
  private static final AtomicLong proofsTrue = new AtomicLong();
  private static final AtomicLong proofsRefused = new AtomicLong();
  private static final AtomicLong graphsTried = new AtomicLong();
  private static final AtomicLong metadataTried = new AtomicLong();
  private static final AtomicLong nodeCorruption = new AtomicLong();
  private static final AtomicLong nodeMissing = new AtomicLong();
  private static final AtomicLong trieOpsVerified = new AtomicLong();
  private static final AtomicLong violations = new AtomicLong();

  @AfterContainer
  static void report() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("proof inputs tried", proofsTried.get());
    f.put("proofs verified to the truth", proofsTrue.get());
    f.put("proofs refused (InvalidProofException)", proofsRefused.get());
    f.put("hostile node graphs tried", graphsTried.get());
    f.put("hostile metadata records tried", metadataTried.get());
    f.put("CorruptionException for a stored node", nodeCorruption.get());
    f.put("MissingNodeException", nodeMissing.get());
    f.put("trie operations verified", trieOpsVerified.get());
    f.put("violations", violations.get());
    ReliabilityReport.record("hostile proofs and trie nodes", f);
    StateStore s = store;
    if (s != null) {
      Db db = s.db();
      s.close();
      db.close();
      store = null;
    }
  }

  // ------------------------------------------------------------------ RLP, written from FORMAT.md

  static byte[] header(int base, long length) {
    if (length < 56) {
      return new byte[] {(byte) (base + length)};
    }
    int n = 0;
    for (long l = length; l != 0; l >>>= 8) {
      n++;
    }
    byte[] h = new byte[1 + n];
    h[0] = (byte) (base + 55 + n);
    for (int i = 0; i < n; i++) {
      h[1 + i] = (byte) (length >>> (8 * (n - 1 - i)));
    }
    return h;
  }

  static byte[] str(byte[] b) {
    if (b.length == 1 && (b[0] & 0xff) < 0x80) {
      return b.clone();
    }
    return cat(header(0x80, b.length), b);
  }

  static byte[] list(List<byte[]> items) {
    byte[] payload = cat(items.toArray(new byte[0][]));
    return cat(header(0xc0, payload.length), payload);
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] hexPrefix(byte[] nibbles, int flag) {
    boolean odd = (nibbles.length & 1) == 1;
    byte[] out = new byte[nibbles.length / 2 + 1];
    int i = 0;
    if (odd) {
      out[0] = (byte) ((flag | 1) << 4 | nibbles[0]);
      i = 1;
    } else {
      out[0] = (byte) (flag << 4);
    }
    for (int j = 1; i < nibbles.length; i += 2, j++) {
      out[j] = (byte) (nibbles[i] << 4 | nibbles[i + 1]);
    }
    return out;
  }

  /** Nested lists {@code depth} deep around an empty list, built without recursion. */
  static byte[] nested(int depth) {
    byte[] b = {(byte) 0xc0};
    for (int i = 0; i < depth; i++) {
      b = cat(header(0xc0, b.length), b);
    }
    return b;
  }

  // ------------------------------------------------------------------ the real tries

  private static final java.util.Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

  /** Keys from a small alphabet, so that paths share prefixes and every node kind appears. */
  record Real(Trie trie, TreeMap<byte[], byte[]> model, Trie secure,
      TreeMap<byte[], byte[]> secureModel) {}

  private static volatile Real real;

  static Real real() {
    Real r = real;
    if (r == null) {
      Random random = new Random(11);
      TreeMap<byte[], byte[]> model = new TreeMap<>(UNSIGNED);
      byte[] alphabet = {0x00, 0x01, 0x10, 0x11, (byte) 0xab, (byte) 0xff};
      for (int i = 0; i < 300; i++) {
        byte[] k = new byte[1 + random.nextInt(5)];
        for (int j = 0; j < k.length; j++) {
          k[j] = alphabet[random.nextInt(alphabet.length)];
        }
        byte[] v = new byte[1 + random.nextInt(random.nextBoolean() ? 4 : 60)];
        random.nextBytes(v);
        model.put(k, v);
      }
      Trie t = Trie.empty().update(u -> model.forEach(u::put));
      TreeMap<byte[], byte[]> secureModel = new TreeMap<>(UNSIGNED);
      model.forEach((k, v) -> secureModel.put(k, v));
      Trie s = Trie.emptySecure().update(u -> model.forEach(u::put));
      r = new Real(t, model, s, secureModel);
      real = r;
    }
    return r;
  }

  private static volatile StateStore store;

  /** One store for every try: hostile nodes live under their own hashes, so tries cannot mix. */
  static synchronized StateStore store() {
    if (store == null) {
      MemFileSystem fs = new MemFileSystem();
      Db db = Db.open(Path.of("/hostile-trie"), Options.builder().fileSystem(fs)
          .writeBufferSize(1 << 20).build());
      store = StateStore.on(db, StateOptions.builder().nodeCacheBytes(0).syncCommits(false)
          .build());
    }
    return store;
  }

  // ------------------------------------------------------------------ proofs

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return Combinators.combine(Arbitraries.integers().between(0, 1 << 20),
            Arbitraries.integers().between(0, Mutation.KINDS - 1),
            Arbitraries.integers().between(0, 255))
        .as(Mutation::new).list().ofMinSize(1).ofMaxSize(6);
  }

  /** A key of the real trie, or (odd picks) a key it may not hold. */
  private static byte[] probeKey(Real r, int pick, byte[] extra) {
    if ((pick & 1) == 0) {
      List<byte[]> keys = new ArrayList<>(r.model().keySet());
      return keys.get((pick >>> 1) % keys.size());
    }
    return extra;
  }

  /** The serialized proof of a key, mutated: the truth or InvalidProofException. */
  @Property
  void mutatedSerializedProofsProveTheTruthOrNothing(
      @ForAll @IntRange(min = 0, max = 1000) int pick, @ForAll @Size(max = 4) byte[] extra,
      @ForAll("mutations") List<Mutation> mutations, @ForAll boolean secure) {
    Real r = real();
    byte[] key = probeKey(r, pick, extra);
    Trie t = secure ? r.secure() : r.trie();
    byte[] bytes = HostileFiles.mutate(t.prove(key).toBytes(), mutations);
    checkProof(t, key, secure, () -> Proof.fromBytes(bytes), "mutated " + mutations);
  }

  /** Proofs rebuilt node by node with nodes dropped, repeated, reordered, changed or borrowed. */
  @Property
  void rebuiltProofsProveTheTruthOrNothing(@ForAll @IntRange(min = 0, max = 1000) int pick,
      @ForAll @IntRange(min = 0, max = 1000) int other, @ForAll @Size(max = 4) byte[] extra,
      @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 0, max = 59) Integer> edits,
      @ForAll("mutations") List<Mutation> mutations, @ForAll boolean secure) {
    Real r = real();
    byte[] key = probeKey(r, pick, extra);
    Trie t = secure ? r.secure() : r.trie();
    List<byte[]> nodes = t.prove(key).nodes();
    List<byte[]> borrowed = t.prove(probeKey(r, other, new byte[] {(byte) other})).nodes();
    for (int e : edits) {
      int at = nodes.isEmpty() ? 0 : (e / 6) % nodes.size();
      switch (e % 6) {
        case 0 -> { if (!nodes.isEmpty()) { nodes.remove(at); } }
        case 1 -> { if (!nodes.isEmpty()) { nodes.add(nodes.get(at)); } }
        case 2 -> java.util.Collections.reverse(nodes);
        case 3 -> { if (!nodes.isEmpty()) { nodes.set(at, HostileFiles.mutate(nodes.get(at),
            mutations)); } }
        case 4 -> nodes.add(borrowed.get(at % borrowed.size()));
        default -> { if (!nodes.isEmpty()) { nodes.set(at, borrowed.get(at % borrowed.size())); } }
      }
    }
    checkProof(t, key, secure, () -> Proof.of(nodes), "edits " + edits);
  }

  /** Random bytes and hand-made hostile RLP as a serialized proof. */
  @Property
  void hostileBytesAsProofsProveTheTruthOrNothing(@ForAll @Size(max = 300) byte[] junk,
      @ForAll @IntRange(min = 0, max = 9) int shape, @ForAll @IntRange(min = 0, max = 250) int n,
      @ForAll @IntRange(min = 0, max = 1000) int pick, @ForAll boolean secure) {
    Real r = real();
    byte[] key = probeKey(r, pick, junk.length > 3 ? Arrays.copyOf(junk, 3) : junk);
    Trie t = secure ? r.secure() : r.trie();
    byte[] realProof = t.prove(key).toBytes();
    byte[] bytes = switch (shape) {
      case 0 -> junk;
      case 1 -> cat(new byte[] {(byte) 0xbf, -1, -1, -1, -1, -1, -1, -1, -1}, junk);
      case 2 -> cat(new byte[] {(byte) 0xff, 0x7f, -1, -1, -1, -1, -1, -1, -1}, junk);
      case 3 -> cat(new byte[] {(byte) 0xfb, 0x7f, -1, -1, -1}, junk);
      case 4 -> cat(new byte[] {(byte) 0xbb, 0x7f, -1, -1, -8}, junk);
      case 5 -> nested(n * 40); // up to 10,000 deep
      case 6 -> cat(header(0xc0, realProof.length + 4L * n), realProof,
          nested(0)); // a list longer than its bytes
      case 7 -> list(java.util.Collections.nCopies(n * 400, new byte[] {(byte) 0x80}));
      case 8 -> list(List.of(str(nested(n * 40)), str(junk)));
      default -> cat(realProof, junk, new byte[] {(byte) n}); // trailing bytes
    };
    checkProof(t, key, secure, () -> Proof.fromBytes(bytes), "shape " + shape + " n " + n);
  }

  private static void checkProof(Trie t, byte[] key, boolean secure, Supplier<Proof> make,
      String context) {
    proofsTried.incrementAndGet();
    Real r = real();
    byte[] truth = r.model().get(key);
    try {
      assertTimeoutPreemptively(LIMIT, () -> {
        Optional<byte[]> got;
        try {
          Proof p = make.get();
          Hash root = t.rootHash();
          got = secure ? Proof.verifySecure(root, key, p) : Proof.verify(root, key, p);
        } catch (InvalidProofException refused) {
          proofsRefused.incrementAndGet();
          return;
        } catch (Throwable e) {
          throw HostileFiles.violation(context, e);
        }
        if (truth == null) {
          assertTrue(got.isEmpty(), context + ": an absent key proved present");
        } else {
          assertArrayEquals(truth, got.orElseThrow(() -> new AssertionError(context
              + ": a present key proved absent")), context);
        }
        proofsTrue.incrementAndGet();
      }, context + ": hung");
    } catch (AssertionError | RuntimeException e) {
      violations.incrementAndGet();
      throw e;
    }
  }

  // ------------------------------------------------------------------ hostile node graphs

  /** One node of a hostile graph; numbers pick among the shapes below. */
  record NodeSpec(int kind, int a, int b, byte[] junk) {}

  @Provide
  Arbitrary<List<NodeSpec>> graphs() {
    return Combinators.combine(Arbitraries.integers().between(0, 11),
            Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
        .as(NodeSpec::new).list().ofMinSize(1).ofMaxSize(6);
  }

  /** Encodes the graph, children (later specs) first; returns the encodings, root first. */
  static List<byte[]> encode(List<NodeSpec> specs, Real r) {
    byte[][] enc = new byte[specs.size()][];
    List<byte[]> realNodes = r.trie().prove(r.model().firstKey()).nodes();
    realNodes.addAll(r.trie().prove(r.model().lastKey()).nodes());
    for (int i = specs.size() - 1; i >= 0; i--) {
      NodeSpec s = specs.get(i);
      byte[] j = s.junk();
      byte[] child = i + 1 < specs.size() ? enc[i + 1] : null;
      enc[i] = switch (s.kind()) {
        case 0 -> list(List.of(str(hexPrefix(nibbles(j, s.a() % 9), 2)),
            str(Arrays.copyOf(j, s.b() % 5 == 0 ? 0 : 1 + s.b() % 40))));
        case 1 -> list(List.of(str(hexPrefix(nibbles(j, s.a() % 9), 0)), ref(child, s.b(), j)));
        case 2 -> {
          List<byte[]> items = new ArrayList<>();
          for (int n = 0; n < 16; n++) {
            items.add(((s.a() >> (n % 8)) & 1) == 1 ? ref(child, s.b() + n, j) : str(new byte[0]));
          }
          items.add(str(Arrays.copyOf(j, s.b() % 3 == 0 ? 0 : s.b() % 40)));
          yield list(items);
        }
        case 3 -> j;
        case 4 -> { // the wrong number of items
          List<byte[]> items = new ArrayList<>();
          for (int n = 0; n < (s.a() % 2 == 0 ? 3 + s.b() % 14 : 18 + s.b() % 3); n++) {
            items.add(n == 1 && child != null ? ref(child, s.b(), j) : str(new byte[] {(byte) n}));
          }
          yield list(items);
        }
        case 5 -> HostileFiles.mutate(realNodes.get(s.a() % realNodes.size()),
            List.of(new Mutation(s.b() * 31 + j.length, s.b() % Mutation.KINDS, s.a())));
        case 6 -> switch (s.a() % 4) { // lengths past the end and past 2^31
          case 0 -> cat(new byte[] {(byte) 0xbf, -1, -1, -1, -1, -1, -1, -1, -1}, j);
          case 1 -> cat(new byte[] {(byte) 0xf9, -1, -1}, j);
          case 2 -> cat(new byte[] {(byte) 0xfb, 0x7f, -1, -1, -1}, j);
          default -> cat(new byte[] {(byte) 0xc2, (byte) 0xbb, 0x7f, -1, -1, -1}, j);
        };
        case 7 -> nested(s.a() * 40 + s.b() % 40); // up to ~10,000 deep
        case 8 -> { // non-canonical encodings of short items
          byte[] v = {(byte) (s.a() & 0x7f)};
          yield s.b() % 2 == 0 ? list(List.of(cat(new byte[] {(byte) 0x81}, v), str(j)))
              : list(List.of(str(hexPrefix(new byte[] {1}, 2)), cat(new byte[] {(byte) 0xb8,
                  (byte) 1}, v)));
        }
        case 9 -> { // a hex-prefix flag above 3, or padding that is not zero
          byte[] path = Arrays.copyOf(j, 1 + s.a() % 4);
          path[0] = (byte) (s.b() % 2 == 0 ? (4 + s.a() % 12) << 4 : 0x0f & (1 + s.a()));
          yield list(List.of(str(path), s.a() % 2 == 0 ? str(new byte[] {1}) : ref(child, s.b(),
              j)));
        }
        case 10 -> list(List.of(str(hexPrefix(nibbles(j, s.a() % 9), 0)),
            child != null && s.b() % 2 == 0 && child.length < 32 ? child : list(List.of(
                str(hexPrefix(nibbles(j, 1 + s.a() % 9), 2)), str(Arrays.copyOf(j, 20 + s.b()
                    % 20)))))); // an embedded child of 32 bytes or more, or a leaf behind an
                                // extension
        default -> realNodes.get(s.a() % realNodes.size()); // a real node: its children exist
      };
    }
    return Arrays.asList(enc);
  }

  private static byte[] nibbles(byte[] j, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      int b = i / 2 < j.length ? j[i / 2] : i;
      out[i] = (byte) ((i % 2 == 0 ? b >> 4 : b) & 15);
    }
    return out;
  }

  /** A reference to {@code child}: by hash, embedded, to a missing node, empty or malformed. */
  private static byte[] ref(byte[] child, int how, byte[] j) {
    return switch (child == null ? 2 : how % 6) {
      case 0, 1 -> child.length < 32 && how % 6 == 1 ? child
          : str(Hash.keccak256(child).toBytes());
      case 2 -> str(Hash.keccak256(cat(j, new byte[] {(byte) how})).toBytes()); // missing
      case 3 -> str(new byte[0]);
      case 4 -> str(Arrays.copyOf(j, 1 + how % 33 == 32 ? 31 : 1 + how % 33)); // wrong length
      default -> child; // embedded whatever its size
    };
  }

  @Property
  void hostileNodeGraphsGiveAnswersOrDocumentedExceptions(@ForAll("graphs") List<NodeSpec> specs,
      @ForAll @Size(min = 1, max = 3) List<@Size(max = 3) byte[]> probes,
      @ForAll @Size(min = 1, max = 40) byte[] value) {
    graphsTried.incrementAndGet();
    Real r = real();
    StateStore s = store();
    List<byte[]> nodes = encode(specs, r);
    WriteBatch batch = new WriteBatch();
    TrieLayout.putAtPositions(batch, nodes);
    s.db().write(batch, WriteOptions.defaults());
    Hash root = Hash.keccak256(nodes.get(0));
    String context = "graph " + specs.stream().map(NodeSpec::kind).toList();
    try {
      assertTimeoutPreemptively(LIMIT, () -> exercise(s, root, nodes, probes, value, context),
          context + ": hung");
    } catch (AssertionError | RuntimeException e) {
      violations.incrementAndGet();
      throw e;
    }
  }

  private static void exercise(StateStore s, Hash root, List<byte[]> nodes, List<byte[]> probes,
      byte[] value, String context) {
    Trie t;
    try {
      t = s.trie(root);
    } catch (Throwable e) {
      documented(context + " (trie)", e);
      return;
    }
    Proof all = Proof.of(nodes);
    for (byte[] key : probes) {
      byte[] got;
      try {
        got = t.get(key);
      } catch (Throwable e) {
        documented(context + " (get)", e);
        continue;
      }
      trieOpsVerified.incrementAndGet();
      // a proof of the hostile trie, made by the store or holding every node, agrees with get
      List<Proof> proofs = new ArrayList<>();
      proofs.add(all);
      try {
        proofs.add(t.prove(key));
      } catch (Throwable e) {
        documented(context + " (prove)", e);
      }
      for (Proof p : proofs) {
        Optional<byte[]> verified;
        try {
          verified = Proof.verify(root, key, Proof.fromBytes(p.toBytes()));
        } catch (InvalidProofException refused) {
          continue;
        } catch (Throwable e) {
          throw HostileFiles.violation(context + " (verify)", e);
        }
        if (got == null) {
          assertTrue(verified.isEmpty(), context + ": get says absent, a proof says present");
        } else {
          assertArrayEquals(got, verified.orElse(null), context + ": proof and get disagree");
        }
        trieOpsVerified.incrementAndGet();
      }
      // writes on top of the hostile trie read back, also after a commit
      try {
        Trie put = t.put(key, value);
        assertArrayEquals(value, put.get(key), context + ": a put is not read back");
        Hash committed = s.commit(put);
        assertArrayEquals(value, s.trie(committed).get(key), context + ": a commit lost a put");
        Trie removed = t.remove(key);
        assertEquals(null, removed.get(key), context + ": a removed key is still there");
        removed.rootHash();
        trieOpsVerified.addAndGet(3);
      } catch (AssertionError e) {
        throw e;
      } catch (Throwable e) {
        documented(context + " (put/remove/commit)", e);
      }
    }
    try {
      int n = 0;
      for (Iterator<Map.Entry<byte[], byte[]>> it = t.entries(new byte[0]);
          it.hasNext() && n < 2000; n++) {
        it.next();
      }
      trieOpsVerified.addAndGet(n);
    } catch (Throwable e) {
      documented(context + " (entries)", e);
    }
  }

  /**
   * Hostile values under the store's metadata keys (format version, latest block, a block's
   * root; layout in trie/FORMAT.md): opening the store and reading the block history give answers
   * or the documented exceptions: a format version other than 2 or 3 refuses the open with a
   * StrataException saying so; a latest-block or root record of the wrong length is a
   * CorruptionException; a root that names no stored node is a MissingNodeException.
   */
  @Property
  void hostileMetadataGivesAnswersOrDocumentedExceptions(
      @ForAll @IntRange(min = 0, max = 2) int which, @ForAll @Size(max = 40) byte[] junk,
      @ForAll @IntRange(min = 0, max = 3) int block) {
    metadataTried.incrementAndGet();
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/meta");
    try {
      assertTimeoutPreemptively(LIMIT, () -> {
        try (Db db = Db.open(dir, Options.builder().fileSystem(fs).build())) {
          Hash committed;
          try (StateStore s = StateStore.on(db)) {
            committed = s.commit(1, s.emptyTrie().put(new byte[] {1, 2}, new byte[] {3}));
          }
          byte[] key = switch (which) {
            case 0 -> new byte[] {0x00, 0x74, 'f'};
            case 1 -> new byte[] {0x00, 0x74, 'l'};
            default -> {
              byte[] k = new byte[11];
              k[0] = 0x00;
              k[1] = 0x74;
              k[2] = 'b';
              k[10] = (byte) block;
              yield k;
            }
          };
          db.put(key, junk);
          StateStore s;
          try {
            s = StateStore.on(db);
          } catch (Throwable e) {
            boolean formatRefused = which == 0
                && !(junk.length == 1 && (junk[0] == 2 || junk[0] == 3))
                && e instanceof io.strata.StrataException
                && e.getMessage().contains("format version");
            boolean badLatest = which == 1 && junk.length != 8 && e instanceof CorruptionException;
            if (!formatRefused && !badLatest) {
              throw HostileFiles.violation("metadata " + which, e);
            }
            nodeCorruption.incrementAndGet();
            return;
          }
          try (s) {
            s.latestBlock();
            for (long b = 0; b < 4; b++) {
              Optional<Hash> root;
              try {
                root = s.rootAt(b);
              } catch (CorruptionException e) {
                assertTrue(which == 2 && b == block && junk.length != 32, e.toString());
                nodeCorruption.incrementAndGet();
                continue;
              }
              if (root.isPresent()) {
                try {
                  Trie t = s.trie(root.get());
                  t.get(new byte[] {1, 2});
                  if (root.get().equals(committed)) {
                    assertArrayEquals(new byte[] {3}, t.get(new byte[] {1, 2}));
                  }
                  trieOpsVerified.incrementAndGet();
                } catch (Throwable e) {
                  documented("metadata root of block " + b, e);
                }
              }
            }
          }
        }
      }, "metadata: hung");
    } catch (AssertionError | RuntimeException e) {
      violations.incrementAndGet();
      throw e;
    }
  }

  /** The trie's documented exceptions for bad nodes: corruption naming the node, or missing. */
  private static void documented(String context, Throwable e) {
    if (e instanceof MissingNodeException m) {
      assertTrue(m.hash() != null && e.getMessage().contains(m.hash().toString()), context);
      nodeMissing.incrementAndGet();
      return;
    }
    if (e instanceof CorruptionException c) {
      assertTrue(c.file() != null && c.getMessage().contains("trie node 0x"), context + ": " + c);
      nodeCorruption.incrementAndGet();
      return;
    }
    throw HostileFiles.violation(context, e);
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Proofs of random tries: present keys verify to their values, absent keys to absence, proofs
 * survive serialization, and no single-byte change of any proof node, nor of the serialized proof,
 * makes verification return anything but the true answer: it throws {@link InvalidProofException}
 * (or, for the serialized form, may still decode to the same proof).
 */
class ProofProperties {
  @Provide
  Arbitrary<List<Gen.Op>> ops() {
    return Gen.ops();
  }

  @Provide
  Arbitrary<byte[]> keys() {
    return Gen.keys();
  }

  @Provide
  Arbitrary<Integer> flips() {
    return Arbitraries.integers().between(1, 255);
  }

  @Property
  void proofsVerifyToTheTruth(@ForAll("ops") List<Gen.Op> ops, @ForAll("keys") byte[] probe) {
    Trie t = Gen.apply(Trie.empty(), ops);
    TreeMap<byte[], byte[]> model = Gen.model(ops, false);
    Hash root = t.rootHash();
    for (Gen.Op op : ops) {
      check(model.get(op.key()), Proof.verify(root, op.key(), t.prove(op.key())));
    }
    Proof p = t.prove(probe);
    check(model.get(probe), Proof.verify(root, probe, p));
    Proof again = Proof.fromBytes(p.toBytes());
    assertEquals(p, again);
    check(model.get(probe), Proof.verify(root, probe, again));
  }

  @Property
  void secureProofsVerifyToTheTruth(@ForAll("ops") List<Gen.Op> ops,
      @ForAll("keys") byte[] probe) {
    Trie t = Gen.apply(Trie.emptySecure(), ops);
    TreeMap<byte[], byte[]> model = Gen.model(ops, true);
    Hash root = t.rootHash();
    byte[] hashed = Hash.keccak256(probe).toBytes();
    check(model.get(hashed), Proof.verifySecure(root, probe, t.prove(probe)));
    check(model.get(hashed), Proof.verify(root, hashed, t.prove(probe)));
  }

  @Property
  void noSingleByteChangeChangesTheAnswer(@ForAll("ops") List<Gen.Op> ops,
      @ForAll("keys") byte[] probe, @ForAll("flips") int flip) {
    Trie t = Gen.apply(Trie.empty(), ops);
    Hash root = t.rootHash();
    byte[] truth = Gen.model(ops, false).get(probe);
    List<byte[]> nodes = t.prove(probe).nodes();
    for (int i = 0; i < nodes.size(); i++) {
      for (int j = 0; j < nodes.get(i).length; j++) {
        List<byte[]> changed = t.prove(probe).nodes();
        changed.get(i)[j] ^= (byte) flip;
        Proof bad = Proof.of(changed);
        assertThrows(InvalidProofException.class, () -> Proof.verify(root, probe, bad),
            "node " + i + " byte " + j);
      }
    }
    byte[] bytes = t.prove(probe).toBytes();
    for (int j = 0; j < bytes.length; j++) {
      byte[] b = bytes.clone();
      b[j] ^= (byte) flip;
      try {
        Optional<byte[]> v = Proof.verify(root, probe, Proof.fromBytes(b));
        check(truth, v);
      } catch (InvalidProofException expected) {
        // the change was caught
      }
    }
    // a proof for another root is refused, unless both tries are empty
    Trie other = t.put(new byte[] {0x42}, new byte[] {1, 2, 3});
    if (!other.rootHash().equals(root)) {
      assertThrows(InvalidProofException.class,
          () -> Proof.verify(other.rootHash(), probe, t.prove(probe)));
    }
  }

  private static void check(byte[] want, Optional<byte[]> got) {
    if (want == null) {
      assertTrue(got.isEmpty(), "absent key proved present");
    } else {
      assertArrayEquals(want, got.orElseThrow(() -> new AssertionError("present key proved absent")));
    }
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random puts and removes against a sorted-map model: every read, the iteration from any start
 * key, and the root (equal whether built one put at a time, through an updater, or fresh from the
 * final contents: the trie's shape depends only on its contents).
 */
class TrieModelProperties {
  @Provide
  Arbitrary<List<Gen.Op>> ops() {
    return Gen.ops();
  }

  @Provide
  Arbitrary<byte[]> keys() {
    return Gen.keys();
  }

  @Property
  void readsAndRootsFollowTheModel(@ForAll("ops") List<Gen.Op> ops,
      @ForAll("keys") byte[] probe) {
    Trie t = Gen.apply(Trie.empty(), ops);
    TreeMap<byte[], byte[]> model = Gen.model(ops, false);
    for (Gen.Op op : ops) {
      assertArrayEquals(model.get(op.key()), t.get(op.key()));
    }
    assertArrayEquals(model.get(probe), t.get(probe));
    Trie batch = Trie.empty().update(u -> {
      for (Gen.Op op : ops) {
        if (op.value() == null) {
          u.remove(op.key());
        } else {
          u.put(op.key(), op.value());
        }
      }
    });
    Trie fresh = Trie.empty().update(u -> model.forEach(u::put));
    assertEquals(fresh.rootHash(), t.rootHash());
    assertEquals(fresh.rootHash(), batch.rootHash());
    assertEquals(model.isEmpty(), t.isEmpty());
  }

  @Property
  void entriesFromAnyKeyFollowTheSortedModel(@ForAll("ops") List<Gen.Op> ops,
      @ForAll("keys") byte[] from) {
    assertEntries(Gen.model(ops, false), Gen.apply(Trie.empty(), ops), from);
  }

  @Property
  void secureEntriesFollowHashedKeyOrder(@ForAll("ops") List<Gen.Op> ops,
      @ForAll("keys") byte[] probe) {
    Trie t = Gen.apply(Trie.emptySecure(), ops);
    TreeMap<byte[], byte[]> model = Gen.model(ops, true);
    // start at the hash of a probe key, or at a short prefix of hashed space
    assertEntries(model, t, Hash.keccak256(probe).toBytes());
    assertEntries(model, t, probe);
    for (Gen.Op op : ops) {
      assertArrayEquals(model.get(Hash.keccak256(op.key()).toBytes()), t.get(op.key()));
    }
  }

  private static void assertEntries(TreeMap<byte[], byte[]> model, Trie t, byte[] from) {
    Iterator<Map.Entry<byte[], byte[]>> got = t.entries(from);
    for (Map.Entry<byte[], byte[]> want : model.tailMap(from, true).entrySet()) {
      assertTrue(got.hasNext(), "iteration ended early");
      Map.Entry<byte[], byte[]> g = got.next();
      assertArrayEquals(want.getKey(), g.getKey());
      assertArrayEquals(want.getValue(), g.getValue());
    }
    assertFalse(got.hasNext(), "iteration went past the model");
  }
}

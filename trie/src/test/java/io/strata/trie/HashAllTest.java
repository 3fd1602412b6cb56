package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Trie#hashAll}: a block's tries hashed at once give the roots each trie alone gives, and
 * every one of them is hashed afterwards.
 */
class HashAllTest {
  /**
   * A world-state-like set of unhashed tries, built afresh on each call: a large account-like
   * trie (above the parallel threshold, so its own root children hash in parallel inside the
   * pool), storage-like tries of 1 to 300 slots, two tries that share a hashed base, a repeat of
   * one trie, an already hashed trie and the empty trie.
   */
  private static List<Trie> block() {
    Random r = new Random(19);
    List<Trie> tries = new ArrayList<>();
    tries.add(random(r, 5_000));
    for (int i = 0; i < 20; i++) {
      tries.add(random(r, 1 + r.nextInt(300)));
    }
    Trie base = random(r, 3_000);
    base.rootHash();
    tries.add(base.put(key(r), key(r)));
    tries.add(base.update(u -> {
      for (int i = 0; i < 100; i++) {
        u.put(key(r), key(r));
      }
    }));
    tries.add(tries.get(3));
    Trie hashed = random(r, 50);
    hashed.rootHash();
    tries.add(hashed);
    tries.add(Trie.empty());
    return tries;
  }

  private static byte[] key(Random r) {
    byte[] k = new byte[32];
    r.nextBytes(k);
    return k;
  }

  private static Trie random(Random r, int keys) {
    return Trie.empty().update(u -> {
      for (int i = 0; i < keys; i++) {
        u.put(key(r), Arrays.copyOf(key(r), 1 + r.nextInt(32)));
      }
    });
  }

  private static List<Hash> sequential() {
    return block().stream().map(Trie::rootHash).toList();
  }

  @Test
  void rootsEqualTheSequentialOnesInOrder() {
    List<Trie> tries = block();
    assertTrue(tries.stream().filter(t -> !t.isHashed()).count() >= 20, "mostly unhashed");
    List<Hash> roots = Trie.hashAll(tries);
    assertEquals(sequential(), roots);
    assertEquals(Hash.EMPTY_TRIE, roots.get(roots.size() - 1));
    assertEquals(roots.get(3), roots.get(roots.size() - 3), "a repeated trie, the same root");
  }

  @Test
  void everyTrieIsHashedOnReturn() {
    // through the pool directly, so a trie the parallel path skipped cannot be hashed later by
    // the roots being read
    List<Trie> tries = block();
    Hasher.hashAll(tries);
    for (int i = 0; i < tries.size(); i++) {
      assertTrue(tries.get(i).isHashed(), "trie " + i + " was not hashed");
    }
    assertEquals(sequential(), tries.stream().map(Trie::rootHash).toList());
  }

  @Test
  void twoLargeTriesGoThroughThePoolAndAgree() {
    Function<Integer, List<Trie>> two = seed -> {
      Random r = new Random(seed);
      return List.of(random(r, 4_000), random(r, 4_000));
    };
    List<Trie> tries = two.apply(7);
    List<Hash> roots = Trie.hashAll(tries);
    assertTrue(tries.get(0).isHashed() && tries.get(1).isHashed());
    assertEquals(two.apply(7).stream().map(Trie::rootHash).toList(), roots);
    assertFalse(roots.get(0).equals(roots.get(1)));
  }

  @Test
  void fewerThanTwoUnhashedTriesAndArgumentChecks() {
    assertEquals(List.of(), Trie.hashAll(List.of()));
    Trie one = random(new Random(3), 10);
    assertEquals(List.of(random(new Random(3), 10).rootHash()), Trie.hashAll(List.of(one)));
    assertTrue(one.isHashed());
    assertThrows(NullPointerException.class, () -> Trie.hashAll(null));
    List<Trie> withNull = new ArrayList<>(List.of(Trie.empty()));
    withNull.add(null);
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> Trie.hashAll(withNull));
    assertTrue(e.getMessage().contains("tries"), e.getMessage());
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Well-known roots, value semantics of Hash, immutability, and argument checks. */
class TrieBasicsTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void emptyRootAndKeccakAreEthereums() {
    assertEquals("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
        Hash.EMPTY_TRIE.toString());
    assertEquals(Hash.EMPTY_TRIE, Trie.empty().rootHash());
    // Keccak-256 of the empty string (SHA3-256 would give a7ffc6f8...)
    assertEquals("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        Hash.keccak256(new byte[0]).toString());
  }

  @Test
  void doDogDogeHorse() {
    Trie t = Trie.empty().put(b("do"), b("verb")).put(b("dog"), b("puppy"))
        .put(b("doge"), b("coin")).put(b("horse"), b("stallion"));
    assertEquals(Hash.fromHex("5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"),
        t.rootHash());
    assertArrayEquals(b("puppy"), t.get(b("dog")));
    assertNull(t.get(b("d")));
    assertNull(t.get(b("doges")));
  }

  @Test
  void prefixDeleteIsCanonical() {
    // the case the stock JavaScript trie gets wrong: delete dox from {do, dog, dox}
    Trie a = Trie.empty().put(b("do"), b("1")).put(b("dog"), b("2")).put(b("dox"), b("3"))
        .remove(b("dox"));
    Trie fresh = Trie.empty().put(b("do"), b("1")).put(b("dog"), b("2"));
    assertEquals(fresh.rootHash(), a.rootHash());
  }

  @Test
  void triesAreImmutableAndShareUnchangedTries() {
    Trie t1 = Trie.empty().put(b("a"), b("1"));
    Hash h1 = t1.rootHash();
    Trie t2 = t1.put(b("b"), b("2"));
    assertNotSame(t1, t2);
    assertEquals(h1, t1.rootHash());
    assertNull(t1.get(b("b")));
    assertSame(t2, t2.put(b("b"), b("2")), "putting an equal value returns the same trie");
    assertSame(t2, t2.remove(b("zzz")), "removing an absent key returns the same trie");
    assertEquals(h1, t2.put(b("b"), new byte[0]).rootHash(), "an empty value removes the key");
    byte[] v = b("x");
    Trie t3 = t1.put(b("c"), v);
    v[0] = 'y';
    assertArrayEquals(b("x"), t3.get(b("c")), "values are copied in");
    t3.get(b("c"))[0] = 'z';
    assertArrayEquals(b("x"), t3.get(b("c")), "values are copied out");
  }

  @Test
  void updaterMatchesSinglePutsAndEndsAfterBuild() {
    Trie base = Trie.empty().put(b("k0"), b("v0"));
    TrieUpdater u = base.updater();
    Trie single = base;
    for (int i = 0; i < 500; i++) {
      byte[] k = b("key" + (i * 7919 % 300));
      byte[] v = b("value" + i);
      if (i % 5 == 4) {
        u.remove(k);
        single = single.remove(k);
      } else {
        u.put(k, v);
        single = single.put(k, v);
      }
      assertArrayEquals(single.get(k), u.get(k));
    }
    Trie batch = u.build();
    assertEquals(single.rootHash(), batch.rootHash());
    assertEquals(Trie.empty().put(b("k0"), b("v0")).rootHash(), base.rootHash());
    assertThrows(IllegalStateException.class, () -> u.put(b("a"), b("b")));
    assertThrows(IllegalStateException.class, () -> u.remove(b("k0")));
    assertThrows(IllegalStateException.class, () -> u.get(b("k0")));
    assertThrows(IllegalStateException.class, u::build, "build ends the updater: not reusable");
    // for another round, a new updater from the same trie
    // an update whose changes throw ends its updater too
    TrieUpdater[] leaked = new TrieUpdater[1];
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
        () -> base.update(x -> {
          leaked[0] = x.put(b("half"), b("done"));
          throw new IllegalArgumentException("changes failed");
        }));
    assertEquals("changes failed", thrown.getMessage());
    assertThrows(IllegalStateException.class, () -> leaked[0].put(b("more"), b("x")));
    assertThrows(IllegalStateException.class, leaked[0]::build);
    Trie again = base.updater().put(b("zz"), b("1")).build();
    assertArrayEquals(b("1"), again.get(b("zz")), "a fresh updater from the same trie works");
    assertEquals(base.rootHash(), again.remove(b("zz")).rootHash());
    // a further update of the built trie leaves it unchanged
    Hash before = batch.rootHash();
    Trie more = batch.update(x -> x.put(b("key1"), b("changed")));
    assertEquals(before, batch.rootHash());
    assertFalse(before.equals(more.rootHash()));
  }

  @Test
  void nullsAndLimitsFailFastNamingTheArgument() {
    Trie t = Trie.empty();
    NullPointerException npe = assertThrows(NullPointerException.class, () -> t.get(null));
    assertEquals("key", npe.getMessage());
    assertEquals("key", assertThrows(NullPointerException.class,
        () -> t.put(null, b("v"))).getMessage());
    assertEquals("value", assertThrows(NullPointerException.class,
        () -> t.put(b("k"), null)).getMessage());
    assertEquals("key", assertThrows(NullPointerException.class,
        () -> t.remove(null)).getMessage());
    assertEquals("key", assertThrows(NullPointerException.class,
        () -> t.prove(null)).getMessage());
    assertEquals("fromKey", assertThrows(NullPointerException.class,
        () -> t.entries(null)).getMessage());
    assertEquals("key", assertThrows(NullPointerException.class,
        () -> t.update(u -> u.put(null, b("v")))).getMessage());
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
        () -> t.put(new byte[Trie.MAX_KEY_BYTES + 1], b("v")));
    assertTrue(big.getMessage().contains("key") && big.getMessage().contains("1024"),
        big.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Hash.of(new byte[31]));
    assertThrows(IllegalArgumentException.class, () -> Hash.fromHex("0x12"));
    assertThrows(IllegalArgumentException.class, () -> Hash.fromHex("zz".repeat(32)));
  }

  @Test
  void hashIsAValue() {
    byte[] raw = new byte[32];
    raw[5] = 9;
    Hash h = Hash.of(raw);
    raw[5] = 1;
    assertEquals(9, h.toBytes()[5], "copied in");
    h.toBytes()[5] = 2;
    assertEquals(9, h.toBytes()[5], "copied out");
    assertEquals(h, Hash.fromHex(h.toString()));
    assertEquals(h, Hash.fromHex(h.toString().substring(2).toUpperCase()));
    assertEquals(h.hashCode(), Hash.fromHex(h.toString()).hashCode());
  }

  @Test
  void secureTrieHashesKeys() {
    Trie s = Trie.emptySecure().put(b("dog"), b("puppy"));
    Trie p = Trie.empty().put(Hash.keccak256(b("dog")).toBytes(), b("puppy"));
    assertEquals(p.rootHash(), s.rootHash());
    assertArrayEquals(b("puppy"), s.get(b("dog")));
    assertTrue(s.isSecure());
  }

  @Test
  void largeBatchHashesInParallelToTheSameRoot() {
    java.util.Random r = new java.util.Random(1);
    byte[][] keys = new byte[20_000][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new byte[32];
      r.nextBytes(keys[i]);
    }
    Trie parallel = Trie.empty().update(u -> {
      for (byte[] k : keys) {
        u.put(k, k);
      }
    });
    assertTrue(parallel.pendingUpdates >= parallel.parallelThreshold);
    Trie serial = Trie.empty();
    for (int i = 0; i < 2_000; i++) {
      serial = serial.put(keys[i], keys[i]);
    }
    serial.rootHash();
    for (int i = 2_000; i < keys.length; i++) {
      serial = serial.put(keys[i], keys[i]);
      if (i % 1000 == 0) {
        serial.rootHash();
      }
    }
    assertEquals(serial.rootHash(), parallel.rootHash());
  }
}

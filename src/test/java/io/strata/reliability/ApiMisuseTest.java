package io.strata.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.ReadOptions;
import io.strata.lsm.Snapshot;
import io.strata.StrataException;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import io.strata.trie.Hash;
import io.strata.trie.Proof;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import io.strata.trie.TrieUpdater;
import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misuse of the public API of {@code lsm} and {@code trie}: null arguments give {@link
 * NullPointerException} naming the argument; arguments past a documented limit, and invalid
 * options, give {@link IllegalArgumentException} naming the argument (or option) and the limit;
 * every call on a closed {@link Db}, {@link StateStore}, {@link Cursor} or built {@link
 * TrieUpdater} gives {@link IllegalStateException}; a directory opens once at a time; and the
 * documented edge cases (empty keys, closing twice, a snapshot of another Db) behave as written.
 */
class ApiMisuseTest {
  @TempDir Path tmp;

  private static final AtomicLong checks = new AtomicLong();

  @AfterAll
  static void report() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("misuses checked", checks.get());
    f.put("violations", 0); // any violation fails the test before this
    ReliabilityReport.record("API misuse", f);
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static void npe(String argument, Executable call) {
    NullPointerException e = assertThrows(NullPointerException.class, call, argument);
    assertTrue(e.getMessage() != null && e.getMessage().contains(argument),
        "the message names " + argument + ": " + e.getMessage());
    checks.incrementAndGet();
  }

  private static void iae(String argument, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, argument);
    assertTrue(e.getMessage() != null && e.getMessage().contains(argument),
        "the message names " + argument + ": " + e.getMessage());
    checks.incrementAndGet();
  }

  private static void closed(Executable call) {
    assertThrows(IllegalStateException.class, call);
    checks.incrementAndGet();
  }

  private static Options mem(MemFileSystem fs) {
    return Options.builder().fileSystem(fs).build();
  }

  // ------------------------------------------------------------------ Db

  @Test
  void nullArgumentsToTheKeyValueStoreAreNamed() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/db");
    npe("dir", () -> Db.open(null));
    npe("dir", () -> Db.open(null, mem(fs)));
    npe("options", () -> Db.open(dir, null));
    try (Db db = Db.open(dir, mem(fs))) {
      npe("key", () -> db.put(null, b("v")));
      npe("value", () -> db.put(b("k"), null));
      npe("key", () -> db.delete(null));
      npe("batch", () -> db.write(null, WriteOptions.defaults()));
      npe("options", () -> db.write(new WriteBatch().put(b("k"), b("v")), null));
      npe("key", () -> db.get(null));
      npe("key", () -> db.get(null, ReadOptions.defaults()));
      npe("options", () -> db.get(b("k"), null));
      npe("options", () -> db.cursor(null));
      try (Cursor c = db.cursor(ReadOptions.defaults())) {
        npe("key", () -> c.seek(null));
        npe("key", () -> c.seekForPrev(null));
        npe("dst", () -> c.keyInto(null, 0));
        npe("dst", () -> c.valueInto(null, 0));
      }
      npe("key", () -> new WriteBatch().put(null, b("v")));
      npe("value", () -> new WriteBatch().put(b("k"), null));
      npe("key", () -> new WriteBatch().delete(null));
      // null bounds and a null snapshot mean "none", as documented
      assertDoesNotThrow(() -> db.compactRange(null, null));
      ReadOptions none = ReadOptions.builder().snapshot(null).lowerBound(null).upperBound(null)
          .build();
      assertNull(none.lowerBound());
      assertNull(db.get(b("absent"), none));
    }
    npe("compression", () -> Options.builder().compression(null));
    npe("compactionPriority", () -> Options.builder().compactionPriority(null));
    npe("listener", () -> Options.builder().listener(null));
    npe("fileSystem", () -> Options.builder().fileSystem(null));
  }

  @Test
  void keysAndValuesPastTheLimitsAreRefusedNamingTheLimit() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    try (Db db = Db.open(Path.of("/db"), mem(fs))) {
      byte[] longest = new byte[Db.MAX_KEY_BYTES];
      Arrays.fill(longest, (byte) 7);
      db.put(longest, b("fits"));
      assertArrayEquals(b("fits"), db.get(longest));
      byte[] tooLong = new byte[Db.MAX_KEY_BYTES + 1];
      iae("key", () -> db.put(tooLong, b("v")));
      iae(Integer.toString(Db.MAX_KEY_BYTES), () -> db.put(tooLong, b("v")));
      iae("key", () -> db.delete(tooLong));
      iae("key", () -> db.get(tooLong));
      iae("key", () -> new WriteBatch().put(tooLong, b("v")));
      iae("key", () -> new WriteBatch().delete(tooLong));
      assertNull(db.get(Arrays.copyOf(longest, Db.MAX_KEY_BYTES - 1)));
    }
  }

  /**
   * A value one byte over 256 MiB is refused before it is copied. Building it takes 256 MiB of
   * heap, so the test runs only when the heap can hold it twice over; a value of exactly 256 MiB
   * is not written (it would cost the log and memtable as much again).
   */
  @Test
  void aValueOverTwoHundredFiftySixMebibytesIsRefused() throws Exception {
    assumeTrue(Runtime.getRuntime().maxMemory() >= 600L << 20,
        "needs a heap of 600 MiB for a 256 MiB value, have "
            + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    MemFileSystem fs = new MemFileSystem();
    try (Db db = Db.open(Path.of("/db"), mem(fs))) {
      byte[] tooBig = new byte[Db.MAX_VALUE_BYTES + 1];
      iae("value", () -> db.put(b("k"), tooBig));
      iae(Integer.toString(Db.MAX_VALUE_BYTES), () -> db.put(b("k"), tooBig));
      iae("value", () -> new WriteBatch().put(b("k"), tooBig));
      assertNull(db.get(b("k")), "nothing was written");
    }
  }

  /** Empty keys are not excluded by the documented limits: they are ordinary keys. */
  @Test
  void theEmptyKeyIsAnOrdinaryKey() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/db");
    try (Db db = Db.open(dir, mem(fs))) {
      db.put(new byte[0], b("empty"));
      db.put(b("a"), b("1"));
      assertArrayEquals(b("empty"), db.get(new byte[0]));
      try (Cursor c = db.cursor(ReadOptions.defaults())) {
        c.seekToFirst();
        assertArrayEquals(new byte[0], c.key(), "the empty key sorts first");
        c.seekForPrev(new byte[0]);
        assertTrue(c.isValid());
        assertArrayEquals(b("empty"), c.value());
      }
      db.flush();
    }
    try (Db db = Db.open(dir, mem(fs))) {
      assertArrayEquals(b("empty"), db.get(new byte[0]), "survives a flush and a reopen");
      db.delete(new byte[0]);
      assertNull(db.get(new byte[0]));
    }
    checks.addAndGet(5);
  }

  @Test
  void everyCallOnAClosedDbAndItsCursorsIsIllegalState() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    Db db = Db.open(Path.of("/db"), mem(fs));
    db.put(b("a"), b("1"));
    db.put(b("b"), b("2"));
    Cursor open = db.cursor(ReadOptions.defaults());
    open.seekToFirst();
    Cursor closedCursor = db.cursor(ReadOptions.defaults());
    closedCursor.seekToFirst();
    closedCursor.close();
    closedCursor.close(); // idempotent
    allCursorCallsFail(closedCursor);
    Snapshot s = db.snapshot();
    db.close();
    db.close(); // idempotent
    closed(() -> db.put(b("k"), b("v")));
    closed(() -> db.delete(b("k")));
    closed(() -> db.write(new WriteBatch().put(b("k"), b("v")), WriteOptions.sync()));
    closed(() -> db.write(new WriteBatch(), WriteOptions.defaults()));
    closed(() -> db.get(b("a")));
    closed(() -> db.get(b("a"), ReadOptions.builder().snapshot(s).build()));
    closed(() -> db.cursor(ReadOptions.defaults()));
    closed(db::snapshot);
    closed(db::flush);
    closed(() -> db.compactRange(null, null));
    closed(db::waitForCompactions);
    closed(db::verifyChecksums);
    closed(db::stats);
    // a cursor made before the close fails once its Db is closed
    allCursorCallsFail(open);
    open.close();
    s.close(); // releasing a snapshot of a closed Db is harmless
    s.close();
  }

  private static void allCursorCallsFail(Cursor c) {
    closed(c::seekToFirst);
    closed(c::seekToLast);
    closed(() -> c.seek(b("a")));
    closed(() -> c.seekForPrev(b("a")));
    closed(c::next);
    closed(c::prev);
    closed(c::isValid);
    closed(c::key);
    closed(c::value);
    closed(c::keyLength);
    closed(c::valueLength);
    closed(() -> c.keyInto(new byte[8], 0));
    closed(() -> c.valueInto(new byte[8], 0));
  }

  @Test
  void snapshotsReleaseOnceAndBelongToTheirDb() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    try (Db one = Db.open(Path.of("/one"), mem(fs));
        Db two = Db.open(Path.of("/two"), mem(fs))) {
      one.put(b("k"), b("old"));
      Snapshot s = one.snapshot();
      one.put(b("k"), b("new"));
      ReadOptions at = ReadOptions.builder().snapshot(s).build();
      assertArrayEquals(b("old"), one.get(b("k"), at));
      iae("snapshot", () -> two.get(b("k"), at));
      iae("snapshot", () -> two.cursor(at));
      s.close();
      s.close(); // documented: closing twice is harmless
      closed(() -> one.get(b("k"), at));
      closed(() -> one.cursor(at));
      // a second snapshot at the same sequence stays valid after the first is closed twice
      Snapshot a = one.snapshot();
      Snapshot same = one.snapshot();
      a.close();
      a.close();
      assertArrayEquals(b("new"), one.get(b("k"), ReadOptions.builder().snapshot(same).build()));
      same.close();
      checks.incrementAndGet();
    }
  }

  @Test
  void aDirectoryOpensOnceAtATime() throws Exception {
    Path dir = tmp.resolve("db");
    try (Db db = Db.open(dir)) {
      long start = System.nanoTime();
      StrataException e = assertThrows(StrataException.class, () -> Db.open(dir));
      assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
      assertThrows(StrataException.class, () -> StateStore.open(dir));
      assertTrue(System.nanoTime() - start < 10_000_000_000L, "the second open failed at once");
      db.put(b("k"), b("v")); // the first is unharmed
    }
    try (Db again = Db.open(dir)) { // and the directory is free once it is closed
      assertArrayEquals(b("v"), again.get(b("k")));
    }
    MemFileSystem fs = new MemFileSystem();
    try (Db db = Db.open(Path.of("/db"), mem(fs))) {
      assertThrows(StrataException.class, () -> Db.open(Path.of("/db"), mem(fs)));
    }
    checks.addAndGet(3);
  }

  @Test
  void invalidOptionsAreRefusedNamingTheOption() {
    iae("writeBufferSize", () -> Options.builder().writeBufferSize(-1));
    iae("writeBufferSize", () -> Options.builder().writeBufferSize(1000));
    iae("blockSize", () -> Options.builder().blockSize(0));
    iae("blockSize", () -> Options.builder().blockSize(2 << 20));
    iae("blockCacheBytes", () -> Options.builder().blockCacheBytes(-1));
    iae("bloomBitsPerKey", () -> Options.builder().bloomBitsPerKey(-1));
    iae("bloomBitsPerKey", () -> Options.builder().bloomBitsPerKey(65));
    iae("backgroundThreads", () -> Options.builder().backgroundThreads(0));
    iae("maxOpenFiles", () -> Options.builder().maxOpenFiles(-5));
    iae("targetFileSize", () -> Options.builder().targetFileSize(-1));
    iae("maxBytesForLevelBase", () -> Options.builder().maxBytesForLevelBase(0));
    iae("levelSizeMultiplier", () -> Options.builder().levelSizeMultiplier(1));
    iae("level0CompactionTrigger", () -> Options.builder().level0CompactionTrigger(0));
    iae("level0SlowdownTrigger", () -> Options.builder().level0SlowdownTrigger(-1));
    iae("level0StopTrigger", () -> Options.builder().level0StopTrigger(1));
    // triggers out of order are refused at build()
    iae("level0SlowdownTrigger", () -> Options.builder().level0CompactionTrigger(10)
        .level0SlowdownTrigger(5).level0StopTrigger(20).build());
    iae("level0StopTrigger", () -> Options.builder().level0CompactionTrigger(2)
        .level0SlowdownTrigger(8).level0StopTrigger(8).build());
    // the trie's options
    iae("nodeCacheBytes", () -> StateOptions.builder().nodeCacheBytes(-1));
    iae("parallelHashThreshold", () -> StateOptions.builder().parallelHashThreshold(0));
    iae("commitBatchBytes", () -> StateOptions.builder().commitBatchBytes(-1));
    npe("options", () -> StateOptions.builder().dbOptions(null));
  }

  // ------------------------------------------------------------------ trie

  @Test
  void nullArgumentsToTheTrieAreNamed() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/state");
    npe("dir", () -> StateStore.open(null));
    npe("options", () -> StateStore.open(dir, null));
    npe("db", () -> StateStore.on(null));
    Trie mem = Trie.empty().put(b("k"), b("v"));
    npe("key", () -> mem.get(null));
    npe("key", () -> mem.put(null, b("v")));
    npe("value", () -> mem.put(b("k"), null));
    npe("key", () -> mem.remove(null));
    npe("key", () -> mem.prove(null));
    npe("fromKey", () -> mem.entries(null));
    npe("changes", () -> mem.update(null));
    npe("options", () -> Trie.empty(null));
    npe("key", () -> mem.updater().put(null, b("v")));
    npe("value", () -> mem.updater().put(b("k"), null));
    Hash root = mem.rootHash();
    Proof p = mem.prove(b("k"));
    npe("root", () -> Proof.verify(null, b("k"), p));
    npe("key", () -> Proof.verify(root, null, p));
    npe("proof", () -> Proof.verify(root, b("k"), null));
    npe("root", () -> Proof.verifySecure(null, b("k"), p));
    npe("key", () -> Proof.verifySecure(root, null, p));
    npe("proof", () -> Proof.verifySecure(root, b("k"), null));
    npe("bytes", () -> Proof.fromBytes(null));
    npe("nodes", () -> Proof.of(null));
    List<byte[]> withNull = new ArrayList<>();
    withNull.add(null);
    npe("nodes", () -> Proof.of(withNull));
    npe("bytes", () -> Hash.of(null));
    npe("data", () -> Hash.keccak256(null));
    npe("hex", () -> Hash.fromHex(null));
    iae("bytes", () -> Hash.of(new byte[31]));
    iae("hex", () -> Hash.fromHex("0x1234"));
    iae("hex", () -> Hash.fromHex("zz".repeat(32)));
    try (Db db = Db.open(dir, mem(fs)); StateStore store = StateStore.on(db)) {
      npe("options", () -> StateStore.on(db, null));
      npe("root", () -> store.trie(null));
      npe("trie", () -> store.commit(null));
      npe("trie", () -> store.commit(1, null));
      iae("blockNumber", () -> store.commit(-1, store.emptyTrie()));
      iae("blockNumber", () -> store.rootAt(-1));
      iae("trie", () -> store.commit(mem));
    }
  }

  @Test
  void trieKeysAndValuesPastTheLimitsAreRefused() {
    Trie t = Trie.empty();
    byte[] longest = new byte[Trie.MAX_KEY_BYTES];
    Arrays.fill(longest, (byte) 3);
    Trie one = t.put(longest, b("fits"));
    assertArrayEquals(b("fits"), one.get(longest));
    byte[] tooLong = new byte[Trie.MAX_KEY_BYTES + 1];
    iae("key", () -> t.put(tooLong, b("v")));
    iae(Integer.toString(Trie.MAX_KEY_BYTES), () -> t.get(tooLong));
    iae("key", () -> t.remove(tooLong));
    iae("key", () -> t.prove(tooLong));
    iae("key", () -> t.updater().put(tooLong, b("v")));
    iae("key", () -> Trie.emptySecure().put(tooLong, b("v")));
    byte[] biggest = new byte[Trie.MAX_VALUE_BYTES];
    assertArrayEquals(biggest, t.put(b("k"), biggest).get(b("k")));
    byte[] tooBig = new byte[Trie.MAX_VALUE_BYTES + 1];
    iae("value", () -> t.put(b("k"), tooBig));
    iae(Integer.toString(Trie.MAX_VALUE_BYTES), () -> t.updater().put(b("k"), tooBig));
    // an empty value removes the key, as documented
    assertNull(one.put(longest, new byte[0]).get(longest));
    assertTrue(one.put(longest, new byte[0]).isEmpty());
  }

  @Test
  void everyCallOnAClosedStateStoreIsIllegalState() throws Exception {
    MemFileSystem fs = new MemFileSystem();
    Path dir = Path.of("/state");
    StateStore store = StateStore.open(dir, StateOptions.builder().nodeCacheBytes(0)
        .dbOptions(mem(fs)).build());
    Trie t = store.emptyTrie().update(u -> {
      for (int i = 0; i < 200; i++) {
        u.put(b("key-" + i), b("value-" + i));
      }
    });
    Hash root = store.commit(1, t);
    Trie loaded = store.trie(root);
    Iterator<Map.Entry<byte[], byte[]>> it = loaded.entries(new byte[0]);
    it.next();
    store.close();
    store.close(); // idempotent
    closed(store::emptyTrie);
    closed(() -> store.trie(root));
    closed(() -> store.commit(t.put(b("x"), b("y"))));
    closed(() -> store.commit(2, t));
    closed(() -> store.rootAt(1));
    closed(store::latestBlock);
    closed(() -> store.db().get(b("k"))); // it owned its Db, which is closed too
    // tries and iterators of the closed store fail when they need a node from it
    closed(() -> store.trie(root).get(b("key-1")));
    closed(() -> {
      while (it.hasNext()) {
        it.next();
      }
    });
    closed(() -> loaded.get(b("key-7")));
    // a store on a closed Db
    Db db = Db.open(Path.of("/other"), mem(fs));
    db.close();
    closed(() -> StateStore.on(db));
    // an updater is finished once built
    TrieUpdater u = Trie.empty().updater();
    u.put(b("a"), b("1"));
    u.build();
    closed(() -> u.put(b("b"), b("2")));
    closed(() -> u.get(b("a")));
    closed(u::build);
    // closing a store on a caller's Db leaves the Db usable
    try (Db own = Db.open(Path.of("/own"), mem(fs))) {
      StateStore on = StateStore.on(own);
      on.close();
      closed(on::emptyTrie);
      own.put(b("k"), b("v"));
      assertArrayEquals(b("v"), own.get(b("k")));
    }
  }
}

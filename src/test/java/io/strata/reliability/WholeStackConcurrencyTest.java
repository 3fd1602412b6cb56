package io.strata.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.DbStats;
import io.strata.lsm.Options;
import io.strata.lsm.ReadOptions;
import io.strata.lsm.Snapshot;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import io.strata.trie.Hash;
import io.strata.trie.Proof;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack under eight threads for {@code -Dstrata.wholestack.concurrency.seconds}
 * (default 30) on a real directory, with a write buffer and tables so small that flushes and
 * compactions run all the time, and a trie store sharing the key-value store:
 *
 * <ul>
 *   <li>two writers apply batches (one in twenty synced) of puts and deletes to their own keys,
 *       each batch also setting the writer's five group keys to the batch number;
 *   <li>two snapshot readers take a snapshot, read a key set and re-read it, by gets and by
 *       bounded cursor scans both ways, until they release it: the values never change, and a
 *       group is never seen half-written;
 *   <li>a cursor scanner walks bounded ranges both ways without a snapshot: keys in order and in
 *       bounds, groups whole;
 *   <li>two trie committers ({@code StateStore.on(db)}) commit blocks of updates, one the even
 *       block numbers and one the odd;
 *   <li>a trie reader re-reads random committed roots: the block's root, its updated values, and
 *       proofs of them that verify.
 * </ul>
 *
 * No exception is expected from any thread. At the end the store is closed and reopened, and
 * every acknowledged write and every committed root is checked.
 */
class WholeStackConcurrencyTest {
  @TempDir Path dir;

  static final int WRITERS = 2;
  static final int GROUP = 5;
  static final int KEYS_PER_WRITER = 3000;

  /** Keys of 12 bytes: never the 1-, 9- or 32-byte keys the trie store uses. */
  static byte[] key(int writer, int i) {
    return String.format("kv/w%d/%05d", writer, i).getBytes(UTF_8);
  }

  static byte[] groupKey(int writer, int j) {
    return String.format("kv/w%d/g%04d", writer, j).getBytes(UTF_8);
  }

  static ReadOptions writerRange(int writer, Snapshot s) {
    return ReadOptions.builder().snapshot(s).lowerBound(("kv/w" + writer + "/").getBytes(UTF_8))
        .upperBound(("kv/w" + writer + "0").getBytes(UTF_8)).build();
  }

  /** One committed block: its root and the values its updates set. */
  record Block(long number, Hash root, Map<String, byte[]> updates) {}

  @Test
  void theWholeStackStaysConsistentUnderConcurrentWritesReadsAndCommits() throws Exception {
    long seconds = Long.getLong("strata.wholestack.concurrency.seconds", 30);
    Options options = Options.builder().writeBufferSize(32 << 10).blockSize(512)
        .targetFileSize(32 << 10).maxBytesForLevelBase(64 << 10).levelSizeMultiplier(4)
        .level0CompactionTrigger(2).level0SlowdownTrigger(8).level0StopTrigger(16)
        .backgroundThreads(3).blockCacheBytes(1 << 20).build();
    StateOptions stateOptions = StateOptions.builder().nodeCacheBytes(256 << 10).build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong batches = new AtomicLong();
    AtomicLong snapshotChecks = new AtomicLong();
    AtomicLong scans = new AtomicLong();
    AtomicLong commits = new AtomicLong();
    AtomicLong trieChecks = new AtomicLong();
    AtomicLong readsVerified = new AtomicLong();
    // what each writer knows it wrote and was acknowledged: key -> value (null: deleted)
    List<Map<String, byte[]>> acknowledged = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      acknowledged.add(new ConcurrentHashMap<>());
    }
    List<Block> blocks = new CopyOnWriteArrayList<>();
    DbStats stats;
    try (Db db = Db.open(dir, options)) {
      StateStore store = StateStore.on(db, stateOptions);
      for (int w = 0; w < WRITERS; w++) {
        WriteBatch b = new WriteBatch();
        for (int j = 0; j < GROUP; j++) {
          b.put(groupKey(w, j), "0".getBytes(UTF_8));
        }
        db.write(b, WriteOptions.sync());
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        futures.add(pool.submit(() -> {
          Random r = new Random(writer);
          Map<String, byte[]> mine = acknowledged.get(writer);
          for (long n = 1; !stop.get(); n++) {
            WriteBatch b = new WriteBatch();
            Map<String, byte[]> pending = new HashMap<>();
            for (int i = 0, ops = 1 + r.nextInt(10); i < ops; i++) {
              byte[] k = key(writer, r.nextInt(KEYS_PER_WRITER));
              if (r.nextInt(6) == 0) {
                b.delete(k);
                pending.put(new String(k, UTF_8), null);
              } else {
                byte[] v = new byte[8 + r.nextInt(200)];
                r.nextBytes(v);
                b.put(k, v);
                pending.put(new String(k, UTF_8), v);
              }
            }
            byte[] number = Long.toString(n).getBytes(UTF_8);
            for (int j = 0; j < GROUP; j++) {
              b.put(groupKey(writer, j), number);
              pending.put(new String(groupKey(writer, j), UTF_8), number);
            }
            db.write(b, r.nextInt(20) == 0 ? WriteOptions.sync() : WriteOptions.defaults());
            pending.forEach((k, v) -> mine.put(k, v == null ? DELETED : v));
            batches.incrementAndGet();
          }
          return null;
        }));
      }
      for (int s = 0; s < 2; s++) {
        int reader = s;
        futures.add(pool.submit(() -> {
          Random r = new Random(100 + reader);
          while (!stop.get()) {
            int writer = r.nextInt(WRITERS);
            try (Snapshot snap = db.snapshot()) {
              ReadOptions at = ReadOptions.builder().snapshot(snap).build();
              List<byte[]> keys = new ArrayList<>();
              for (int j = 0; j < GROUP; j++) {
                keys.add(groupKey(writer, j));
              }
              for (int i = 0; i < 20; i++) {
                keys.add(key(writer, r.nextInt(KEYS_PER_WRITER)));
              }
              Map<String, String> first = gets(db, at, keys);
              checkGroup(first, writer, "snapshot gets");
              TreeMap<String, String> scanned = scan(db, writerRange(writer, snap), r.nextBoolean());
              checkGroup(scanned, writer, "snapshot scan");
              for (int round = 0; round < 3; round++) {
                Thread.yield();
                assertEquals(first, gets(db, at, keys), "a snapshot's values changed");
                TreeMap<String, String> again = scan(db, writerRange(writer, snap),
                    round % 2 == 0);
                assertEquals(scanned, again, "a snapshot's scan changed");
                for (Map.Entry<String, String> e : first.entrySet()) {
                  assertEquals(e.getValue(), again.get(e.getKey()),
                      "a cursor and a get disagree at one snapshot: " + e.getKey());
                }
                readsVerified.addAndGet(keys.size() + again.size());
              }
              snapshotChecks.incrementAndGet();
            }
          }
          return null;
        }));
      }
      futures.add(pool.submit(() -> {
        Random r = new Random(200);
        while (!stop.get()) {
          int writer = r.nextInt(WRITERS);
          TreeMap<String, String> seen = scan(db, writerRange(writer, null), r.nextBoolean());
          checkGroup(seen, writer, "cursor without a snapshot");
          // a short seek from a random key, both ways
          byte[] from = key(writer, r.nextInt(KEYS_PER_WRITER));
          try (Cursor c = db.cursor(writerRange(writer, null))) {
            c.seek(from);
            byte[] last = null;
            for (int i = 0; i < 50 && c.isValid(); i++, c.next()) {
              assertTrue(Arrays.compareUnsigned(c.key(), from) >= 0, "seek went back");
              assertTrue(last == null || Arrays.compareUnsigned(last, c.key()) < 0, "order");
              last = c.key();
            }
            c.seekForPrev(from);
            last = null;
            for (int i = 0; i < 50 && c.isValid(); i++, c.prev()) {
              assertTrue(Arrays.compareUnsigned(c.key(), from) <= 0, "seekForPrev went on");
              assertTrue(last == null || Arrays.compareUnsigned(last, c.key()) > 0, "order");
              last = c.key();
            }
          }
          readsVerified.addAndGet(seen.size());
          scans.incrementAndGet();
        }
        return null;
      }));
      for (int c = 0; c < 2; c++) {
        int committer = c;
        futures.add(pool.submit(() -> {
          Random r = new Random(300 + committer);
          Trie t = store.emptyTrie();
          for (long block = committer; !stop.get(); block += 2) {
            Map<String, byte[]> updates = new HashMap<>();
            int n = 20 + r.nextInt(80);
            for (int i = 0; i < n; i++) {
              byte[] k = ("acct-" + committer + "-" + r.nextInt(2000)).getBytes(UTF_8);
              byte[] v = new byte[1 + r.nextInt(70)];
              r.nextBytes(v);
              updates.put(new String(k, UTF_8), v);
            }
            t = t.update(u -> updates.forEach((k, v) -> u.put(k.getBytes(UTF_8), v)));
            Hash root = store.commit(block, t);
            assertEquals(t.rootHash(), root);
            blocks.add(new Block(block, root, updates));
            commits.incrementAndGet();
          }
          return null;
        }));
      }
      futures.add(pool.submit(() -> {
        Random r = new Random(400);
        while (!stop.get()) {
          if (blocks.isEmpty()) {
            Thread.sleep(1);
            continue;
          }
          Block b = blocks.get(r.nextInt(blocks.size()));
          checkBlock(store, b, r, 5);
          trieChecks.incrementAndGet();
        }
        return null;
      }));
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      stop.set(true);
      pool.shutdown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS); // rethrows what any thread threw
      }
      stats = db.stats();
      assertTrue(stats.flushBytesWritten() > 0 && stats.compactions() > 0,
          "flushes and compactions ran during the test: " + stats);
      store.close();
    }
    assertTrue(batches.get() > 100 && snapshotChecks.get() > 10 && scans.get() > 10
        && commits.get() > 10 && trieChecks.get() > 10,
        "batches " + batches + ", snapshot checks " + snapshotChecks + ", scans " + scans
            + ", commits " + commits + ", trie checks " + trieChecks);

    // reopen: every acknowledged write, every committed root
    long verifiedAfterReopen = 0;
    try (Db db = Db.open(dir, options)) {
      StateStore store = StateStore.on(db, stateOptions);
      for (int w = 0; w < WRITERS; w++) {
        TreeMap<String, String> want = new TreeMap<>();
        acknowledged.get(w).forEach((k, v) -> {
          if (v != DELETED) {
            want.put(k, hex(v));
          }
        });
        for (int j = 0; j < GROUP; j++) { // written before the writers started
          want.putIfAbsent(new String(groupKey(w, j), UTF_8), hex("0".getBytes(UTF_8)));
        }
        TreeMap<String, String> got = scan(db, writerRange(w, null), true);
        assertEquals(want, got, "writer " + w + "'s acknowledged writes after reopen");
        for (Map.Entry<String, byte[]> e : acknowledged.get(w).entrySet()) {
          byte[] v = db.get(e.getKey().getBytes(UTF_8));
          if (e.getValue() == DELETED) {
            assertEquals(null, v, e.getKey());
          } else {
            assertArrayEquals(e.getValue(), v, e.getKey());
          }
          verifiedAfterReopen++;
        }
      }
      long highest = -1;
      for (Block b : blocks) {
        assertEquals(Optional.of(b.root()), store.rootAt(b.number()), "root of block "
            + b.number());
        highest = Math.max(highest, b.number());
      }
      assertEquals(highest, store.latestBlock().orElse(-1));
      // the latest block of each committer holds its whole history; older ones their updates
      Random r = new Random(500);
      for (Block b : blocks) {
        verifiedAfterReopen += checkBlock(store, b, r, b.updates().size());
      }
      assertTrue(db.verifyChecksums().isEmpty(), "the tables are sound");
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("seconds", seconds);
    f.put("threads", 8);
    f.put("batches acknowledged", batches.get());
    f.put("snapshot checks", snapshotChecks.get());
    f.put("cursor scans", scans.get());
    f.put("trie blocks committed", commits.get());
    f.put("old roots re-read with proofs", trieChecks.get());
    f.put("reads verified during the run", readsVerified.get());
    f.put("writes and trie values verified after reopen", verifiedAfterReopen);
    f.put("flushes and compactions", stats.compactions() + " compactions, "
        + stats.flushBytesWritten() + " bytes flushed");
    f.put("violations", 0);
    ReliabilityReport.record("whole-stack concurrency", f);
  }

  /** Marks a deleted key in a writer's model (an identity no value can be). */
  private static final byte[] DELETED = new byte[0];

  /** Reads {@code count} of the block's updates at its root and proves them; returns the count. */
  private static long checkBlock(StateStore store, Block b, Random r, int count) {
    Trie t = store.trie(b.root());
    List<String> keys = new ArrayList<>(b.updates().keySet());
    long n = 0;
    for (int i = 0; i < count && i < keys.size(); i++) {
      String k = count >= keys.size() ? keys.get(i) : keys.get(r.nextInt(keys.size()));
      byte[] want = b.updates().get(k);
      byte[] key = k.getBytes(UTF_8);
      assertArrayEquals(want, t.get(key), "block " + b.number() + " key " + k);
      Proof p = t.prove(key);
      assertArrayEquals(want, Proof.verify(b.root(), key, Proof.fromBytes(p.toBytes()))
          .orElseThrow(), "proof of block " + b.number() + " key " + k);
      n++;
    }
    assertEquals(Optional.of(b.root()), store.rootAt(b.number()));
    return n;
  }

  private static Map<String, String> gets(Db db, ReadOptions at, List<byte[]> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (byte[] k : keys) {
      byte[] v = db.get(k, at);
      out.put(new String(k, UTF_8), v == null ? null : hex(v));
    }
    return out;
  }

  /** A bounded scan, forward or backward; checks order and bounds; skips trie node keys. */
  private static TreeMap<String, String> scan(Db db, ReadOptions range, boolean forward) {
    TreeMap<String, String> out = new TreeMap<>();
    byte[] lower = range.lowerBound();
    byte[] upper = range.upperBound();
    try (Cursor c = db.cursor(range)) {
      byte[] last = null;
      for (if0(c, forward); c.isValid(); step(c, forward)) {
        byte[] k = c.key();
        assertTrue(Arrays.compareUnsigned(k, lower) >= 0 && Arrays.compareUnsigned(k, upper) < 0,
            "a key out of the cursor's bounds");
        if (last != null) {
          int cmp = Arrays.compareUnsigned(last, k);
          assertTrue(forward ? cmp < 0 : cmp > 0, "keys out of order in a "
              + (forward ? "forward" : "backward") + " scan");
        }
        last = k;
        if (k.length != 32) { // a trie node whose hash happens to start with the prefix
          out.put(new String(k, UTF_8), hex(c.value()));
        }
      }
    }
    return out;
  }

  private static void if0(Cursor c, boolean forward) {
    if (forward) {
      c.seekToFirst();
    } else {
      c.seekToLast();
    }
  }

  private static void step(Cursor c, boolean forward) {
    if (forward) {
      c.next();
    } else {
      c.prev();
    }
  }

  /** A writer's group keys, read at one point in time, hold one batch number. */
  private static void checkGroup(Map<String, String> values, int writer, String how) {
    String first = null;
    for (int j = 0; j < GROUP; j++) {
      String v = values.get(new String(groupKey(writer, j), UTF_8));
      assertTrue(v != null, how + ": group key " + j + " of writer " + writer + " is missing");
      if (first == null) {
        first = v;
      }
      assertEquals(first, v, how + ": writer " + writer + "'s batch seen half applied");
    }
  }

  private static String hex(byte[] v) {
    return java.util.HexFormat.of().formatHex(v);
  }
}

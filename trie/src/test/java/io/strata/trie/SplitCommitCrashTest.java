package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.Cursor;
import io.strata.lsm.ReadOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 3 of the retention issue for commits split into several batches
 * ({@link StateOptions#commitBatchBytes()}): a crash after any batch but the last leaves node
 * records no version refers to; after a reopen the next pruning pass deletes exactly those that
 * no retained root holds, and a later commit of the same state is counted and pruned normally.
 */
class SplitCommitCrashTest {
  @TempDir Path tmp;

  private static final class Crash extends RuntimeException {
    Crash(int batch) {
      super("crash after batch " + batch);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static StateOptions options() {
    return StateOptions.builder().syncCommits(false).flushLag(0).retention(Retention.blocks(2))
        .commitBatchBytes(1 << 20).build();
  }

  /** Block 1 and 2 small; block 3 rewrites 12,000 keys of ~150 bytes: several batches. */
  private static Trie block(Trie t, int block) {
    int n = block == 3 ? 12_000 : 300;
    return t.update(u -> {
      for (int i = 0; i < n; i++) {
        u.put(b("key-" + (i * 7919 % 20_000)), b("block-" + block + "-" + "v".repeat(120) + i));
      }
    });
  }

  @Test
  void aCrashAfterEachBatchOfASplitCommitLeavesOnlyGarbageTheNextPassRemoves() {
    int batches = -1;
    for (int crashAfter = 0; batches < 0 || crashAfter < batches - 1; crashAfter++) {
      Path dir = tmp.resolve("crash-" + crashAfter);
      Hash r1;
      Hash r2;
      List<Integer> seen = new ArrayList<>();
      int at = crashAfter;
      try (StateStore store = StateStore.open(dir, options())) {
        Trie t1 = block(store.emptyTrie(), 1);
        r1 = store.commit(1, t1);
        Trie t2 = block(t1, 2);
        r2 = store.commit(2, t2);
        store.waitForPruning();
        store.afterSplitBatchForTest = i -> {
          seen.add(i);
          if (i == at) {
            throw new Crash(i);
          }
        };
        Trie t3 = block(t2, 3);
        assertThrows(Crash.class, () -> store.commit(3, t3));
        store.afterSplitBatchForTest = null;
        if (batches < 0) {
          // the first run learns how many batches the commit has: count them without a crash
          try (StateStore probe = StateStore.open(tmp.resolve("probe"), options())) {
            List<Integer> all = new ArrayList<>();
            probe.afterSplitBatchForTest = all::add;
            probe.commit(1, block(probe.emptyTrie(), 1).update(u -> { }));
            Trie p2 = block(probe.trie(probe.rootAt(1).orElseThrow()), 2);
            probe.commit(2, p2);
            probe.commit(3, block(p2, 3));
            batches = all.size() + 1;
          }
          assertTrue(batches >= 3, "the commit must split into several batches: " + batches);
        }
        assertTrue(unfinishedRecords(store) > 0, "the split batches left their records");
        assertTrue(leftOver(store, Set.of(r1, r2)) > 0, "the crash left unreferenced nodes");
      }
      String context = "crash after batch " + crashAfter + " of " + batches;
      try (StateStore store = StateStore.open(dir, options())) {
        assertEquals(2, store.latestBlock().orElseThrow(), context);
        store.waitForPruning();
        RetentionModel.checkExactly(store, Set.of(r1, r2), context + ", after the reopen");
        assertEquals(0, unfinishedRecords(store), context + ": records of the unfinished commit");
        // the same block committed again is written, counted and pruned like any other
        Trie t3 = block(store.trie(r2), 3);
        Hash r3 = store.commit(3, t3);
        store.commit(4, t3.put(b("key-1"), b("four")));
        store.waitForPruning();
        RetentionModel.checkExactly(store, Set.of(r3, store.rootAt(4).orElseThrow()),
            context + ", after two more blocks");
        assertEquals(0, unfinishedRecords(store), context);
      }
    }
  }

  private static long leftOver(StateStore store, Set<Hash> roots) {
    Set<String> reachable = new java.util.HashSet<>();
    for (Hash r : roots) {
      RetentionModel.collect(store, r, reachable);
    }
    long n = 0;
    try (Cursor c = store.db().cursor(ReadOptions.builder()
        .lowerBound(StoreKeys.family(StoreKeys.NODE))
        .upperBound(StoreKeys.after(StoreKeys.family(StoreKeys.NODE))).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        if (!reachable.contains(Hash.hex(c.key()))) {
          n++;
        }
      }
    }
    return n;
  }

  private static long unfinishedRecords(StateStore store) {
    long n = 0;
    try (Cursor c = store.db().cursor(ReadOptions.builder()
        .lowerBound(StoreKeys.family(StoreKeys.UNFINISHED))
        .upperBound(StoreKeys.after(StoreKeys.family(StoreKeys.UNFINISHED))).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        n++;
      }
    }
    return n;
  }
}

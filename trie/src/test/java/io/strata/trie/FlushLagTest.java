package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.CorruptionException;
import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.ReadOptions;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store with a flush lag ({@link StateOptions.Builder#flushLag}): nodes that die inside the
 * window are never written, commits leave journal records, a crash is recovered by replaying them
 * (in any mode, read-only included), and a damaged record is reported by name.
 */
class FlushLagTest {
  @TempDir Path tmp;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static StateOptions lagged(int window, int lag) {
    return StateOptions.builder().syncCommits(false).retention(Retention.blocks(window))
        .flushLag(lag).build();
  }

  /** Commits {@code blocks} blocks of 40 updates over 200 keys; returns the trie of each block. */
  private static List<Trie> commitBlocks(StateStore store, int from, int blocks, Trie start) {
    List<Trie> out = new ArrayList<>();
    Trie t = start;
    java.util.Random r = new java.util.Random(from);
    for (int h = from; h < from + blocks; h++) {
      final int height = h;
      t = t.update(u -> {
        for (int i = 0; i < 40; i++) {
          int k = r.nextInt(200);
          if (r.nextInt(10) == 0) {
            u.remove(b("key-" + k));
          } else {
            u.put(b("key-" + k), b("value-" + height + "-" + i + "-" + "x".repeat(r.nextInt(40))));
          }
        }
      });
      store.commit(h, t);
      out.add(t);
    }
    return out;
  }

  private static List<byte[]> journalKeys(Db db) {
    List<byte[]> keys = new ArrayList<>();
    byte[] from = StoreKeys.family(StoreKeys.JOURNAL);
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(from)
        .upperBound(StoreKeys.after(from)).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        keys.add(c.key());
      }
    }
    return keys;
  }

  @Test
  void optionIsChecked() {
    assertThrows(IllegalArgumentException.class, () -> StateOptions.builder().flushLag(-1));
    assertThrows(IllegalArgumentException.class, () -> StateOptions.builder().flushLag(1025));
    assertEquals(16, StateOptions.defaults().flushLag());
    assertEquals(256L << 20, StateOptions.defaults().dirtyBytes());
    assertTrue(lagged(4, 3).toString().contains("flushLag=3"));
  }

  /**
   * Nodes that die inside the window stay in memory and are dropped: the table files never see
   * them (no record of theirs, live or deleted, is ever written), while every retained root reads
   * back whole; the accounting is exact over disk and memory.
   */
  @Test
  void nodesDyingInsideTheWindowNeverReachTheDisk() {
    Path dir = tmp.resolve("dying");
    try (StateStore store = StateStore.open(dir, lagged(8, 4))) {
      Trie t0 = store.emptyTrie();
      List<Trie> tries = commitBlocks(store, 1, 60, t0);
      store.waitForPruning();
      long[] f = store.flushFigures();
      assertTrue(f[1] > 0, "nodes dropped in memory: " + f[1]);
      assertTrue(f[0] > 0, "nodes written by advances: " + f[0]);
      Set<Hash> retained = new HashSet<>();
      for (int h = 53; h <= 60; h++) {
        retained.add(tries.get(h - 1).rootHash());
      }
      RetentionModel.checkExactly(store, retained, "after 60 blocks, lag 4");
      // the journal holds a record for every member whose nodes are in memory, and only those
      assertFalse(journalKeys(store.db()).isEmpty());
      assertFalse(store.dirtyKeys().isEmpty());
    }
    try (StateStore store = StateStore.open(dir, lagged(8, 0))) {
      assertEquals(List.of(), journalKeys(store.db()), "close wrote every node held in memory");
      assertEquals(List.of(), store.dirtyKeys());
    }
  }

  /** A crash (no close) loses the nodes in memory; the reopen replays the journal. */
  @Test
  void aCrashIsRecoveredFromTheJournalInEveryMode() {
    for (String mode : List.of("lag", "no lag", "archive", "read-only")) {
      Path dir = tmp.resolve("crash-" + mode.replace(' ', '-'));
      List<Trie> tries;
      StateStore store = StateStore.open(dir, lagged(6, 3));
      tries = commitBlocks(store, 1, 30, store.emptyTrie());
      assertFalse(journalKeys(store.db()).isEmpty());
      store.closeWritesNodes = false; // as a kill: nothing held in memory is written
      store.close();
      StateOptions reopen = switch (mode) {
        case "lag" -> lagged(6, 3);
        case "no lag" -> lagged(6, 0);
        default -> StateOptions.builder().syncCommits(false).build();
      };
      if (mode.equals("read-only")) {
        try (Db db = Db.openReadOnly(dir); StateStore s = StateStore.on(db, reopen)) {
          checkBlocks(s, tries, 25, 30, mode);
          assertFalse(journalKeys(db).isEmpty(), "a read-only open writes nothing");
        }
        try (StateStore s = StateStore.open(dir, lagged(6, 3))) {
          checkBlocks(s, tries, 25, 30, mode + ", then reopened with its lag");
        }
        continue;
      }
      try (StateStore s = StateStore.open(dir, reopen)) {
        checkBlocks(s, tries, 25, 30, mode);
        if (!mode.equals("lag")) {
          assertEquals(List.of(), journalKeys(s.db()), mode + ": the replayed nodes are written");
          assertEquals(List.of(), s.dirtyKeys());
        }
        if (mode.equals("lag")) {
          List<Trie> more = commitBlocks(s, 31, 10, s.trie(tries.get(29).rootHash()));
          tries.addAll(more);
          s.waitForPruning();
          Set<Hash> retained = new HashSet<>();
          for (int h = 35; h <= 40; h++) {
            retained.add(tries.get(h - 1).rootHash());
          }
          RetentionModel.checkExactly(s, retained, "after the replay and 10 more blocks");
        }
      }
    }
  }

  private static void checkBlocks(StateStore s, List<Trie> tries, int from, int to,
      String context) {
    for (int h = from; h <= to; h++) {
      Trie want = tries.get(h - 1);
      assertEquals(want.rootHash(), s.rootAt(h).orElseThrow(), context + ": root of " + h);
      Trie got = s.trie(want.rootHash());
      for (int k = 0; k < 200; k++) {
        byte[] key = b("key-" + k);
        assertArrayEquals(want.get(key), got.get(key), context + ": block " + h + " key " + k);
      }
    }
  }

  /**
   * Format version 3 came with journal records: a version-2 store opens, stays 2 while nothing is
   * journaled, and its first journaled commit raises it to 3; another version byte is refused.
   */
  @Test
  void theFirstJournaledCommitRaisesTheFormatVersion() {
    Path dir = tmp.resolve("format");
    try (Db db = Db.open(dir)) {
      try (StateStore s = StateStore.on(db, lagged(4, 0))) {
        commitBlocks(s, 1, 3, s.emptyTrie());
      }
      WriteBatch wb = new WriteBatch();
      wb.put(StoreKeys.FORMAT, new byte[] {2});
      db.write(wb, WriteOptions.sync());
      try (StateStore s = StateStore.on(db, lagged(4, 0))) {
        commitBlocks(s, 4, 2, s.trie(s.rootAt(3).orElseThrow()));
      }
      assertArrayEquals(new byte[] {2}, db.get(StoreKeys.FORMAT), "nothing journaled yet");
      try (StateStore s = StateStore.on(db, lagged(4, 2))) {
        commitBlocks(s, 6, 1, s.trie(s.rootAt(5).orElseThrow()));
        assertArrayEquals(new byte[] {3}, db.get(StoreKeys.FORMAT), "raised with the journal");
      }
      WriteBatch bad = new WriteBatch();
      bad.put(StoreKeys.FORMAT, new byte[] {4});
      db.write(bad, WriteOptions.sync());
      io.strata.StrataException e = assertThrows(io.strata.StrataException.class,
          () -> StateStore.on(db, lagged(4, 2)));
      assertTrue(e.getMessage().contains("not a supported version (2 or 3)"), e.getMessage());
    }
  }

  /** A damaged journal record is reported naming it, whether it fails to decode or to verify. */
  @Test
  void aDamagedJournalRecordIsReportedByName() {
    for (String damage : List.of("truncated", "value changed", "anchor missing")) {
      Path dir = tmp.resolve("damaged-" + damage.replace(' ', '-'));
      StateStore store = StateStore.open(dir, lagged(6, 3));
      commitBlocks(store, 1, 12, store.emptyTrie());
      store.closeWritesNodes = false;
      store.close();
      try (Db db = Db.open(dir)) {
        List<byte[]> keys = journalKeys(db);
        byte[] key = keys.get(keys.size() - 1);
        byte[] v = db.get(key);
        byte[] bad;
        if (damage.equals("truncated")) {
          bad = java.util.Arrays.copyOf(v, v.length - 3);
        } else if (damage.equals("value changed")) {
          bad = v.clone();
          bad[bad.length - 1] ^= 1; // the last byte of the last change's value
        } else {
          key = keys.get(0); // its anchor root changed: no such trie
          bad = db.get(key).clone();
          bad[5] ^= 1;
        }
        WriteBatch wb = new WriteBatch();
        wb.put(key, bad);
        db.write(wb, WriteOptions.sync());
        final byte[] named = key;
        CorruptionException e = assertThrows(CorruptionException.class,
            () -> StateStore.on(db, lagged(6, 3)), damage);
        assertTrue(e.getMessage().contains("journal record " + Hash.hex(named)),
            damage + ": " + e.getMessage());
      }
    }
  }
}

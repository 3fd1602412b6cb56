package io.strata.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The operations of a campaign workload, each a pure function of the campaign seed and its index,
 * so a parent process, a child process and an oracle all see the same operation {@code i} without
 * sending it anywhere.
 *
 * <p>The mix: key-value batches (1-12 puts and deletes over 300 keys, a quarter synced; every
 * batch also sets {@code kv:last} to its index), trie commits (1-40 account updates or removals
 * over 400 accounts, committed as the next block), flushes and full compactions. Key-value keys
 * are 7 bytes ({@code kv:k123}, {@code kv:last}), so they never meet the trie's keys in the same
 * store (32-byte node hashes and 1- or 9-byte metadata keys).
 */
final class Ops {
  private Ops() {}

  static final String LAST = "kv:last";

  enum Kind { BATCH, COMMIT, FLUSH, COMPACT }

  /** A key and its new value; a null value deletes (removes, in the trie). */
  record Change(String key, String value) {}

  /** Operation {@code index}: a batch or commit carries its changes. */
  record Op(long index, Kind kind, boolean sync, List<Change> changes) {
    boolean changesState() {
      return kind == Kind.BATCH || kind == Kind.COMMIT;
    }
  }

  static Op at(long seed, long index) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L + index * 0xC2B2AE3D27D4EB4FL + 17);
    int dice = r.nextInt(1000);
    if (dice < 20) {
      return new Op(index, Kind.FLUSH, false, List.of());
    }
    if (dice < 25) {
      return new Op(index, Kind.COMPACT, false, List.of());
    }
    if (dice < 145) {
      int n = 1 + r.nextInt(40);
      List<Change> changes = new ArrayList<>(n);
      boolean linked = linked(seed);
      for (int i = 0; i < n; i++) {
        if (linked && r.nextBoolean()) {
          // a slot of one of 20 contracts; few slots and values, so equal storage tries happen
          String key = String.format("acct%03d/s%02d", r.nextInt(20), r.nextInt(12));
          changes.add(new Change(key, r.nextInt(5) == 0 ? null : "v" + r.nextInt(3)));
          continue;
        }
        String key = String.format("acct%03d", r.nextInt(linked ? 60 : 400));
        changes.add(new Change(key, r.nextInt(10) == 0 ? null
            : "o" + index + "-" + i + "-" + "w".repeat(r.nextInt(40))));
      }
      return new Op(index, Kind.COMMIT, true, changes);
    }
    int n = 1 + r.nextInt(12);
    List<Change> changes = new ArrayList<>(n + 1);
    for (int i = 0; i < n; i++) {
      String key = String.format("kv:k%03d", r.nextInt(300));
      changes.add(new Change(key, r.nextInt(5) == 0 ? null
          : "o" + index + "-" + i + "-" + "p".repeat(r.nextInt(200))));
    }
    changes.add(new Change(LAST, Long.toString(index)));
    return new Op(index, Kind.BATCH, r.nextInt(4) == 0, changes);
  }

  /**
   * The trie store's retention in a campaign with this seed: archive when {@code seed % 4 == 0},
   * otherwise a window of 1 to 6 heights (from the seed), pruned in the background, so that
   * campaigns check rule 3 of the retention issue: after any crash every retained root is whole.
   */
  static int window(long seed) {
    return Math.floorMod(seed, 4) == 0 ? 0 : 1 + (int) Math.floorMod(seed >> 2, 6);
  }

  /**
   * Whether a campaign with this seed commits a world state ({@link World}): an account trie of
   * Ethereum accounts (60 of them, the first 20 with storage tries of up to 12 slots) committed
   * with its storage tries as linked tries ({@code commit(block, root, linked)},
   * {@code LeafLinks.ethereumAccounts()}). Half the seeds (bit 5 clear), in archive and windowed
   * runs alike.
   */
  static boolean linked(long seed) {
    return (seed & 32) == 0;
  }

  /** A seed like {@code seed} whose campaign commits linked tries. */
  static long linkedSeed(long seed) {
    return seed & ~32L;
  }

  /**
   * A seed like {@code seed} whose campaign commits one trie per block, without links: in a
   * window, the store then keeps its pruning counts in memory and rebuilds them on every open.
   */
  static long unlinkedSeed(long seed) {
    return seed | 32L;
  }

  /**
   * The flush lag of a campaign with this seed ({@code StateOptions.flushLag}): 1 to 4 when the
   * trie store is windowed without links and bit 6 of the seed is set (commits then journal their
   * changes and keep their nodes in memory; every kill loses those and every reopen replays the
   * journal), else 0.
   */
  static int flushLag(long seed) {
    return window(seed) > 0 && !linked(seed) && (seed & 64) != 0
        ? 1 + (int) Math.floorMod(seed >> 7, 4) : 0;
  }

  /** A seed like {@code seed} (windowed) whose campaign runs the trie store with a flush lag. */
  static long laggedSeed(long seed) {
    return unlinkedSeed(seed) | 64L;
  }

  /** The trie store's options of a campaign with this seed: its window, links and flush lag. */
  static io.strata.trie.StateOptions trieOptionsOf(long seed) {
    int w = window(seed);
    return io.strata.trie.StateOptions.builder().retention(w == 0
            ? io.strata.trie.Retention.archive() : io.strata.trie.Retention.blocks(w))
        .leafLinks(linked(seed) ? io.strata.trie.LeafLinks.ethereumAccounts()
            : io.strata.trie.LeafLinks.none()).flushLag(flushLag(seed)).build();
  }

  /** The trie store's options for a window (0: archive; see {@link #window}). */
  static io.strata.trie.StateOptions trieOptions(int w) {
    return io.strata.trie.StateOptions.builder().retention(w == 0
        ? io.strata.trie.Retention.archive() : io.strata.trie.Retention.blocks(w)).build();
  }

  /** A seed like {@code seed} whose campaign runs the trie store with a window. */
  static long windowed(long seed) {
    return Math.floorMod(seed, 4) == 0 ? seed + 1 : seed;
  }

  /** A seed like {@code seed} whose campaign runs the trie store in archive mode. */
  static long archived(long seed) {
    return seed - Math.floorMod(seed, 4);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}

package io.strata.bench.run;

import io.strata.trie.Hash;
import io.strata.trie.LeafLinks;
import io.strata.trie.Retention;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The trie suite's {@code world} workload (issue 19): a world state of {@code accounts}
 * Ethereum accounts ({@code [nonce, balance, storageRoot, codeHash]}, hashed 32-byte keys), a
 * tenth of them contracts with 1-1,000 storage slots each; blocks of 500 account updates and
 * 1,000 slot updates committed with {@code commit(block, root, linked)} and {@code
 * LeafLinks.ethereumAccounts()}, the changed storage tries as the linked tries. The load (every
 * account and slot) is committed in blocks too, untimed. Timed: the blocks; reported: committed
 * updates per second (account plus slot updates) and the disk after the blocks (a windowed
 * store: after {@code waitForPruning()} and a full compaction). Checked: a sample of accounts
 * and slots read back at the latest root equals what was written.
 *
 * <p>One thread.
 */
final class WorldState {
  static final int ACCOUNT_UPDATES = 500;
  static final int SLOT_UPDATES = 1_000;
  private static final byte[] EMPTY_CODE = Hash.keccak256(new byte[0]).toBytes();

  private final int accounts;
  private final int contracts;
  private final byte[][] keys;
  /** Slots of contract c (accounts 0 .. contracts-1 are the contracts). */
  private final int[] slotCount;
  /** Last block that wrote account a's balance, and slot s of contract c's value. */
  private final int[] accountVersion;
  private final int[][] slotVersion;
  private final Hash[] storageRoot;
  private final StateStore store;
  private final boolean windowed;
  private Trie root;

  WorldState(Path dir, int accounts, boolean windowed) {
    this.accounts = accounts;
    this.contracts = Math.max(1, accounts / 10);
    this.windowed = windowed;
    SplittableRandom r = new SplittableRandom(19);
    keys = new byte[accounts][];
    for (int i = 0; i < accounts; i++) {
      keys[i] = Hash.keccak256(("account-" + i).getBytes()).toBytes();
    }
    slotCount = new int[contracts];
    slotVersion = new int[contracts][];
    for (int c = 0; c < contracts; c++) {
      slotCount[c] = 1 + r.nextInt(1_000);
      slotVersion[c] = new int[slotCount[c]];
    }
    accountVersion = new int[accounts];
    storageRoot = new Hash[accounts];
    Arrays.fill(storageRoot, Trie.empty().rootHash());
    StateOptions.Builder b = StateOptions.builder().leafLinks(LeafLinks.ethereumAccounts());
    if (windowed) {
      b.retention(Retention.blocks(TrieSuite.WINDOW));
    }
    store = StateStore.open(dir, b.build());
    root = store.emptyTrie();
  }

  /** Total slots (for the report). */
  long slots() {
    long n = 0;
    for (int c : slotCount) {
      n += c;
    }
    return n;
  }

  private long block;

  /** Commits every account and slot, in blocks of at most ~100,000 slots; returns them. */
  long load() {
    root = root.update(u -> {
      for (int a = contracts; a < accounts; a++) {
        u.put(keys[a], account(a));
      }
    });
    store.commit(block++, root);
    long written = accounts - contracts;
    int c = 0;
    while (c < contracts) {
      Map<Integer, Trie> changed = new HashMap<>();
      long inBlock = 0;
      while (c < contracts && inBlock < 100_000) {
        int cc = c;
        Trie s = store.emptyTrie().update(u -> {
          for (int i = 0; i < slotCount[cc]; i++) {
            u.put(slotKey(i), slotValue(cc, i, 0));
          }
        });
        changed.put(c, s);
        inBlock += slotCount[c];
        c++;
      }
      written += inBlock + changed.size();
      commit(changed);
    }
    return written;
  }

  /** One block: 500 account updates and 1,000 slot updates; returns the updates (1,500). */
  int block(SplittableRandom r) {
    int b = (int) block;
    Map<Integer, Trie> changed = new HashMap<>();
    Map<Integer, List<Integer>> slots = new HashMap<>();
    for (int i = 0; i < SLOT_UPDATES; i++) {
      int c = r.nextInt(contracts);
      slots.computeIfAbsent(c, k -> new ArrayList<>()).add(r.nextInt(slotCount[c]));
    }
    for (Map.Entry<Integer, List<Integer>> e : slots.entrySet()) {
      int c = e.getKey();
      Trie s = store.trie(storageRoot[c]).update(u -> {
        for (int slot : e.getValue()) {
          slotVersion[c][slot] = b;
          u.put(slotKey(slot), slotValue(c, slot, b));
        }
      });
      changed.put(c, s);
    }
    int[] touched = new int[ACCOUNT_UPDATES];
    for (int i = 0; i < ACCOUNT_UPDATES; i++) {
      touched[i] = r.nextInt(accounts);
      accountVersion[touched[i]] = b;
    }
    commit(changed, touched);
    return ACCOUNT_UPDATES + SLOT_UPDATES;
  }

  private void commit(Map<Integer, Trie> changed, int... touched) {
    // the storage tries hash independently: on both cores, before the account values that hold
    // their roots can be written (WorldHashBenchmark: 1.3x over one by one)
    List<Trie> tries = new ArrayList<>(changed.values());
    List<Hash> roots = Trie.hashAll(tries);
    int i = 0;
    for (Integer c : changed.keySet()) {
      storageRoot[c] = roots.get(i++);
    }
    root = root.update(u -> {
      for (int c : changed.keySet()) {
        u.put(keys[c], account(c));
      }
      for (int a : touched) {
        u.put(keys[a], account(a));
      }
    });
    store.commit(block++, root, changed.values());
  }

  /** After the blocks: a windowed store waits for pruning and compacts fully. */
  void settle() {
    if (windowed) {
      store.waitForPruning();
      store.db().compactRange(null, null);
    }
  }

  /**
   * Reads {@code samples} random accounts and as many random slots back at the latest root from
   * a fresh read of the store; returns the number that differ from what was written.
   */
  long check(int samples, SplittableRandom r) {
    Trie latest = store.trie(root.rootHash());
    long wrong = 0;
    for (int i = 0; i < samples; i++) {
      int a = r.nextInt(accounts);
      if (!Arrays.equals(latest.get(keys[a]), account(a))) {
        wrong++;
      }
      int c = r.nextInt(contracts);
      int slot = r.nextInt(slotCount[c]);
      byte[] v = store.trie(storageRoot[c]).get(slotKey(slot));
      if (!Arrays.equals(v, slotValue(c, slot, slotVersion[c][slot]))) {
        wrong++;
      }
    }
    return wrong;
  }

  byte[] rootBytes() {
    return root.rootHash().toBytes();
  }

  StateStore store() {
    return store;
  }

  void close() {
    store.close();
  }

  private byte[] account(int a) {
    byte[] balance = ("balance-" + a + "-" + accountVersion[a]).getBytes();
    return rlpList(new byte[0], balance, storageRoot[a].toBytes(), EMPTY_CODE);
  }

  private static byte[] slotKey(int slot) {
    return Hash.keccak256(new byte[] {(byte) (slot >>> 8), (byte) slot}).toBytes();
  }

  private static byte[] slotValue(int c, int slot, int version) {
    return ("v" + c + "." + slot + "." + version).getBytes();
  }

  private static byte[] rlpList(byte[]... items) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    for (byte[] it : items) {
      if (it.length == 1 && (it[0] & 0xff) < 0x80) {
        p.write(it[0]);
      } else {
        header(p, 0x80, it.length);
        p.writeBytes(it);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    header(out, 0xc0, p.size());
    out.writeBytes(p.toByteArray());
    return out.toByteArray();
  }

  private static void header(ByteArrayOutputStream out, int base, int len) {
    if (len < 56) {
      out.write(base + len);
    } else {
      out.write(base + 56);
      out.write(len); // items here are under 256 bytes
    }
  }
}

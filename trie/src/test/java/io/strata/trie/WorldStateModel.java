package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The model of issue 19's world state for the linked-tries property: accounts (Ethereum account
 * RLP in a secure account trie) each with a storage trie, small alphabets so that accounts often
 * hold identical storage tries (shared linked roots) and slots come back to earlier values.
 * Blocks change balances and slots, create and delete accounts (a deleted account's storage
 * becomes garbage unless another account or block still links it), fork, and rewind.
 *
 * <p>Not thread-safe.
 */
final class WorldStateModel {
  static final int ACCOUNTS = 12;
  static final int SLOTS = 6;
  static final byte[] EMPTY_CODE = Keccak.hash(new byte[0]);

  /** An account: balance and storage slots. Immutable. */
  record Account(int balance, TreeMap<Integer, Integer> storage) {}

  final int window;
  /** Block contents by root; commits as (height, root). */
  final Map<Hash, TreeMap<Integer, Account>> states = new HashMap<>();
  final List<long[]> heights = new ArrayList<>();
  final List<Hash> roots = new ArrayList<>();
  final TreeMap<Long, Hash> canonical = new TreeMap<>();
  final Set<Hash> prunedThisSession = new HashSet<>();
  long latest = -1;
  long horizon = -1;

  WorldStateModel(int window) {
    this.window = window;
  }

  static byte[] accountKey(int a) {
    return ("account-" + a).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] slotKey(int s) {
    return new byte[] {(byte) s};
  }

  static byte[] slotValue(int v) {
    return ("slot value number " + v + " padded to be long").getBytes(StandardCharsets.UTF_8);
  }

  /** The account RLP [nonce, balance, storageRoot, codeHash]. */
  static byte[] accountValue(int balance, Hash storageRoot) {
    byte[] bal = new byte[] {(byte) (balance + 1)};
    byte[] nonce = {(byte) 0x80};
    byte[] sr = new byte[33];
    sr[0] = (byte) 0xa0;
    System.arraycopy(storageRoot.bytes(), 0, sr, 1, 32);
    byte[] ch = new byte[33];
    ch[0] = (byte) 0xa0;
    System.arraycopy(EMPTY_CODE, 0, ch, 1, 32);
    int payload = nonce.length + 1 + sr.length + ch.length;
    byte[] out = new byte[2 + payload];
    out[0] = (byte) 0xf8;
    out[1] = (byte) payload;
    int p = 2;
    System.arraycopy(nonce, 0, out, p, 1);
    p += 1;
    out[p++] = bal[0];
    System.arraycopy(sr, 0, out, p, 33);
    p += 33;
    System.arraycopy(ch, 0, out, p, 33);
    return out;
  }

  static Hash storageRoot(StateStore store, TreeMap<Integer, Integer> slots) {
    Trie t = Trie.empty(store.options());
    for (Map.Entry<Integer, Integer> e : slots.entrySet()) {
      t = t.put(slotKey(e.getKey()), slotValue(e.getValue()));
    }
    return t.rootHash();
  }

  Set<Hash> retained() {
    Set<Hash> r = new HashSet<>();
    for (int i = 0; i < roots.size(); i++) {
      if (heights.get(i)[0] > horizon) {
        r.add(roots.get(i));
      }
    }
    return r;
  }

  /** Applies operation {@code code}; returns a description. */
  String apply(StateStore store, int code) {
    Random r = new Random(code);
    int kind = Math.floorMod(code, 10);
    if (kind == 9 && latest >= 0) {
      long to = horizon + 1 + r.nextInt((int) (latest - horizon));
      store.rewind(to);
      canonical.tailMap(to, false).clear();
      latest = to;
      return "rewind to " + to;
    }
    if (kind == 8) {
      store.waitForPruning();
      return "wait for pruning";
    }
    long height = latest < 0 ? 0 : kind <= 5 ? latest + 1 : kind == 6 ? latest : latest + 2;
    height = Math.max(height, horizon + 1);
    TreeMap<Integer, Account> base = new TreeMap<>();
    Hash baseRoot = null;
    List<Hash> ret = new ArrayList<>(retained());
    ret.sort((p, q) -> p.toString().compareTo(q.toString()));
    if (kind == 7 && !ret.isEmpty()) {
      baseRoot = ret.get(r.nextInt(ret.size()));
    } else if (canonical.containsKey(latest)) {
      baseRoot = canonical.get(latest);
    }
    if (baseRoot != null) {
      base = new TreeMap<>(states.get(baseRoot));
    }
    Trie accounts = baseRoot == null ? store.emptyTrie() : store.trie(baseRoot);
    TreeMap<Integer, Account> next = new TreeMap<>(base);
    Map<Integer, Trie> working = new java.util.LinkedHashMap<>();
    StringBuilder d = new StringBuilder("block " + height + ":");
    int changes = 1 + r.nextInt(4);
    for (int i = 0; i < changes; i++) {
      int a = r.nextInt(ACCOUNTS);
      Account old = next.get(a);
      if (old != null && r.nextInt(6) == 0) {
        next.remove(a);
        working.remove(a);
        accounts = accounts.remove(accountKey(a));
        d.append(" delete ").append(a);
        continue;
      }
      TreeMap<Integer, Integer> slots = old == null ? new TreeMap<>() : new TreeMap<>(
          old.storage());
      Trie storage = working.containsKey(a) ? working.get(a)
          : old == null || old.storage().isEmpty() ? store.emptyTrie()
          : store.trie(storageRoot(store, old.storage()));
      int slotChanges = r.nextInt(3);
      for (int s = 0; s < slotChanges; s++) {
        int slot = r.nextInt(SLOTS);
        if (r.nextInt(4) == 0) {
          slots.remove(slot);
          storage = storage.remove(slotKey(slot));
        } else {
          int v = r.nextInt(2);
          slots.put(slot, v);
          storage = storage.put(slotKey(slot), slotValue(v));
        }
      }
      int balance = r.nextInt(3);
      next.put(a, new Account(balance, slots));
      accounts = accounts.put(accountKey(a), accountValue(balance, storage.rootHash()));
      working.put(a, storage);
      d.append(" ").append(a).append(":").append(balance).append(slots);
    }
    Hash root = store.commit(height, accounts, new ArrayList<>(working.values()));
    roots.add(root);
    heights.add(new long[] {height});
    states.put(root, next);
    canonical.put(height, root);
    latest = Math.max(latest, height);
    long before = horizon;
    horizon = Math.max(horizon, latest - window);
    canonical.headMap(horizon, true).clear();
    Set<Hash> retained = retained();
    for (int i = 0; i < roots.size(); i++) {
      long h = heights.get(i)[0];
      if (h > before && h <= horizon && !retained.contains(roots.get(i))) {
        prunedThisSession.add(roots.get(i));
      }
    }
    prunedThisSession.removeAll(retained);
    prunedThisSession.remove(Hash.EMPTY_TRIE);
    return d.toString();
  }

  /** Every retained block's account trie and every storage trie it links equal the model. */
  void check(StateStore store, String context) {
    for (Hash root : retained()) {
      Trie accounts = store.trie(root);
      TreeMap<Integer, Account> want = states.get(root);
      for (int a = 0; a < ACCOUNTS; a++) {
        Account acct = want.get(a);
        byte[] got = accounts.get(accountKey(a));
        if (acct == null) {
          assertEquals(null, got == null ? null : "present", context + ": account " + a);
          continue;
        }
        Hash sr = storageRoot(store, acct.storage());
        assertArrayEquals(accountValue(acct.balance(), sr), got, context + ": account " + a);
        assertTrue(store.isRetained(sr), context + ": storage of account " + a + " retained");
        Trie storage = store.trie(sr);
        for (int s = 0; s < SLOTS; s++) {
          Integer v = acct.storage().get(s);
          assertArrayEquals(v == null ? null : slotValue(v), storage.get(slotKey(s)),
              context + ": slot " + s + " of account " + a);
        }
      }
    }
    for (Hash root : prunedThisSession) {
      assertThrows(PrunedStateException.class, () -> store.trie(root), context + ": pruned");
    }
    for (long h = horizon + 1; h <= latest; h++) {
      assertEquals(Optional.ofNullable(canonical.get(h)), store.rootAt(h), context + ": rootAt");
    }
  }

  /** The roots a retained block reaches: account roots and the storage roots they link. */
  Set<Hash> reachable(StateStore store) {
    Set<Hash> out = new HashSet<>();
    for (Hash root : retained()) {
      out.add(root);
      for (Account a : states.get(root).values()) {
        out.add(storageRoot(store, a.storage()));
      }
    }
    out.remove(Hash.EMPTY_TRIE);
    return out;
  }
}

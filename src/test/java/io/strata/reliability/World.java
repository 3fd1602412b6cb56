package io.strata.reliability;

import io.strata.trie.Hash;
import io.strata.trie.Trie;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The world state of a campaign run with linked commits ({@link Ops#linked}): an account trie
 * whose values are Ethereum accounts {@code [nonce, balance, storageRoot, codeHash]} and the
 * storage trie of each account that has slots. A commit operation's changes are account updates
 * ({@code acctNNN}: the value is the new balance; null removes the account and its storage) and
 * slot updates ({@code acctNNN/sKK}: null removes the slot; an absent account is created with
 * balance {@code 0}). A pure function of the previous world and the operation, so the workload
 * and the oracle build the same states. Immutable.
 */
record World(Trie accounts, Map<String, Trie> storage) {
  private static final byte[] EMPTY_CODE = Hash.keccak256(new byte[0]).toBytes();

  static World empty(Trie emptyTrie) {
    return new World(emptyTrie, Map.of());
  }

  /** The world after {@code op}'s changes; new storage tries start from {@code emptyTrie}. */
  World apply(Ops.Op op, Supplier<Trie> emptyTrie) {
    TreeMap<String, Trie> st = new TreeMap<>(storage);
    TreeMap<String, String> balance = new TreeMap<>();
    TreeMap<String, Boolean> touched = new TreeMap<>();
    for (Ops.Change c : op.changes()) {
      int slash = c.key().indexOf('/');
      String account = slash < 0 ? c.key() : c.key().substring(0, slash);
      if (slash < 0) {
        if (c.value() == null) {
          st.remove(account);
          balance.remove(account);
          touched.put(account, false);
        } else {
          balance.put(account, c.value());
          touched.put(account, true);
        }
        continue;
      }
      Trie s = st.getOrDefault(account, emptyTrie.get());
      byte[] slot = Ops.bytes(c.key().substring(slash + 1));
      s = c.value() == null ? s.remove(slot) : s.put(slot, Ops.bytes(c.value()));
      if (s.isEmpty()) {
        st.remove(account);
      } else {
        st.put(account, s);
      }
      touched.put(account, true);
    }
    Trie acc = accounts;
    for (Map.Entry<String, Boolean> t : touched.entrySet()) {
      byte[] key = Ops.bytes(t.getKey());
      if (!t.getValue()) {
        acc = acc.remove(key);
        continue;
      }
      String bal = balance.get(t.getKey());
      if (bal == null) {
        byte[] old = acc.get(key);
        bal = old == null ? "0" : balanceOf(old);
      }
      Trie s = st.get(t.getKey());
      Hash root = s == null ? Trie.empty().rootHash() : s.rootHash();
      acc = acc.put(key, account(bal, root));
    }
    return new World(acc, Map.copyOf(st));
  }

  /** The storage tries this world's commit hands over as linked (non-empty ones). */
  List<Trie> linked() {
    return List.copyOf(storage.values());
  }

  /** Every root the world reaches: the account trie's and each storage trie's. */
  List<Hash> roots() {
    List<Hash> r = new java.util.ArrayList<>();
    r.add(accounts.rootHash());
    storage.values().forEach(t -> r.add(t.rootHash()));
    return r;
  }

  /** The account RLP {@code [0, balance, storageRoot, keccak("")]}. */
  static byte[] account(String balance, Hash storageRoot) {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    payload.writeBytes(string(new byte[0]));
    payload.writeBytes(string(Ops.bytes(balance)));
    payload.writeBytes(string(storageRoot.toBytes()));
    payload.writeBytes(string(EMPTY_CODE));
    byte[] p = payload.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    header(out, 0xc0, p.length);
    out.writeBytes(p);
    return out.toByteArray();
  }

  /** The balance of an account value written by {@link #account}. */
  static String balanceOf(byte[] account) {
    List<int[]> items = TrieLayout.items(account);
    int[] b = items.get(1);
    return Ops.string(Arrays.copyOfRange(account, b[1], b[2]));
  }

  /** The storage root of an account value written by {@link #account}. */
  static Hash storageRootOf(byte[] account) {
    int[] r = TrieLayout.items(account).get(2);
    return Hash.of(Arrays.copyOfRange(account, r[1], r[2]));
  }

  private static byte[] string(byte[] b) {
    if (b.length == 1 && (b[0] & 0xff) < 0x80) {
      return b;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    header(out, 0x80, b.length);
    out.writeBytes(b);
    return out.toByteArray();
  }

  private static void header(ByteArrayOutputStream out, int base, int len) {
    if (len < 56) {
      out.write(base + len);
    } else if (len < 256) {
      out.write(base + 56);
      out.write(len);
    } else {
      out.write(base + 57);
      out.write(len >> 8);
      out.write(len & 0xff);
    }
  }
}

package io.strata.reliability;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.ReadOptions;
import io.strata.trie.Hash;
import io.strata.trie.Proof;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * The expected-state oracle of a campaign: knows, for every prefix of the workload's operations
 * ({@link Ops}), the key-value state and every trie block (in memory, Ethereum roots included),
 * and checks a recovered store against them.
 *
 * <p>A recovered store must equal the state after some operation {@code R} (its recovered point:
 * the later of {@code kv:last} and the operation that committed the latest block): every batch
 * and commit up to {@code R} there in full, nothing after it, no half batch, no hole. The caller
 * bounds {@code R}: at least the last operation that had to survive (every acknowledged one after
 * a process kill, every synced one after a power loss), at most the last one started.
 *
 * <p>Not thread-safe.
 */
final class Oracle {
  private final long seed;
  /** Operations below {@code base} are folded into {@code baseKv}. */
  private long base;
  private TreeMap<String, String> baseKv = new TreeMap<>();
  /** Block b (from 1) was committed by operation commitOps.get(b); its trie is tries.get(b). */
  private final List<Long> commitOps = new ArrayList<>(List.of(-1L));
  private final List<Trie> tries = new ArrayList<>(List.of(Trie.empty()));
  private long generatedThrough = -1;
  private long checks;
  private long keysChecked;

  /** Trie retention window of the campaign (0: archive), from its seed ({@link Ops#window}). */
  private final int window;
  /** Whether the campaign commits world states with linked storage tries ({@link Ops#linked}). */
  private final boolean linked;
  /** In a linked campaign, the world of block b is worlds.get(b) (its accounts: tries.get(b)). */
  private final List<World> worlds = new ArrayList<>(List.of(World.empty(Trie.empty())));

  /** The oracle of the campaign with this seed: its window and links come from the seed. */
  Oracle(long seed) {
    this.seed = seed;
    this.window = Ops.window(seed);
    this.linked = Ops.linked(seed);
  }

  long seed() {
    return seed;
  }

  /** The oldest height a store whose latest block is {@code block} must retain. */
  long oldestRetained(long block) {
    return window == 0 ? 1 : Math.max(1, block - window + 1);
  }

  /**
   * Checks that block {@code block}'s trie (and, in a linked campaign, every storage trie its
   * leaves link to) is in {@code store}, whole and equal to the model, with proofs.
   */
  void checkBlock(StateStore store, int block, String context) {
    checkTrie(store, block, context);
  }

  /** Checks run so far and keys (values, trie entries, roots) compared. */
  long checks() {
    return checks;
  }

  long keysChecked() {
    return keysChecked;
  }

  /** The trie after {@code op}'s changes, built on {@code t}. */
  static Trie applyTo(Trie t, Ops.Op op) {
    return t.update(u -> {
      for (Ops.Change c : op.changes()) {
        if (c.value() == null) {
          u.remove(Ops.bytes(c.key()));
        } else {
          u.put(Ops.bytes(c.key()), Ops.bytes(c.value()));
        }
      }
    });
  }

  private void generateThrough(long index) {
    for (long i = generatedThrough + 1; i <= index; i++) {
      Ops.Op op = Ops.at(seed, i);
      if (op.kind() == Ops.Kind.COMMIT) {
        Trie next;
        if (linked) {
          World w = worlds.get(worlds.size() - 1).apply(op, Trie::empty);
          worlds.add(w);
          next = w.accounts();
        } else {
          next = applyTo(tries.get(tries.size() - 1), op);
        }
        next.rootHash();
        tries.add(next);
        commitOps.add(i);
      }
    }
    generatedThrough = Math.max(generatedThrough, index);
  }

  /** The last operation at or before {@code index} that changes state, or -1. */
  long lastStateOp(long index) {
    for (long i = index; i >= 0; i--) {
      if (Ops.at(seed, i).changesState()) {
        return i;
      }
    }
    return -1;
  }

  /** The key-value state after every operation up to {@code index} (at least base - 1). */
  TreeMap<String, String> kvAfter(long index) {
    if (index < base - 1) {
      throw new IllegalArgumentException("state after " + index + " is before the checkpoint "
          + base);
    }
    TreeMap<String, String> state = new TreeMap<>(baseKv);
    for (long i = base; i <= index; i++) {
      Ops.Op op = Ops.at(seed, i);
      if (op.kind() == Ops.Kind.BATCH) {
        for (Ops.Change c : op.changes()) {
          if (c.value() == null) {
            state.remove(c.key());
          } else {
            state.put(c.key(), c.value());
          }
        }
      }
    }
    return state;
  }

  /** Folds every operation up to {@code index} into the checkpoint (it is known to be there). */
  void advance(long index) {
    baseKv = kvAfter(index);
    base = index + 1;
  }

  /** The operation that committed {@code block} (generated up to there), or -1 for block 0. */
  long opOfBlock(long block) {
    return commitOps.get((int) block);
  }

  /** The expected trie of {@code block} (1 = the first committed); generated up to there. */
  Trie trieOf(int block) {
    return tries.get(block);
  }

  /** The entries of a trie, as strings. */
  static TreeMap<String, String> entriesOf(Trie t) {
    return entries(t);
  }

  /** Blocks committed by the operations up to {@code index}. */
  long blocksThrough(long index) {
    generateThrough(index);
    long n = 0;
    for (int b = 1; b < commitOps.size() && commitOps.get(b) <= index; b++) {
      n++;
    }
    return n;
  }

  /**
   * Checks {@code db} (with the trie store on it) against the oracle and returns its recovered
   * point {@code R}; throws {@link AssertionError} describing the first difference.
   *
   * @param mustHave the last operation that must have survived (-1: none)
   * @param mayHave the last operation that may have survived
   */
  long verify(Db db, long mustHave, long mayHave, String context, Random random) {
    return verify(db, mustHave, mayHave, context, random, true);
  }

  /**
   * As {@link #verify(Db, long, long, String, Random)}; with {@code exactNodes} false the node
   * accounting after pruning is skipped (a live store that refuses writes after a fault cannot
   * prune).
   */
  long verify(Db db, long mustHave, long mayHave, String context, Random random,
      boolean exactNodes) {
    checks++;
    generateThrough(mayHave);
    byte[] lastBytes = db.get(Ops.bytes(Ops.LAST));
    long lastBatch = lastBytes == null ? -1 : Long.parseLong(Ops.string(lastBytes));
    try (StateStore store = StateStore.on(db, Ops.trieOptionsOf(seed))) {
      return verify(db, store, mustHave, mayHave, context, random, lastBatch, exactNodes);
    }
  }

  private long verify(Db db, StateStore store, long mustHave, long mayHave, String context,
      Random random, long lastBatch, boolean exactNodes) {
    long block = store.latestBlock().orElse(0);
    if (block >= commitOps.size()) {
      throw new AssertionError(context + ": latest block " + block + " but only "
          + (commitOps.size() - 1) + " commits were started");
    }
    long lastCommit = commitOps.get((int) block);
    long recovered = Math.max(lastBatch, lastCommit);
    long needed = lastStateOp(mustHave);
    if (recovered < needed) {
      throw new AssertionError(context + ": recovered up to operation " + recovered
          + " (batch " + lastBatch + ", block " + block + " from operation " + lastCommit
          + ") but operation " + needed + " had to survive (" + Ops.at(seed, needed) + ")");
    }
    if (recovered > mayHave) {
      throw new AssertionError(context + ": recovered operation " + recovered
          + " (batch " + lastBatch + ", block " + block + " from operation " + lastCommit
          + ") but only operations up to " + mayHave + " were started");
    }
    long expectedBlocks = blocksThrough(recovered);
    if (expectedBlocks != block) {
      throw new AssertionError(context + ": recovered up to operation " + recovered
          + " whose prefix committed " + expectedBlocks + " blocks, but the latest block is "
          + block + " (a lost commit before a surviving batch, or the reverse)");
    }
    TreeMap<String, String> expected = kvAfter(recovered);
    TreeMap<String, String> actual = new TreeMap<>();
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(Ops.bytes("kv:"))
        .upperBound(Ops.bytes("kv;")).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        if (c.key().length != Hash.LENGTH) {
          actual.put(Ops.string(c.key()), Ops.string(c.value()));
        }
      }
    }
    if (!expected.equals(actual)) {
      throw new AssertionError(context + ": key-value state after operation " + recovered
          + " differs: " + difference(expected, actual));
    }
    keysChecked += expected.size();
    long oldestRetained = window == 0 ? 1 : Math.max(1, block - window + 1);
    for (long b = 1; b <= block; b++) {
      Optional<Hash> root = store.rootAt(b);
      Hash want = tries.get((int) b).rootHash();
      if (b < oldestRetained) {
        // pruned (or about to be): no canonical root, or the right one until its pruning step
        if (root.isPresent() && !root.get().equals(want)) {
          throw new AssertionError(context + ": pruned block " + b + " has root " + root
              + ", expected " + want + " or none");
        }
        continue;
      }
      if (root.isEmpty() || !root.get().equals(want)) {
        throw new AssertionError(context + ": block " + b + " has root " + root + ", expected "
            + want);
      }
    }
    keysChecked += block;
    if (store.rootAt(block + 1).isPresent()) {
      throw new AssertionError(context + ": block " + (block + 1) + " is recorded but the"
          + " latest block is " + block);
    }
    if (block > 0 && window > 0) {
      for (long b = oldestRetained; b <= block; b++) {
        checkTrie(store, (int) b, context); // every retained root, with its linked tries
      }
    } else if (block > 0) {
      checkTrie(store, (int) block, context);
      checkTrie(store, (int) (oldestRetained + random.nextInt((int) (block - oldestRetained + 1))),
          context);
    }
    if (window > 0 && block > 0 && exactNodes) {
      checkPruned(store, db, block, oldestRetained, context);
    }
    return recovered;
  }

  /**
   * Rule 3 of the retention issue after a crash: every retained root is whole (checked above);
   * a pruned root is refused; and once pruning has caught up, the store holds exactly the nodes
   * the retained roots reach: a crash in the middle of pruning left only garbage, and the next
   * pass removed it.
   */
  private void checkPruned(StateStore store, Db db, long block, long oldestRetained,
      String context) {
    java.util.Set<Hash> retained = new java.util.HashSet<>();
    for (long b = oldestRetained; b <= block; b++) {
      retained.add(tries.get((int) b).rootHash());
      if (linked) {
        retained.addAll(worlds.get((int) b).roots()); // storage tries linked from its leaves
      }
    }
    if (oldestRetained > 1) {
      Hash old = tries.get((int) oldestRetained - 1).rootHash();
      if (!retained.contains(old) && !old.equals(Trie.empty().rootHash())) {
        try {
          store.trie(old);
          throw new AssertionError(context + ": the root of pruned block "
              + (oldestRetained - 1) + " is still readable");
        } catch (io.strata.trie.MissingNodeException expected) {
          keysChecked++;
        }
      }
    }
    store.waitForPruning();
    if (Ops.flushLag(seed) > 0) {
      store.close(); // writes the nodes it held in memory: the Db alone then has every node
    }
    java.util.Set<String> reachable = TrieLayout.reachable(db, retained);
    java.util.Set<String> stored = TrieLayout.stored(db);
    if (!stored.equals(reachable)) {
      java.util.Set<String> extra = new java.util.HashSet<>(stored);
      extra.removeAll(reachable);
      java.util.Set<String> missing = new java.util.HashSet<>(reachable);
      missing.removeAll(stored);
      throw new AssertionError(context + ": after pruning caught up, " + extra.size()
          + " node records no retained root reaches and " + missing.size()
          + " reachable nodes missing (" + stored.size() + " stored)");
    }
    keysChecked += stored.size();
  }

  private void checkTrie(StateStore store, int block, String context) {
    Trie want = tries.get(block);
    Trie got = store.trie(want.rootHash());
    TreeMap<String, String> expected = entries(want);
    TreeMap<String, String> actual = entries(got);
    if (!expected.equals(actual)) {
      throw new AssertionError(context + ": trie of block " + block + " differs: "
          + difference(expected, actual));
    }
    keysChecked += expected.size();
    if (linked) {
      checkStorage(store, block, got, context);
    }
    if (!expected.isEmpty()) {
      String key = expected.firstKey();
      Proof proof = got.prove(Ops.bytes(key));
      Optional<byte[]> proven = Proof.verify(want.rootHash(), Ops.bytes(key), proof);
      if (proven.isEmpty() || !Arrays.equals(proven.get(), want.get(Ops.bytes(key)))) {
        throw new AssertionError(context + ": proof of " + key + " in block " + block
            + " does not prove its value");
      }
    }
  }

  /**
   * Every storage trie the accounts of block {@code block} link to is in the store, whole, and
   * equal to the model's; an account without storage links the empty trie.
   */
  private void checkStorage(StateStore store, int block, Trie accounts, String context) {
    World want = worlds.get(block);
    for (Iterator<Map.Entry<byte[], byte[]>> it = accounts.entries(new byte[0]); it.hasNext(); ) {
      Map.Entry<byte[], byte[]> e = it.next();
      String account = Ops.string(e.getKey());
      Hash root = World.storageRootOf(e.getValue());
      Trie model = want.storage().get(account);
      if (model == null) {
        if (!root.equals(Trie.empty().rootHash())) {
          throw new AssertionError(context + ": account " + account + " of block " + block
              + " links storage " + root + " but has no slots");
        }
        continue;
      }
      TreeMap<String, String> expected = entries(model);
      TreeMap<String, String> actual = entries(store.trie(root));
      if (!expected.equals(actual)) {
        throw new AssertionError(context + ": storage trie of " + account + " in block " + block
            + " differs: " + difference(expected, actual));
      }
      keysChecked += expected.size();
      String slot = expected.firstKey();
      Optional<byte[]> proven = Proof.verify(root, Ops.bytes(slot),
          store.trie(root).prove(Ops.bytes(slot)));
      if (proven.isEmpty() || !Arrays.equals(proven.get(), Ops.bytes(expected.get(slot)))) {
        throw new AssertionError(context + ": storage proof of " + account + "/" + slot
            + " in block " + block + " does not prove its value");
      }
    }
  }

  private static TreeMap<String, String> entries(Trie t) {
    TreeMap<String, String> m = new TreeMap<>();
    for (Iterator<Map.Entry<byte[], byte[]>> it = t.entries(new byte[0]); it.hasNext(); ) {
      Map.Entry<byte[], byte[]> e = it.next();
      // values as Latin-1: lossless for the binary account values of linked campaigns
      m.put(Ops.string(e.getKey()),
          new String(e.getValue(), java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    return m;
  }

  static String difference(Map<String, String> expected, Map<String, String> actual) {
    StringBuilder b = new StringBuilder();
    int shown = 0;
    TreeMap<String, String> all = new TreeMap<>(expected);
    all.putAll(actual);
    for (String k : all.keySet()) {
      String e = expected.get(k);
      String a = actual.get(k);
      if (e == null ? a != null : !e.equals(a)) {
        if (shown++ < 5) {
          b.append(k).append(": expected ").append(abbreviate(e)).append(", found ")
              .append(abbreviate(a)).append("; ");
        }
      }
    }
    return b.append(shown).append(" keys differ").toString();
  }

  private static String abbreviate(String s) {
    return s == null ? "nothing" : s.length() > 24 ? s.substring(0, 24) + "..." : s;
  }
}

package io.strata.bench.trie;

import io.strata.trie.Hash;
import io.strata.trie.StateOptions;
import io.strata.trie.Trie;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Issue 19's "linked tries hash independently: use both cores", measured: the hashing of one
 * world-state block, in memory. The world: {@code accounts} accounts (32-byte hashed keys,
 * ~80-byte values holding the account's storage root), a tenth of them contracts with storage
 * tries of 1-1,000 slots (32-byte hashed slot keys, short values), all hashed. A block, as the
 * runner's {@code world} workload makes them: 1,000 slot updates in random contracts' storage
 * tries and 500 random account updates, plus the account leaves of the changed contracts (their
 * new storage roots): about 950 dirty storage tries and one dirty account trie of about 1,450
 * updates. One operation hashes every dirty trie of one block:
 *
 * <ul>
 *   <li>{@code sequential}: each trie's {@code rootHash()} in turn on the calling thread (the
 *       account trie's root children go parallel only when its pending updates reach {@code
 *       parallelThreshold});
 *   <li>{@code storageInParallelThenAccount}: {@link Trie#hashAll} over the storage tries, then
 *       the account trie's {@code rootHash()}: the order a real block needs, since an account leaf
 *       holds its storage root;
 *   <li>{@code allInParallel}: one {@link Trie#hashAll} over every dirty trie, what {@code
 *       StateStore.commit(block, root, linked)} does when handed tries not hashed yet;
 *   <li>{@code alreadyHashed}: the same calls on tries hashed beforehand: the cost of cache hits,
 *       to show the others measure hashing.
 * </ul>
 *
 * <p>Each invocation hashes fresh tries: {@code @Setup(Level.Invocation)} rebuilds one of {@value
 * #BLOCKS} prepared blocks from the hashed world (new nodes on every changed path, nothing hashed
 * on them), and {@code @TearDown(Level.Invocation)} checks every root against the one computed at
 * the trial's start (fails the run if one differs). The storage roots in the account leaves are
 * those precomputed roots, so the account trie can be built before its storage tries are hashed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class WorldHashBenchmark {
  @Param({"100000"})
  public int accounts;

  /** Pending updates from which a trie's root children hash in parallel (Strata: 2,000). */
  @Param({"2000", "500"})
  public int parallelThreshold;

  static final int BLOCKS = 8;
  static final int ACCOUNT_UPDATES = 500;
  static final int SLOT_UPDATES = 1_000;

  private int contracts;
  private byte[][] keys;
  private Trie[] storage;
  private int[] slotCount;
  private Hash[] storageRoot;
  private Trie world;
  private final List<Block> blocks = new ArrayList<>();
  private int next;
  private boolean hashFirst;

  /** One prepared block: what it changes, and the roots it must hash to. */
  private record Block(Map<Integer, int[]> slots, int[] touched, Map<Integer, Hash> roots,
      Hash accountRoot, int version) {}

  // this invocation's fresh tries
  private List<Integer> dirtyContracts;
  private List<Trie> dirtyStorage;
  private Trie dirtyAccounts;
  private Block block;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    hashFirst = params.getBenchmark().endsWith("alreadyHashed");
    StateOptions options = StateOptions.builder().parallelHashThreshold(parallelThreshold)
        .build();
    long t0 = System.nanoTime();
    SplittableRandom r = new SplittableRandom(19);
    contracts = Math.max(1, accounts / 10);
    keys = new byte[accounts][];
    for (int i = 0; i < accounts; i++) {
      keys[i] = Hash.keccak256(("account-" + i).getBytes()).toBytes();
    }
    storage = new Trie[contracts];
    slotCount = new int[contracts];
    storageRoot = new Hash[accounts];
    Arrays.fill(storageRoot, Hash.EMPTY_TRIE);
    long slots = 0;
    for (int c = 0; c < contracts; c++) {
      int n = 1 + r.nextInt(1_000);
      slotCount[c] = n;
      slots += n;
      int cc = c;
      storage[c] = Trie.empty(options).update(u -> {
        for (int s = 0; s < n; s++) {
          u.put(slotKey(s), slotValue(cc, s, 0));
        }
      });
      storageRoot[c] = storage[c].rootHash();
    }
    world = Trie.empty(options).update(u -> {
      for (int a = 0; a < accounts; a++) {
        u.put(keys[a], account(a, 0, storageRoot[a]));
      }
    });
    world.rootHash();
    long dirtyTries = 0;
    long accountUpdates = 0;
    for (int b = 0; b < BLOCKS; b++) {
      int version = b + 1;
      Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
      for (int i = 0; i < SLOT_UPDATES; i++) {
        int c = r.nextInt(contracts);
        bySlot.computeIfAbsent(c, k -> new ArrayList<>()).add(r.nextInt(slotCount[c]));
      }
      Map<Integer, int[]> slotsOf = new LinkedHashMap<>();
      bySlot.forEach((c, s) -> slotsOf.put(c, s.stream().mapToInt(Integer::intValue).toArray()));
      int[] touched = new int[ACCOUNT_UPDATES];
      for (int i = 0; i < touched.length; i++) {
        touched[i] = r.nextInt(accounts);
      }
      Map<Integer, Hash> roots = new LinkedHashMap<>();
      for (Map.Entry<Integer, int[]> e : slotsOf.entrySet()) {
        roots.put(e.getKey(), storageUpdate(e.getKey(), e.getValue(), version).rootHash());
      }
      Block pending = new Block(slotsOf, touched, roots, null, version);
      Hash accountRoot = accountUpdate(pending).rootHash();
      blocks.add(new Block(slotsOf, touched, roots, accountRoot, version));
      dirtyTries += roots.size() + 1;
      accountUpdates += touched.length + roots.size();
    }
    System.out.printf("%nworld: %,d accounts, %,d contracts, %,d slots, built and hashed in"
        + " %.1f s; a block: %,d dirty tries, %,d account updates on average%n", accounts,
        contracts, slots, (System.nanoTime() - t0) / 1e9, dirtyTries / BLOCKS,
        accountUpdates / BLOCKS);
  }

  private Trie storageUpdate(int c, int[] slots, int version) {
    return storage[c].update(u -> {
      for (int s : slots) {
        u.put(slotKey(s), slotValue(c, s, version));
      }
    });
  }

  /** The block's account trie: touched accounts and changed contracts, new storage roots. */
  private Trie accountUpdate(Block b) {
    return world.update(u -> {
      for (Map.Entry<Integer, Hash> e : b.roots().entrySet()) {
        u.put(keys[e.getKey()], account(e.getKey(), b.version(), e.getValue()));
      }
      for (int a : b.touched()) {
        Hash root = b.roots().getOrDefault(a, storageRoot[a]);
        u.put(keys[a], account(a, b.version(), root));
      }
    });
  }

  @Setup(Level.Invocation)
  public void prepare() {
    block = blocks.get(next);
    next = (next + 1) % BLOCKS;
    dirtyContracts = new ArrayList<>(block.slots().keySet());
    dirtyStorage = new ArrayList<>(dirtyContracts.size());
    for (int c : dirtyContracts) {
      dirtyStorage.add(storageUpdate(c, block.slots().get(c), block.version()));
    }
    dirtyAccounts = accountUpdate(block);
    if (hashFirst) {
      dirtyStorage.forEach(Trie::rootHash);
      dirtyAccounts.rootHash();
    }
  }

  @TearDown(Level.Invocation)
  public void check() {
    for (int i = 0; i < dirtyContracts.size(); i++) {
      if (!dirtyStorage.get(i).rootHash().equals(block.roots().get(dirtyContracts.get(i)))) {
        throw new IllegalStateException("storage trie of contract " + dirtyContracts.get(i)
            + " hashed to " + dirtyStorage.get(i).rootHash() + ", expected "
            + block.roots().get(dirtyContracts.get(i)));
      }
    }
    if (!dirtyAccounts.rootHash().equals(block.accountRoot())) {
      throw new IllegalStateException("account trie hashed to " + dirtyAccounts.rootHash()
          + ", expected " + block.accountRoot());
    }
  }

  @Benchmark
  public Hash sequential() {
    for (Trie t : dirtyStorage) {
      t.rootHash();
    }
    return dirtyAccounts.rootHash();
  }

  @Benchmark
  public Hash storageInParallelThenAccount() {
    Trie.hashAll(dirtyStorage);
    return dirtyAccounts.rootHash();
  }

  @Benchmark
  public List<Hash> allInParallel() {
    List<Trie> all = new ArrayList<>(dirtyStorage.size() + 1);
    all.add(dirtyAccounts);
    all.addAll(dirtyStorage);
    return Trie.hashAll(all);
  }

  @Benchmark
  public Hash alreadyHashed() {
    Trie.hashAll(dirtyStorage);
    return dirtyAccounts.rootHash();
  }

  private static byte[] account(int a, int version, Hash storageRoot) {
    // ~80 bytes like an RLP account: a nonce and balance that change, the storage root, a code hash
    byte[] v = new byte[80];
    byte[] balance = ("balance-" + a + "-" + version).getBytes();
    System.arraycopy(balance, 0, v, 0, Math.min(balance.length, 16));
    System.arraycopy(storageRoot.toBytes(), 0, v, 16, 32);
    Arrays.fill(v, 48, 80, (byte) 0xc5);
    return v;
  }

  private static byte[] slotKey(int slot) {
    return Hash.keccak256(new byte[] {(byte) (slot >>> 8), (byte) slot}).toBytes();
  }

  private static byte[] slotValue(int c, int slot, int version) {
    return ("v" + c + "." + slot + "." + version).getBytes();
  }
}

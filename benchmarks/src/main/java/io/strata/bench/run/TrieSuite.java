package io.strata.bench.run;

import io.strata.bench.trie.TrieWorkload;
import io.strata.bench.trie.TuweniTrie;
import io.strata.trie.Hash;
import io.strata.trie.RangeProof;
import io.strata.trie.Retention;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStats;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The block-commit state workloads for one trie engine: load {@code n} accounts (32-byte random
 * keys, 70-byte values) and hash the root (in memory) or commit them (store), then {@code blocks}
 * blocks of 1,000 random account updates, each followed by the root hash or a synced commit, then
 * random reads of existing accounts at the latest root (for the store, through a trie opened from
 * the committed root, so nodes come from the store). Every engine sees the same keys, values and
 * order, so their roots must agree: each result carries its root, and the runner compares them.
 * Reads check every value against the one last written. Tuweni's blocks (seconds each at 1M
 * accounts) stop at the time cap at a whole block: its result then counts the blocks done in its
 * checks, its ops/s is the rate over those, and its root (of fewer blocks) is checked in its own
 * JVM against Strata's in-memory trie of the same state instead of being compared.
 *
 * <p>Then, for {@code strata-store} only (the peers have no range proofs), at the latest root:
 * {@code proverange}, the whole state proven in ranges of {@value #RANGE} entries ({@link
 * Trie#proveRange} from the committed trie, serialized), ops = ranges; {@code verifyrange}, each
 * of those ranges read back and verified ({@link RangeProof#verify}), ops = ranges; {@code sync},
 * a full state sync into a second, empty store (prove, serialize, read back, {@link
 * StateStore#importRange}, {@link StateStore#finishImport}), ops = accounts, bytes = the ranges'
 * serialized bytes moved. Checks: every range verifies, the ranges hold every account once, the
 * synced root equals the source root, and a sample of synced accounts reads back right.
 */
final class TrieSuite {
  private TrieSuite() {}

  static final String NAME = "trie";
  static final List<String> ENGINES = List.of("strata-store", "strata-store-w128",
      "strata-memory", "tuweni");
  /** The retention window of the {@code strata-store-w128} engine (issue 12). */
  static final int WINDOW = 128;
  static final List<String> WORKLOADS = List.of("load", "blocks", "readrandom", "proverange",
      "verifyrange", "sync", "world");
  /** Workloads only {@code strata-store} runs. */
  static final List<String> RANGE_WORKLOADS = List.of("proverange", "verifyrange", "sync");
  private static final int ENTRY = 32 + TrieWorkload.VALUE_BYTES;
  static final int RANGE = 1_000;

  /** Whether {@code engine} runs {@code workload}. */
  static boolean supports(String engine, String workload) {
    if (workload.equals("world")) {
      return engine.startsWith("strata-store"); // linked commits: a store's
    }
    return engine.equals("strata-store") || !RANGE_WORKLOADS.contains(workload);
  }

  /** Accounts of the world workload: 100,000, or n when that is smaller. */
  static int worldAccounts(int n) {
    return Math.min(100_000, n);
  }

  /** Blocks of the world workload: 20 per block of the flat one (1,000 by default). */
  static int worldBlocks(int blocks) {
    return 20 * blocks;
  }

  /** The world-state workload (issue 19) on a fresh store: see {@link WorldState}. */
  private static void world(Params p, ChildOutput out) {
    Path dir = KvSuite.fresh(p.base(), "world-");
    WorldState ws = new WorldState(dir, worldAccounts(p.n()), p.engine().equals(
        "strata-store-w128"));
    try {
      long loaded = ws.load();
      int blocks = worldBlocks(p.blocks());
      RunResult r = result(p, "world");
      r.n = worldAccounts(p.n());
      Meter m = new Meter("world", (long) blocks * (WorldState.ACCOUNT_UPDATES
          + WorldState.SLOT_UPDATES), Long.MAX_VALUE, out);
      LatencyHistogram perBlock = new LatencyHistogram();
      SplittableRandom random = new SplittableRandom(12);
      for (int b = 0; b < blocks; b++) {
        long t0 = System.nanoTime();
        int updates = ws.block(random);
        perBlock.record(System.nanoTime() - t0);
        m.add(updates, (long) updates * ENTRY);
      }
      m.finish(r, "");
      ws.settle();
      long wrong = ws.check(1_000, new SplittableRandom(3));
      r.checks = String.format(java.util.Locale.ROOT, "%d accounts (%d contracts, %d slots"
          + " loaded in %d updates), %d blocks of %d account + %d slot updates, linked commits%s;"
          + " sample of 1,000 accounts and 1,000 slots at the latest root: wrong=%d",
          worldAccounts(p.n()), Math.max(1, worldAccounts(p.n()) / 10), ws.slots(), loaded,
          blocks, WorldState.ACCOUNT_UPDATES, WorldState.SLOT_UPDATES,
          p.engine().equals("strata-store-w128") ? ", window " + WINDOW
          + "; disk after waitForPruning and a full compaction" : ", archive", wrong);
      if (wrong != 0) {
        r.fail(wrong + " sampled accounts or slots differ from what was written");
      }
      if (perBlock.count() > 0) {
        r.p50Micros = perBlock.quantile(0.50) / 1e3;
        r.p99Micros = perBlock.quantile(0.99) / 1e3;
        r.p999Micros = perBlock.quantile(0.999) / 1e3;
        r.latencyOf = "block of 500 account + 1,000 slot updates + synced linked commit";
      }
      r.root = HexFormat.of().formatHex(ws.rootBytes());
      r.diskBytes = KvSuite.du(dir);
      r.writeAmplification = ws.store().db().stats().writeAmplification();
      out.result(r);
    } finally {
      ws.close();
      KvSuite.delete(dir);
    }
  }

  record Params(String engine, int n, int blocks, long capNanos, Set<String> workloads,
      Path base, int round) {}

  /** One engine: a trie that takes batches of puts and answers with its root. */
  private interface Engine extends AutoCloseable {
    /** Puts every pair, then hashes the root (memory) or commits (store); returns the root. */
    byte[] apply(byte[][] keys, byte[][] values);

    /** Makes the latest root the one reads go to (the store: reopened from the committed root). */
    default void readFromLatest() {}

    byte[] get(byte[] key);

    default long diskBytes() {
      return -1;
    }

    default double writeAmplification() {
      return Double.NaN;
    }

    /** Called once the blocks are committed: a windowed store waits for its pruning here. */
    default void afterBlocks() {}

    /** What the blocks workload reports besides throughput (pruning figures), or "". */
    /**
     * Cumulative cache counters (node-cache hits and misses, block-cache hits and misses), or
     * null for an engine without them.
     */
    default long[] cacheCounters() {
      return null;
    }

    default String blockNotes() {
      return "";
    }

    /**
     * Whether the blocks workload stops at the time cap ({@link Params#capNanos()}) at a whole
     * block: only for the in-memory peer, orders of magnitude slower per block at 1M accounts.
     * Strata's engines always run every block (the window's figures need them all).
     */
    default boolean capsBlocks() {
      return false;
    }

    @Override
    default void close() {}
  }

  private static final class StrataMemory implements Engine {
    private Trie trie = Trie.empty();

    @Override
    public byte[] apply(byte[][] keys, byte[][] values) {
      trie = trie.update(u -> {
        for (int i = 0; i < keys.length; i++) {
          u.put(keys[i], values[i]);
        }
      });
      return trie.rootHash().toBytes();
    }

    @Override
    public byte[] get(byte[] key) {
      return trie.get(key);
    }
  }

  /**
   * Strata's trie committed to a {@link StateStore}: one synced commit per block; archive (the
   * default) or with {@code Retention.blocks(128)}, pruned in the background.
   */
  private static final class StrataStore implements Engine {
    private final Path dir;
    private final StateStore store;
    private final boolean windowed;
    private Trie trie;
    private Hash root;
    private long block;
    private long maxBacklog;
    private long pruneWaitNanos;
    /** Bytes written by the first commit (the load), so B counts only the blocks. */
    private long loadBytes = -1;

    StrataStore(Path dir, boolean windowed) {
      this.dir = dir;
      this.windowed = windowed;
      // a knob for experiments only: the default run keeps the library's defaults
      String compression = System.getProperty("strata.bench.trieCompression");
      Integer blockSize = Integer.getInteger("strata.bench.trieBlockSize");
      io.strata.lsm.Options dbOptions = StateOptions.defaults().dbOptions();
      if (compression != null || blockSize != null) {
        io.strata.lsm.Options.Builder b = io.strata.lsm.Options.builder();
        if (compression != null) {
          b.compression(io.strata.lsm.Compression.valueOf(compression));
        }
        if (blockSize != null) {
          b.blockSize(blockSize);
        }
        dbOptions = b.build();
      }
      StateOptions.Builder options = StateOptions.builder().dbOptions(dbOptions)
          .parallelHashThreshold(Integer.getInteger("strata.bench.parallelHashThreshold",
              StateOptions.defaults().parallelHashThreshold()))
          .nodeCacheBytes(Long.getLong("strata.bench.nodeCacheBytes",
              StateOptions.defaults().nodeCacheBytes()));
      if (windowed) {
        options.retention(Retention.blocks(WINDOW)).flushLag(Integer.getInteger(
            "strata.bench.flushLag", StateOptions.defaults().flushLag()));
      }
      store = StateStore.open(dir, options.build());
      trie = store.emptyTrie();
    }

    @Override
    public void afterBlocks() {
      if (windowed) {
        long t0 = System.nanoTime();
        store.waitForPruning();
        pruneWaitNanos = System.nanoTime() - t0;
        store.db().compactRange(null, null); // rule 4 of issue 12 measures after a compaction
        latestStateBytes = latestStateBytes();
      }
    }

    /** S of rule 4 (issue 12), bytes on disk of the latest state alone, or -1 if not measured. */
    private long latestStateBytes = -1;

    /**
     * S of issue 12's rule 4: the latest state copied into a fresh archive store (every entry
     * put into an empty trie, one commit), fully compacted; its bytes on disk. Checks the copy
     * has the same root.
     */
    private long latestStateBytes() {
      Path copy = dir.resolveSibling(dir.getFileName() + "-latest-state");
      KvSuite.delete(copy);
      try (StateStore fresh = StateStore.open(copy)) {
        Trie t = fresh.emptyTrie();
        java.util.Iterator<java.util.Map.Entry<byte[], byte[]>> it = trie.entries(new byte[0]);
        while (it.hasNext()) {
          java.util.Map.Entry<byte[], byte[]> e = it.next();
          t = t.put(e.getKey(), e.getValue());
        }
        Hash r = fresh.commit(0, t);
        if (!r.equals(root)) {
          throw new IllegalStateException("the copy of the latest state has root " + r
              + ", expected " + root);
        }
        fresh.db().compactRange(null, null);
      }
      long bytes = KvSuite.du(copy);
      KvSuite.delete(copy);
      return bytes;
    }

    @Override
    public long[] cacheCounters() {
      StateStats s = store.stats();
      io.strata.lsm.DbStats d = store.db().stats();
      return new long[] {s.nodeCacheHits(), s.nodeCacheMisses(), d.blockCacheHits(),
          d.blockCacheMisses()};
    }

    @Override
    public String blockNotes() {
      if (!windowed) {
        return "";
      }
      StateStats s = store.stats();
      long perBlock = block > 1 ? (s.bytesWritten() - loadBytes) / (block - 1) : 0;
      long disk = KvSuite.du(dir);
      String bound = latestStateBytes < 0 ? "" : String.format(java.util.Locale.ROOT,
          "; rule 4: disk %d bytes, S %d bytes (latest state alone, compacted), B %d bytes,"
          + " bound 1.25 x (S + %d x B) = %d bytes: %s", disk, latestStateBytes, perBlock, WINDOW,
          (long) (1.25 * (latestStateBytes + (double) WINDOW * perBlock)),
          disk <= 1.25 * (latestStateBytes + (double) WINDOW * perBlock) ? "within" : "EXCEEDED");
      return String.format(java.util.Locale.ROOT, "window %d: pruning backlog max %d heights,"
          + " %d roots pruned, %d nodes (%d bytes) deleted, %.1f s pruning, %.1f s waited at the"
          + " end; %d bytes written per block (B); disk after waitForPruning and a full"
          + " compaction", WINDOW, maxBacklog, s.rootsPruned(), s.nodesDeleted(),
          s.bytesDeleted(), s.pruningNanos() / 1e9, pruneWaitNanos / 1e9, perBlock) + bound
          + (store.options().flushLag() == 0 ? "" : String.format(java.util.Locale.ROOT,
          "; flush lag %d: %d nodes died in memory unwritten, %d nodes (%d bytes) still in"
          + " memory at the end", store.options().flushLag(), s.nodesDroppedUnwritten(),
          s.dirtyNodes(), s.dirtyBytes()));
    }

    @Override
    public byte[] apply(byte[][] keys, byte[][] values) {
      trie = trie.update(u -> {
        for (int i = 0; i < keys.length; i++) {
          u.put(keys[i], values[i]);
        }
      });
      root = store.commit(block++, trie);
      if (loadBytes < 0) {
        loadBytes = store.stats().bytesWritten();
      }
      if (windowed) {
        maxBacklog = Math.max(maxBacklog, store.stats().pruningBacklog());
      }
      return root.toBytes();
    }

    @Override
    public void readFromLatest() {
      trie = store.trie(root);
    }

    @Override
    public byte[] get(byte[] key) {
      return trie.get(key);
    }

    @Override
    public long diskBytes() {
      return KvSuite.du(dir);
    }

    @Override
    public double writeAmplification() {
      return store.db().stats().writeAmplification();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  private static final class Tuweni implements Engine {
    private final TuweniTrie trie = new TuweniTrie();

    @Override
    public boolean capsBlocks() {
      return true;
    }

    @Override
    public byte[] apply(byte[][] keys, byte[][] values) {
      for (int i = 0; i < keys.length; i++) {
        trie.put(keys[i], values[i]);
      }
      return trie.rootHash();
    }

    @Override
    public byte[] get(byte[] key) {
      return trie.get(key);
    }
  }

  static void run(Params p, ChildOutput out) {
    if (p.workloads().contains("world") && supports(p.engine(), "world")) {
      world(p, out);
    }
    if (p.workloads().stream().allMatch("world"::equals)) {
      return;
    }
    Path dir = p.engine().startsWith("strata-store") ? KvSuite.fresh(p.base(), "trie-") : null;
    try (Engine e = switch (p.engine()) {
      case "strata-store" -> new StrataStore(dir, false);
      case "strata-store-w128" -> new StrataStore(dir, true);
      case "strata-memory" -> new StrataMemory();
      case "tuweni" -> new Tuweni();
      default -> throw new IllegalArgumentException("unknown trie engine " + p.engine());
    }) {
      TrieWorkload w = new TrieWorkload(p.n(), 1);
      long[] version = new long[p.n()];

      // load
      byte[][] values = new byte[p.n()][];
      for (int i = 0; i < p.n(); i++) {
        values[i] = TrieWorkload.value(i, 0);
      }
      boolean report = p.workloads().contains("load");
      RunResult load = result(p, "load");
      Meter m = new Meter("load", p.n(), Long.MAX_VALUE, report ? out : ChildOutput.NONE);
      byte[] root = e.apply(w.keys, values);
      m.add(p.n(), (long) p.n() * ENTRY);
      m.finish(load, "");
      if (report) {
        finish(load, e, root, out);
      }

      // blocks
      String capped = null; // why the blocks stopped early, or null when all ran
      if (p.workloads().contains("blocks") || p.workloads().contains("readrandom")) {
        report = p.workloads().contains("blocks");
        RunResult r = result(p, "blocks");
        long cap = e.capsBlocks() ? p.capNanos() : Long.MAX_VALUE;
        m = new Meter("blocks", (long) p.blocks() * TrieWorkload.UPDATES_PER_BLOCK, cap,
            report ? out : ChildOutput.NONE);
        LatencyHistogram perBlock = new LatencyHistogram();
        long maxBlockNanos = 0;
        java.lang.management.ManagementFactory.getMemoryPoolMXBeans()
            .forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
        long blocksStart = System.nanoTime();
        int blocksDone = 0;
        for (int b = 1; b <= p.blocks(); b++) {
          int[] idx = w.block();
          byte[][] keys = new byte[idx.length][];
          byte[][] vals = new byte[idx.length][];
          for (int i = 0; i < idx.length; i++) {
            keys[i] = w.keys[idx[i]];
            vals[i] = TrieWorkload.value(idx[i], b);
            version[idx[i]] = b;
          }
          long t0 = System.nanoTime();
          root = e.apply(keys, vals);
          long dt = System.nanoTime() - t0;
          perBlock.record(dt);
          maxBlockNanos = Math.max(maxBlockNanos, dt);
          m.add(idx.length, (long) idx.length * ENTRY);
          blocksDone = b;
          if (System.nanoTime() - blocksStart >= cap) {
            break; // at a whole block; ops/s stays the rate over the blocks done
          }
        }
        m.finish(r, "");
        if (blocksDone < p.blocks()) {
          // the root is that of fewer blocks than the other engines': not compared with theirs,
          // checked here instead against Strata's in-memory trie of the same state (untimed)
          capped = String.format(java.util.Locale.ROOT, "stopped by the %.0f s cap after %d of"
              + " %d blocks", p.capNanos() / 1e9, blocksDone, p.blocks());
          byte[] expected = sameState(w, version).rootHash().toBytes();
          if (Arrays.equals(expected, root)) {
            capped += " (root equals Strata's in-memory root of the same state)";
          } else {
            capped += " (root " + HexFormat.of().formatHex(root) + " differs from Strata's"
                + " in-memory root of the same state " + HexFormat.of().formatHex(expected) + ")";
            r.fail(capped);
          }
        }
        e.afterBlocks();
        // issue 13's figures: the slowest block and the peak heap (sum of the heap pools' peaks
        // since the blocks began: an upper bound of the live-plus-garbage heap at any moment)
        long peakHeap = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
          if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getPeakUsage() != null) {
            peakHeap += pool.getPeakUsage().getUsed();
          }
        }
        String notes = e.blockNotes();
        r.checks = (notes.isEmpty() ? "" : notes + "; ") + (capped == null ? "" : capped + "; ")
            + "blocks=" + blocksDone + " maxBlockMs="
            + String.format(java.util.Locale.ROOT, "%.1f", maxBlockNanos / 1e6) + " peakHeapMiB=" + (peakHeap >> 20);
        if (perBlock.count() > 0) {
          r.p50Micros = perBlock.quantile(0.50) / 1e3;
          r.p99Micros = perBlock.quantile(0.99) / 1e3;
          r.p999Micros = perBlock.quantile(0.999) / 1e3;
          r.latencyOf = "block of " + TrieWorkload.UPDATES_PER_BLOCK + " updates + "
              + (p.engine().startsWith("strata-store") ? "synced commit" : "root hash");
        }
        if (report) {
          finish(r, e, capped == null ? root : null, out);
        }
      }

      // readrandom
      if (p.workloads().contains("readrandom")) {
        e.readFromLatest();
        RunResult r = result(p, "readrandom");
        SplittableRandom random = new SplittableRandom(5);
        m = new Meter("readrandom", p.n(), p.capNanos(), out);
        long[] countersBefore = e.cacheCounters();
        long hits = 0;
        long wrong = 0;
        for (int i = 0; i < p.n(); i++) {
          int k = random.nextInt(p.n());
          long t0 = System.nanoTime();
          byte[] v = e.get(w.keys[k]);
          boolean more = m.done(t0, v == null ? 32 : 32 + v.length);
          if (v != null) {
            hits++;
            if (v.length != TrieWorkload.VALUE_BYTES
                || !Arrays.equals(v, TrieWorkload.value(k, version[k]))) {
              wrong++;
            }
          }
          if (!more) {
            break;
          }
        }
        m.finish(r, "get");
        r.checkReads(hits, m.ops(), wrong, "accounts");
        long[] countersAfter = e.cacheCounters();
        if (countersBefore != null && m.ops() > 0) {
          double reads = m.ops();
          r.checks += String.format(java.util.Locale.ROOT, "; per read: %.2f node-cache hits,"
              + " %.2f misses; %.2f block-cache hits, %.2f misses",
              (countersAfter[0] - countersBefore[0]) / reads,
              (countersAfter[1] - countersBefore[1]) / reads,
              (countersAfter[2] - countersBefore[2]) / reads,
              (countersAfter[3] - countersBefore[3]) / reads);
        }
        if (capped != null) {
          r.checks += "; at the state after the capped blocks (" + capped + ")";
          if (capped.contains("differs")) {
            r.fail(capped);
          }
        }
        finish(r, e, capped == null ? root : null, out);
      }

      // only strata-store runs them (the runner drops a windowed store's: they would only cost time)
      if (e instanceof StrataStore s && supports(p.engine(), RANGE_WORKLOADS.get(0))
          && RANGE_WORKLOADS.stream().anyMatch(p.workloads()::contains)) {
        ranges(p, s, w, version, root, out);
      }
    } finally {
      if (dir != null) {
        KvSuite.delete(dir);
      }
    }
  }

  /** The range workloads at the store's latest root. */
  private static void ranges(Params p, StrataStore s, TrieWorkload w, long[] version,
      byte[] rootBytes, ChildOutput out) {
    Hash root = Hash.of(rootBytes);
    Trie source = s.store.trie(root);
    long planned = (p.n() + RANGE - 1) / RANGE;

    // proverange: the whole state in ranges, serialized as a server sends them
    List<byte[]> origins = new ArrayList<>();
    List<byte[]> proofs = new ArrayList<>();
    RunResult prove = result(p, "proverange");
    Meter m = new Meter("proverange", planned, Long.MAX_VALUE,
        p.workloads().contains("proverange") ? out : ChildOutput.NONE);
    long entries = 0;
    byte[] origin = null;
    while (true) {
      long t0 = System.nanoTime();
      RangeProof r = source.proveRange(origin, null, RANGE, Long.MAX_VALUE);
      byte[] bytes = r.toBytes();
      m.done(t0, bytes.length);
      origins.add(origin);
      proofs.add(bytes);
      entries += r.size();
      if (r.size() < RANGE) {
        break;
      }
      origin = next(r.keys().get(r.size() - 1));
      if (!source.entries(origin).hasNext()) {
        break; // the range ended the state
      }
    }
    m.finish(prove, "prove + serialize one range of " + RANGE);
    prove.checks = "ranges=" + proofs.size() + " entries=" + entries;
    if (entries != p.n()) {
      prove.fail("the ranges hold " + entries + " accounts, the state " + p.n());
    }
    if (p.workloads().contains("proverange")) {
      finish(prove, s, rootBytes, out);
    }

    // verifyrange: each range read back and verified, as a client does
    if (p.workloads().contains("verifyrange")) {
      RunResult verify = result(p, "verifyrange");
      m = new Meter("verifyrange", proofs.size(), Long.MAX_VALUE, out);
      int verified = 0;
      int more = 0;
      for (int i = 0; i < proofs.size(); i++) {
        long t0 = System.nanoTime();
        if (RangeProof.verify(root, origins.get(i), RangeProof.fromBytes(proofs.get(i)))) {
          more++;
        }
        verified++;
        m.done(t0, proofs.get(i).length);
      }
      m.finish(verify, "read + verify one range of " + RANGE);
      verify.checks = "verified=" + verified + "/" + proofs.size() + " hasMore=" + more;
      if (verified != proofs.size() || more != proofs.size() - 1) {
        verify.fail("hasMore was true for " + more + " of " + proofs.size()
            + " ranges, expected all but the last");
      }
      finish(verify, s, rootBytes, out);
    }

    // sync: prove, move, verify and store every range in a second store, then finish
    if (p.workloads().contains("sync")) {
      Path dir = KvSuite.fresh(p.base(), "sync-");
      try (StateStore client = StateStore.open(dir, StateOptions.defaults())) {
        RunResult sync = result(p, "sync");
        m = new Meter("sync", p.n(), Long.MAX_VALUE, out);
        long moved = 0;
        long synced = 0;
        origin = null;
        while (true) {
          byte[] bytes = source.proveRange(origin, null, RANGE, Long.MAX_VALUE).toBytes();
          RangeProof r = RangeProof.fromBytes(bytes);
          boolean more = client.importRange(root, origin, r);
          moved += bytes.length;
          synced += r.size();
          m.add(r.size(), bytes.length);
          if (!more) {
            break;
          }
          origin = next(r.keys().get(r.size() - 1));
        }
        Trie t = client.finishImport(root);
        m.finish(sync, "");
        Hash got = t.rootHash();
        SplittableRandom random = new SplittableRandom(9);
        long wrong = 0;
        int sample = Math.min(2_000, p.n());
        Trie reopened = client.trie(root);
        for (int i = 0; i < sample; i++) {
          int k = random.nextInt(p.n());
          if (!Arrays.equals(reopened.get(w.keys[k]), TrieWorkload.value(k, version[k]))) {
            wrong++;
          }
        }
        sync.checks = "accounts=" + synced + " bytesMoved=" + moved + " sampleWrong=" + wrong
            + "/" + sample;
        if (!got.equals(root)) {
          sync.fail("synced root " + got + " differs from the source root " + root);
        }
        if (synced != p.n() || wrong != 0) {
          sync.fail(synced + " accounts synced of " + p.n() + ", " + wrong
              + " sampled accounts wrong");
        }
        sync.root = HexFormat.of().formatHex(got.toBytes());
        sync.diskBytes = KvSuite.du(dir);
        sync.writeAmplification = client.db().stats().writeAmplification();
        out.result(sync);
      } finally {
        KvSuite.delete(dir);
      }
    }
  }

  /** The key right after {@code k} in a plain trie's key order: {@code k} followed by 0x00. */
  private static byte[] next(byte[] k) {
    return Arrays.copyOf(k, k.length + 1);
  }

  /**
   * Strata's in-memory trie of the state the blocks left: every account at the value of the last
   * block that wrote it ({@code version}), hashed.
   */
  private static Trie sameState(TrieWorkload w, long[] version) {
    Trie t = Trie.empty().update(u -> {
      for (int i = 0; i < w.keys.length; i++) {
        u.put(w.keys[i], TrieWorkload.value(i, version[i]));
      }
    });
    t.rootHash();
    return t;
  }

  /** Sends {@code r} with its root ({@code root} null: not comparable with the others', none). */
  private static void finish(RunResult r, Engine e, byte[] root, ChildOutput out) {
    r.root = root == null ? "" : HexFormat.of().formatHex(root);
    r.diskBytes = e.diskBytes();
    r.writeAmplification = e.writeAmplification();
    out.result(r);
  }

  private static RunResult result(Params p, String workload) {
    RunResult r = new RunResult();
    r.suite = NAME;
    r.engine = p.engine();
    r.workload = workload;
    r.round = p.round();
    r.n = p.n();
    return r;
  }
}

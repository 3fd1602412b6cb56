package io.strata.bench.run;

import io.strata.bench.trie.TrieWorkload;
import io.strata.bench.trie.TuweniTrie;
import io.strata.trie.Hash;
import io.strata.trie.Retention;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStats;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.nio.file.Path;
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
 * Reads check every value against the one last written.
 */
final class TrieSuite {
  private TrieSuite() {}

  static final String NAME = "trie";
  static final List<String> ENGINES = List.of("strata-store", "strata-store-w128",
      "strata-memory", "tuweni");
  /** The retention window of the {@code strata-store-w128} engine (issue 12). */
  static final int WINDOW = 128;
  static final List<String> WORKLOADS = List.of("load", "blocks", "readrandom");
  private static final int ENTRY = 32 + TrieWorkload.VALUE_BYTES;

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
    default String blockNotes() {
      return "";
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
      store = StateStore.open(dir, windowed
          ? StateOptions.builder().retention(Retention.blocks(WINDOW)).build()
          : StateOptions.defaults());
      trie = store.emptyTrie();
    }

    @Override
    public void afterBlocks() {
      if (windowed) {
        long t0 = System.nanoTime();
        store.waitForPruning();
        pruneWaitNanos = System.nanoTime() - t0;
        store.db().compactRange(null, null); // rule 4 of issue 12 measures after a compaction
      }
    }

    @Override
    public String blockNotes() {
      if (!windowed) {
        return "";
      }
      StateStats s = store.stats();
      return String.format(java.util.Locale.ROOT, "window %d: pruning backlog max %d heights,"
          + " %d roots pruned, %d nodes (%d bytes) deleted, %.1f s pruning, %.1f s waited at the"
          + " end; %d bytes written per block (B); disk after waitForPruning and a full"
          + " compaction", WINDOW, maxBacklog, s.rootsPruned(), s.nodesDeleted(),
          s.bytesDeleted(), s.pruningNanos() / 1e9, pruneWaitNanos / 1e9,
          block > 1 ? (s.bytesWritten() - loadBytes) / (block - 1) : 0);
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
      if (p.workloads().contains("blocks") || p.workloads().contains("readrandom")) {
        report = p.workloads().contains("blocks");
        RunResult r = result(p, "blocks");
        m = new Meter("blocks", (long) p.blocks() * TrieWorkload.UPDATES_PER_BLOCK,
            Long.MAX_VALUE, report ? out : ChildOutput.NONE);
        LatencyHistogram perBlock = new LatencyHistogram();
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
          perBlock.record(System.nanoTime() - t0);
          m.add(idx.length, (long) idx.length * ENTRY);
        }
        m.finish(r, "");
        e.afterBlocks();
        r.checks = e.blockNotes();
        if (perBlock.count() > 0) {
          r.p50Micros = perBlock.quantile(0.50) / 1e3;
          r.p99Micros = perBlock.quantile(0.99) / 1e3;
          r.p999Micros = perBlock.quantile(0.999) / 1e3;
          r.latencyOf = "block of " + TrieWorkload.UPDATES_PER_BLOCK + " updates + "
              + (p.engine().startsWith("strata-store") ? "synced commit" : "root hash");
        }
        if (report) {
          finish(r, e, root, out);
        }
      }

      // readrandom
      if (p.workloads().contains("readrandom")) {
        e.readFromLatest();
        RunResult r = result(p, "readrandom");
        SplittableRandom random = new SplittableRandom(5);
        m = new Meter("readrandom", p.n(), p.capNanos(), out);
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
        finish(r, e, root, out);
      }
    } finally {
      if (dir != null) {
        KvSuite.delete(dir);
      }
    }
  }

  private static void finish(RunResult r, Engine e, byte[] root, ChildOutput out) {
    r.root = HexFormat.of().formatHex(root);
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

package io.strata.trie;

import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 12's model property: random commits (heights advancing, forks at one height, commits on
 * a retained non-canonical root, rewinds, values set back, identical subtrees at two positions),
 * a window of 1 to 8 heights, pruning run in the background and at random points, reopens; after
 * every step every retained root equals the model and reads and proves every key, every root
 * pruned since the last open gives {@link PrunedStateException}, and at the end (after {@code
 * waitForPruning}) the store holds exactly the node records the retained roots reach.
 */
class RetentionProperties {
  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(0, 1_000_000).list().ofMinSize(12).ofMaxSize(60);
  }

  @Property(tries = 150)
  void retainedRootsFollowTheModelAndNothingElseIsLeft(@ForAll("ops") List<Integer> ops,
      @ForAll @IntRange(min = 1, max = 8) int window, @ForAll boolean reopen) throws Exception {
    Path dir = Path.of("/strata-retention");
    MemFileSystem fs = new MemFileSystem();
    Options dbOptions = Options.builder().fileSystem(fs).build();
    StateOptions options = StateOptions.builder().dbOptions(dbOptions).syncCommits(false)
        .nodeCacheBytes(ops.size() % 2 == 0 ? 0 : 1 << 20).flushLag(0)
        .retention(Retention.blocks(window)).build();
    RetentionModel model = new RetentionModel(window);
    StateStore store = StateStore.open(dir, options);
    try {
      int step = 0;
      for (int code : ops) {
        String what = model.apply(store, code);
        String context = "step " + step++ + " (" + what + "), window " + window;
        model.check(store, context);
        if (reopen && code % 7 == 0) {
          store.close();
          store = StateStore.open(dir, options);
          model.prunedThisSession.clear();
          model.last = null;
          model.check(store, context + " after reopen");
        }
      }
      store.waitForPruning();
      model.check(store, "after waitForPruning");
      model.checkNoGarbage(store, "after waitForPruning, window " + window);
    } finally {
      store.close();
    }
  }

  /**
   * The same with a flush lag (COMMIT.md, step D): commits journal their changes and keep their
   * nodes in memory, the oldest roots leave 1 to 16 at a time writing only the nodes that outlive
   * them; reopens after a clean close (every node written) or after a crash-like close that
   * writes nothing held in memory (the journal is replayed); a memory budget of 0, 8 KiB or the
   * default, so that members are also written early (spilled). The same exact accounting at the
   * end, over the nodes on disk and in memory.
   */
  @Property(tries = 150)
  void withAFlushLagRetainedRootsFollowTheModelAcrossCrashes(@ForAll("ops") List<Integer> ops,
      @ForAll @IntRange(min = 1, max = 8) int window, @ForAll @IntRange(min = 1, max = 16)
      int lag, @ForAll boolean crash, @ForAll @IntRange(min = 0, max = 2) int budget)
      throws Exception {
    Path dir = Path.of("/strata-retention-lag");
    MemFileSystem fs = new MemFileSystem();
    Options dbOptions = Options.builder().fileSystem(fs).build();
    StateOptions options = StateOptions.builder().dbOptions(dbOptions).syncCommits(false)
        .nodeCacheBytes(ops.size() % 2 == 0 ? 0 : 1 << 20).flushLag(lag)
        .dirtyBytes(budget == 0 ? 0 : budget == 1 ? 8_192 : 256L << 20)
        .retention(Retention.blocks(window)).build();
    RetentionModel model = new RetentionModel(window);
    StateStore store = StateStore.open(dir, options);
    try {
      int step = 0;
      for (int code : ops) {
        String what = model.apply(store, code);
        String context = "step " + step++ + " (" + what + "), window " + window + ", lag " + lag;
        model.check(store, context);
        if (code % 7 == 0) {
          store.closeWritesNodes = !crash;
          store.close();
          store = StateStore.open(dir, options);
          model.prunedThisSession.clear();
          model.last = null;
          model.check(store, context + " after " + (crash ? "a crash" : "a close"));
        }
      }
      store.waitForPruning();
      model.check(store, "after waitForPruning");
      model.checkNoGarbage(store, "after waitForPruning, window " + window + ", lag " + lag);
      store.close();
      store = StateStore.open(dir, options.toBuilder().flushLag(0).build());
      assertEquals(List.of(), store.dirtyKeys(), "a clean close writes every node");
      model.prunedThisSession.clear();
      model.last = null;
      model.check(store, "reopened without a lag");
      store.waitForPruning();
      model.checkNoGarbage(store, "reopened without a lag, window " + window);
    } finally {
      store.close();
    }
  }
}

package io.strata.trie;

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

/**
 * Issue 19's model property: a world of accounts with storage tries linked from their leaves
 * ({@link LeafLinks#ethereumAccounts()}), committed as one block each with the changed storage
 * tries, forks and rewinds, a window of 1 to 8, pruning in the background, reopens; after every
 * step every retained block's account trie and every storage trie it links equal the model;
 * pruned blocks give {@link PrunedStateException}; at the end (after {@code waitForPruning}) the
 * store holds exactly the nodes the retained blocks and their linked tries reach.
 */
class WorldStateProperties {
  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(0, 1_000_000).list().ofMinSize(10).ofMaxSize(40);
  }

  @Property(tries = 100)
  void linkedTriesLiveExactlyAsLongAsARetainedBlockRefersToThem(
      @ForAll("ops") List<Integer> ops, @ForAll @IntRange(min = 1, max = 8) int window,
      @ForAll boolean reopen) {
    Path dir = Path.of("/world");
    MemFileSystem fs = new MemFileSystem();
    StateOptions options = StateOptions.builder()
        .dbOptions(Options.builder().fileSystem(fs).build()).syncCommits(false).secure(true)
        .leafLinks(LeafLinks.ethereumAccounts()).retention(Retention.blocks(window)).build();
    WorldStateModel model = new WorldStateModel(window);
    StateStore store = StateStore.open(dir, options);
    try {
      int step = 0;
      for (int code : ops) {
        String what = model.apply(store, code);
        String context = "step " + step++ + " (" + what + "), window " + window;
        model.check(store, context);
        if (reopen && code % 5 == 0) {
          store.close();
          store = StateStore.open(dir, options);
          model.prunedThisSession.clear();
          model.check(store, context + " after reopen");
        }
      }
      store.waitForPruning();
      model.check(store, "after waitForPruning");
      RetentionModel.checkExactly(store, model.reachable(store), "world, window " + window);
    } finally {
      store.close();
    }
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StateStore#stats()} never waits for the commit lock, which a pruning step holds for
 * milliseconds at a time: a node that reads the figures after every block must not queue behind
 * one (the runner's blocks spent 12% of their time there).
 */
class StatsWithoutLockTest {
  @TempDir Path tmp;

  @Test
  void statsAnswersWhileAnotherThreadHoldsTheCommitLock() throws Exception {
    StateOptions o = StateOptions.builder().syncCommits(false).retention(Retention.blocks(2))
        .build();
    try (StateStore s = StateStore.open(tmp.resolve("s"), o)) {
      Trie t = s.emptyTrie();
      for (int b = 0; b < 6; b++) {
        t = t.put(("k" + b).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) b});
        s.commit(b, t);
      }
      s.waitForPruning();
      StateStats before = s.stats();
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread holder = new Thread(() -> {
        s.lock.lock();
        try {
          held.countDown();
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          s.lock.unlock();
        }
      });
      holder.start();
      held.await();
      try {
        StateStats during = CompletableFuture.supplyAsync(s::stats).get(10, TimeUnit.SECONDS);
        assertEquals(before.retainedRoots(), during.retainedRoots());
        assertEquals(before.pruningBacklog(), during.pruningBacklog());
        assertEquals(before.rootsPruned(), during.rootsPruned());
        assertEquals(before.nodesDeleted(), during.nodesDeleted());
        assertEquals(2, during.retainedRoots());
        assertEquals(0, during.pruningBacklog());
        assertEquals(4, during.rootsPruned());
      } finally {
        release.countDown();
        holder.join();
      }
    }
  }
}

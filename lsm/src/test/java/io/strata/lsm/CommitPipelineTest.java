package io.strata.lsm;

import io.strata.lsm.internal.BatchFormat;
import io.strata.lsm.internal.ByteSource;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.StrataException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The commit pipeline alone, over an in-memory {@link CommitEnv}: no log file, no memtable, no
 * Db. Writers are real threads; the first log append can be held so that writers queue behind
 * the leader, which makes grouping deterministic.
 */
class CommitPipelineTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);

  /** One log record as the env saw it. */
  record Logged(long first, int count, int length, boolean sync, List<String> keys) {}

  /** An env that logs to a list and applies to a list, and fails on request. */
  static final class FakeEnv implements CommitEnv {
    final ReentrantLock mutex = new ReentrantLock();
    final List<Logged> log = Collections.synchronizedList(new ArrayList<>());
    final List<String> applied = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger syncs = new AtomicInteger();
    final AtomicInteger flushRequests = new AtomicInteger();
    volatile long lastSequence;
    volatile StrataException stopped;
    volatile CountDownLatch holdFirstAppend;
    final CountDownLatch firstAppendStarted = new CountDownLatch(1);
    volatile int failAppendNumber = -1;
    volatile Error errorOnApplyNumber;
    volatile boolean failSync;
    private int appends;
    private int applies;

    @Override
    public void makeRoomForWrite(boolean force) {
      assertTrue(mutex.isHeldByCurrentThread(), "makeRoomForWrite without the mutex");
      checkWritable();
      if (force) {
        flushRequests.incrementAndGet();
      }
    }

    @Override
    public void checkWritable() {
      assertTrue(mutex.isHeldByCurrentThread(), "checkWritable without the mutex");
      if (stopped != null) {
        throw new StrataException("writes are stopped after an earlier failure ("
            + stopped.getMessage() + "); reopen the Db", stopped);
      }
    }

    @Override
    public CommitTarget target() {
      assertTrue(mutex.isHeldByCurrentThread(), "target without the mutex");
      return new CommitTarget() {
        @Override
        public void append(byte[] record, int length, boolean sync) throws IOException {
          assertFalse(mutex.isHeldByCurrentThread(), "the log append holds the mutex");
          int n;
          synchronized (FakeEnv.this) {
            n = appends++;
          }
          if (n == 0 && holdFirstAppend != null) {
            firstAppendStarted.countDown();
            try {
              holdFirstAppend.await();
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          }
          if (n == failAppendNumber) {
            throw new IOException("disk on fire");
          }
          ByteSource in = new ByteSource(record, 0, length, null, 0, "record");
          long first = in.longLE();
          int count = in.intLE();
          List<String> keys = new ArrayList<>();
          BatchFormat.iterate(in, count, new BatchFormat.Handler() {
            @Override
            public void put(byte[] buf, int ko, int kl, int vo, int vl) {
              keys.add(new String(buf, ko, kl, UTF_8));
            }

            @Override
            public void delete(byte[] buf, int ko, int kl) {
              keys.add("-" + new String(buf, ko, kl, UTF_8));
            }
          });
          log.add(new Logged(first, count, length, sync, keys));
        }

        @Override
        public void apply(ByteSource operations, int count, long first) {
          assertFalse(mutex.isHeldByCurrentThread(), "the memtable insert holds the mutex");
          int n;
          synchronized (FakeEnv.this) {
            n = applies++;
          }
          Error e = errorOnApplyNumber;
          if (e != null && n == 1) {
            throw e;
          }
          long[] seq = {first};
          BatchFormat.iterate(operations, count, new BatchFormat.Handler() {
            @Override
            public void put(byte[] buf, int ko, int kl, int vo, int vl) {
              applied.add(new String(buf, ko, kl, UTF_8) + "@" + seq[0]++);
            }

            @Override
            public void delete(byte[] buf, int ko, int kl) {
              applied.add("-" + new String(buf, ko, kl, UTF_8) + "@" + seq[0]++);
            }
          });
        }

        @Override
        public void sync() throws IOException {
          assertFalse(mutex.isHeldByCurrentThread(), "the log sync holds the mutex");
          if (failSync) {
            throw new IOException("fsync failed");
          }
          syncs.incrementAndGet();
        }
      };
    }

    @Override
    public void stopWrites(StrataException failure) {
      if (stopped == null) {
        stopped = failure;
      }
    }

    @Override
    public long lastSequence() {
      return lastSequence;
    }

    @Override
    public void publishSequence(long last) {
      assertTrue(mutex.isHeldByCurrentThread(), "publishSequence without the mutex");
      lastSequence = last;
    }

    @Override
    public void countUserBytes(long bytes) {}
  }

  private static WriteBatch batch(String... keys) {
    WriteBatch b = new WriteBatch();
    for (String k : keys) {
      if (k.startsWith("-")) {
        b.delete(k.substring(1).getBytes(UTF_8));
      } else {
        b.put(k.getBytes(UTF_8), ("value of " + k).getBytes(UTF_8));
      }
    }
    return b;
  }

  private static CompletableFuture<Void> async(Runnable r) {
    return CompletableFuture.runAsync(r, task -> {
      Thread t = new Thread(task);
      t.setDaemon(true);
      t.start();
    });
  }

  /** Holds the first append, queues {@code behind} writers one after another, then lets go. */
  private static List<CompletableFuture<Void>> queueBehindHeldLeader(FakeEnv env,
      CommitPipeline p, WriteBatch leader, boolean leaderSync, List<WriteBatch> behind,
      List<Boolean> syncs) throws InterruptedException {
    env.holdFirstAppend = new CountDownLatch(1);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    done.add(async(() -> p.commit(leader, leaderSync)));
    assertTrue(env.firstAppendStarted.await(10, TimeUnit.SECONDS));
    for (int i = 0; i < behind.size(); i++) {
      WriteBatch b = behind.get(i);
      boolean sync = syncs.get(i);
      done.add(async(() -> p.commit(b, sync)));
      int expected = i + 2;
      while (p.queued() < expected) { // in queue order
        Thread.onSpinWait();
      }
    }
    env.holdFirstAppend.countDown();
    return done;
  }

  @Test
  void writersQueuedBehindTheLeaderShareOneRecordWithConsecutiveSequences() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      FakeEnv env = new FakeEnv();
      CommitPipeline p = new CommitPipeline(env.mutex, env, 1 << 20);
      List<CompletableFuture<Void>> done = queueBehindHeldLeader(env, p, batch("a"), false,
          List.of(batch("b", "-c"), batch("d"), batch("e", "f", "g")),
          List.of(false, false, false));
      for (CompletableFuture<Void> f : done) {
        f.get();
      }
      assertEquals(2, env.log.size(), "the leader's record, then one for the three behind it");
      assertEquals(new Logged(1, 1, env.log.get(0).length(), false, List.of("a")), env.log.get(0));
      Logged group = env.log.get(1);
      assertEquals(2, group.first());
      assertEquals(6, group.count());
      assertEquals(List.of("b", "-c", "d", "e", "f", "g"), group.keys());
      assertEquals(7, env.lastSequence);
      assertEquals(List.of("a@1", "b@2", "-c@3", "d@4", "e@5", "f@6", "g@7"), env.applied);
      assertEquals(0, p.queued());
    });
  }

  @Test
  void aSyncedWriterIsNotGroupedBehindAnUnsyncedLeader() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      FakeEnv env = new FakeEnv();
      CommitPipeline p = new CommitPipeline(env.mutex, env, 1 << 20);
      List<CompletableFuture<Void>> done = queueBehindHeldLeader(env, p, batch("a"), false,
          List.of(batch("b"), batch("c"), batch("d")), List.of(false, true, false));
      for (CompletableFuture<Void> f : done) {
        f.get();
      }
      List<List<String>> records = new ArrayList<>();
      List<Boolean> synced = new ArrayList<>();
      for (Logged l : env.log) {
        records.add(l.keys());
        synced.add(l.sync());
      }
      // b leads alone (c wants a sync b did not ask for); c leads and takes d along, synced
      assertEquals(List.of(List.of("a"), List.of("b"), List.of("c", "d")), records);
      assertEquals(List.of(false, false, true), synced);
      assertEquals(4, env.lastSequence);
    });
  }

  @Test
  void aGroupNeverExceedsOneLogRecord() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      FakeEnv env = new FakeEnv();
      int max = 200;
      CommitPipeline p = new CommitPipeline(env.mutex, env, max);
      List<WriteBatch> behind = new ArrayList<>();
      List<Boolean> syncs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        behind.add(batch("key-" + i)); // 27 bytes of operations each
        syncs.add(false);
      }
      List<CompletableFuture<Void>> done = queueBehindHeldLeader(env, p, batch("first"), false,
          behind, syncs);
      for (CompletableFuture<Void> f : done) {
        f.get();
      }
      int operations = 0;
      for (Logged l : env.log) {
        assertTrue(l.length() <= max, l + " is over the record limit of " + max);
        operations += l.count();
      }
      assertEquals(13, operations);
      assertTrue(env.log.size() >= 3, "the twelve behind the leader need two records at least");
      assertTrue(env.log.stream().anyMatch(l -> l.count() > 1), "some were grouped");
    });
  }

  @Test
  void aFailedAppendFailsItsWholeGroupStopsWritesAndPublishesNothing() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      FakeEnv env = new FakeEnv();
      env.failAppendNumber = 1; // the group behind the held leader
      CommitPipeline p = new CommitPipeline(env.mutex, env, 1 << 20);
      List<CompletableFuture<Void>> done = queueBehindHeldLeader(env, p, batch("a"), false,
          List.of(batch("b"), batch("c"), batch("d")), List.of(false, false, false));
      done.get(0).get(); // the leader's own record went in
      List<Throwable> errors = new ArrayList<>();
      for (CompletableFuture<Void> f : done.subList(1, 4)) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        errors.add(e.getCause());
      }
      for (Throwable t : errors) {
        assertInstanceOf(StrataException.class, t);
        assertTrue(t.getMessage().contains("disk on fire"), t.getMessage());
        assertSame(errors.get(0), t, "every writer of the group gets the same failure");
      }
      assertSame(errors.get(0), env.stopped, "the failure stops writes");
      assertEquals(1, env.lastSequence, "nothing of the failed group is published");
      assertEquals(List.of("a@1"), env.applied, "nothing of it reached the memtable");
      StrataException later = assertThrows(StrataException.class, () -> p.commit(batch("e"), true));
      assertTrue(later.getMessage().contains("writes are stopped"), later.getMessage());
      assertEquals(1, env.log.size(), "no record after the failure");
      assertEquals(0, p.queued());
    });
  }

  @Test
  void anErrorInTheLeaderAnswersEveryFollowerAndStopsWrites() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      FakeEnv env = new FakeEnv();
      env.errorOnApplyNumber = new OutOfMemoryError("simulated");
      CommitPipeline p = new CommitPipeline(env.mutex, env, 1 << 20);
      List<CompletableFuture<Void>> done = queueBehindHeldLeader(env, p, batch("a"), false,
          List.of(batch("b"), batch("c")), List.of(false, false));
      done.get(0).get();
      ExecutionException leader = assertThrows(ExecutionException.class, done.get(1)::get);
      assertSame(env.errorOnApplyNumber, leader.getCause(), "the leader gets the Error itself");
      ExecutionException follower = assertThrows(ExecutionException.class, done.get(2)::get);
      assertInstanceOf(StrataException.class, follower.getCause());
      assertSame(env.errorOnApplyNumber, follower.getCause().getCause());
      assertTrue(env.stopped != null, "writes are stopped");
      assertEquals(1, env.lastSequence);
      assertEquals(0, p.queued(), "the queue is not wedged");
      env.mutex.lock();
      try {
        p.awaitDrained(); // returns: a close would not hang
      } finally {
        env.mutex.unlock();
      }
    });
  }

  @Test
  void syncLogTakesATurnAndSyncsWithoutWriting() throws Exception {
    assertTimeoutPreemptively(LIMIT, () -> {
      FakeEnv env = new FakeEnv();
      CommitPipeline p = new CommitPipeline(env.mutex, env, 1 << 20);
      p.commit(batch("a"), false);
      p.syncLog();
      assertEquals(1, env.syncs.get());
      assertEquals(1, env.log.size(), "a sync writes no record");
      env.failSync = true;
      StrataException e = assertThrows(StrataException.class, p::syncLog);
      assertTrue(e.getMessage().contains("fsync failed"), e.getMessage());
      assertSame(e, env.stopped, "a failed fsync stops writes; it is never retried as good");
      assertThrows(StrataException.class, () -> p.commit(batch("b"), false));
      assertEquals(1, env.log.size());
    });
  }

  @Test
  void aFlushRequestSwitchesTheMemtableAndWritesNothing() {
    FakeEnv env = new FakeEnv();
    CommitPipeline p = new CommitPipeline(env.mutex, env, 1 << 20);
    p.flushRequest();
    assertEquals(1, env.flushRequests.get());
    assertTrue(env.log.isEmpty());
    assertNull(env.stopped);
    assertEquals(0, env.lastSequence);
  }
}

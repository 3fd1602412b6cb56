package io.strata.lsm;

import io.strata.StrataException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} thrown inside the write leader (out of memory in the log's append) must not
 * wedge the write queue: the writer gets the error, every other writer an answer, the store goes
 * into its failed state (writes refused, reads served) and close returns. Every wait here has a
 * timeout, so a hang fails the test instead of stopping the build.
 */
class LeaderErrorTest {
  private static final Path DIR = Path.of("/db");

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** Runs {@code r} on a daemon thread (so a hung one cannot keep the JVM alive). */
  static CompletableFuture<Void> async(String name, Runnable r) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        r.run();
        f.complete(null);
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return f;
  }

  static Throwable outcome(CompletableFuture<Void> f) throws InterruptedException {
    try {
      f.get(10, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      fail("hung: still blocked after 10 s");
      return null;
    }
  }

  @Test
  void anErrorInTheLogAppendFailsTheStoreWithoutHangingWritersOrClose() throws Exception {
    MemFileSystem mem = new MemFileSystem();
    ThrowingFileSystem fs = new ThrowingFileSystem(mem);
    Db db = Db.open(DIR, Options.builder().fileSystem(fs).build());
    db.put(b("a"), b("1"));
    db.write(new WriteBatch().put(b("b"), b("2")), WriteOptions.sync());

    CountDownLatch inAppend = new CountDownLatch(1);
    CountDownLatch othersQueued = new CountDownLatch(1);
    OutOfMemoryError oom = new OutOfMemoryError("injected: no memory for the log append");
    fs.throwOnNextLogAppend(() -> {
      inAppend.countDown();
      try {
        // let the other writers queue up behind this leader
        othersQueued.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return oom;
    });
    CompletableFuture<Void> leader = async("leader", () -> db.put(b("c"), b("3")));
    assertTrue(inAppend.await(10, TimeUnit.SECONDS));
    List<CompletableFuture<Void>> others = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int n = i;
      others.add(async("writer-" + i, () -> db.put(b("w" + n), b("x"))));
    }
    Thread.sleep(200);
    othersQueued.countDown();

    assertSame(oom, outcome(leader), "the leader gets the error itself");
    for (CompletableFuture<Void> f : others) {
      Throwable t = outcome(f);
      assertTrue(t instanceof StrataException, "a queued writer is refused, got " + t);
      assertTrue(t.getMessage().contains("reopen"), t.getMessage());
    }
    StrataException later = assertThrows(StrataException.class, () -> db.put(b("d"), b("4")));
    assertTrue(later.getMessage().contains("reopen"), later.getMessage());
    assertThrows(StrataException.class, db::syncWal);
    assertArrayEquals(b("1"), db.get(b("a")), "reads go on");
    assertArrayEquals(b("2"), db.get(b("b")));
    assertNull(db.get(b("c")), "never acknowledged");
    Throwable closed = outcome(async("close", db::close));
    assertNull(closed, "close returns");

    try (Db again = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      assertArrayEquals(b("1"), again.get(b("a")));
      assertArrayEquals(b("2"), again.get(b("b")));
      assertNull(again.get(b("d")));
      again.put(b("e"), b("5"));
      assertArrayEquals(b("5"), again.get(b("e")), "writable after reopening");
    }
  }

  @Test
  void anErrorWhileTheStoreIsQuietStillLetsCloseReturn() throws Exception {
    MemFileSystem mem = new MemFileSystem();
    ThrowingFileSystem fs = new ThrowingFileSystem(mem);
    Db db = Db.open(DIR, Options.builder().fileSystem(fs).build());
    fs.throwOnNextLogAppend(() -> new StackOverflowError("injected"));
    Throwable t = outcome(async("writer", () -> db.write(new WriteBatch().put(b("k"), b("v")),
        WriteOptions.sync())));
    assertTrue(t instanceof StackOverflowError, String.valueOf(t));
    Throwable next = outcome(async("next", () -> db.delete(b("k"))));
    assertTrue(next instanceof StrataException, String.valueOf(next));
    assertNull(outcome(async("flush-or-close", db::close)));
    try (Db again = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      assertNull(again.get(b("k")));
    }
  }
}

package io.strata.lsm;

import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.TableCache;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.fs.MemFileSystem;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Reads that passed the open check before {@link Db#close()} and go on after it, in a fixed
 * order made by the package-private test hook: they must throw {@link IllegalStateException},
 * neither spin for ever on the retired read view nor open a table into the closed table cache
 * (which would leak its file).
 */
class CloseRaceTest {
  private static final Path DIR = Path.of("/db");

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** Pauses the thread named {@code racer} at hook point {@code point} until released. */
  static final class Pause implements Consumer<String> {
    final String point;
    final CountDownLatch arrived = new CountDownLatch(1);
    final CountDownLatch proceed = new CountDownLatch(1);

    Pause(String point) {
      this.point = point;
    }

    @Override
    public void accept(String p) {
      if (p.equals(point) && Thread.currentThread().getName().equals("racer")) {
        arrived.countDown();
        try {
          proceed.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  interface Read {
    Object run(Db db);
  }

  /** Runs a read that pauses at {@code point}, closes the Db meanwhile, then lets it go on. */
  static Throwable raceClose(Db db, Pause pause, Read read) throws Exception {
    CompletableFuture<Object> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        f.complete(read.run(db));
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    }, "racer");
    t.setDaemon(true); // the old code spun here for ever
    t.start();
    assertTrue(pause.arrived.await(10, TimeUnit.SECONDS), "the read reached " + pause.point);
    db.close();
    pause.proceed.countDown();
    try {
      Object result = f.get(5, TimeUnit.SECONDS);
      if (result instanceof AutoCloseable c) {
        c.close();
      }
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      fail("the read racing close() still runs after 5 s (spinning on a retired view?)");
      return null;
    }
  }

  @Test
  void aGetCursorOrStatsReachingTheViewAfterCloseThrows() throws Exception {
    Read[] reads = {db -> db.get(b("k")), Db::cursor, Db::stats};
    for (Read read : reads) {
      MemFileSystem mem = new MemFileSystem();
      Pause pause = new Pause("read-acquiring-view");
      Db db = Db.open(DIR, Options.builder().fileSystem(mem).build(), TestKnobs.NONE.hook(pause));
      db.put(b("k"), b("v"));
      Throwable t = raceClose(db, pause, read);
      assertTrue(t instanceof IllegalStateException, "got " + t);
      assertTrue(t.getMessage().contains("closed"), t.getMessage());
    }
  }

  @Test
  void aReadOpeningATableAfterCloseThrowsAndLeavesNoFileOpen() throws Exception {
    MemFileSystem mem = new MemFileSystem();
    ThrowingFileSystem fs = new ThrowingFileSystem(mem);
    Pause pause = new Pause("table-opening");
    Db db = Db.open(DIR, Options.builder().fileSystem(fs).build(), TestKnobs.NONE.hook(pause));
    db.put(b("k"), b("v"));
    db.flush(); // in a table now, which no read has opened yet
    assertEquals(0, fs.openReaders());
    Throwable t = raceClose(db, pause, d -> d.get(b("k")));
    assertTrue(t instanceof IllegalStateException, "got " + t);
    assertTrue(t.getMessage().contains("closed"), t.getMessage());
    assertEquals(0, fs.openReaders(), "no table file left open after close");
    try (Db again = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      assertArrayEquals(b("v"), again.get(b("k")));
    }
  }

  @Test
  void theTableCacheRefusesOpensAfterClose() {
    MemFileSystem mem = new MemFileSystem();
    ThrowingFileSystem fs = new ThrowingFileSystem(mem);
    try (Db db = Db.open(DIR, Options.builder().fileSystem(mem).build())) {
      db.put(b("k"), b("v"));
      db.flush();
    }
    Db db = Db.open(DIR, Options.builder().fileSystem(fs).build());
    long number = db.testAccess().currentVersion().files(0).get(0).number();
    db.close();
    TableCache cache = new TableCache(fs, DIR, new BlockCache(0), 16);
    cache.acquire(number).release();
    assertEquals(1, fs.openReaders(), "kept open by the cache");
    cache.close();
    assertEquals(0, fs.openReaders());
    assertThrows(IllegalStateException.class, () -> cache.acquire(number));
    assertEquals(0, fs.openReaders());
  }
}

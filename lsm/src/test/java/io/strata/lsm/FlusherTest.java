package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.StrataException;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.version.FileMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memtable switch and the flush job alone, over an in-memory {@link Flusher.Env}: no log, no
 * table file, no manifest, no Db. The flush runs on a real executor; its table write can be held
 * so that a writer meets a flush in progress.
 */
class FlusherTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  /** A memtable is full at 4 KiB; level 0 slows writes at 20 tables and stops them at 36. */
  private static final long BUFFER = 4 << 10;

  /** One flush as the manifest saw it. */
  record Recorded(Long table, long logNumber) {}

  /** A view as published. */
  record View(Memtable mem, Memtable imm) {}

  /** An env that writes tables to a list and fails on request. */
  static final class FakeEnv implements Flusher.Env {
    final ReentrantLock mutex = new ReentrantLock();
    final Condition backgroundDone = mutex.newCondition();
    final List<View> views = Collections.synchronizedList(new ArrayList<>());
    final List<Memtable> written = Collections.synchronizedList(new ArrayList<>());
    final List<Recorded> manifest = Collections.synchronizedList(new ArrayList<>());
    final List<Long> installed = Collections.synchronizedList(new ArrayList<>());
    final List<Long> flushed = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong stalledNanos = new AtomicLong();
    final AtomicInteger rotations = new AtomicInteger();
    volatile Throwable stopped;
    volatile int level0;
    volatile long segment = 1;
    volatile long nextTable = 100;
    volatile boolean failRotate;
    volatile boolean failWrite;
    volatile CountDownLatch holdWrite;
    final CountDownLatch writeStarted = new CountDownLatch(1);

    @Override
    public void checkWritable() {
      assertTrue(mutex.isHeldByCurrentThread(), "checkWritable without the mutex");
      if (stopped != null) {
        throw new StrataException("writes are stopped (" + stopped.getMessage() + ")", stopped);
      }
    }

    @Override
    public Throwable backgroundError() {
      return stopped;
    }

    @Override
    public void stopWrites(StrataException failure) {
      mutex.lock();
      try {
        if (stopped == null) {
          stopped = failure;
        }
        backgroundDone.signalAll();
      } finally {
        mutex.unlock();
      }
    }

    @Override
    public int level0Files() {
      assertTrue(mutex.isHeldByCurrentThread(), "level0Files without the mutex");
      return level0;
    }

    @Override
    public long rotateLog() throws IOException {
      assertTrue(mutex.isHeldByCurrentThread(), "rotateLog without the mutex");
      if (failRotate) {
        throw new IOException("disk full");
      }
      rotations.incrementAndGet();
      return ++segment;
    }

    @Override
    public void installView(Memtable mem, Memtable imm) {
      assertTrue(mutex.isHeldByCurrentThread(), "installView without the mutex");
      views.add(new View(mem, imm));
    }

    @Override
    public long newTableNumber() {
      assertTrue(mutex.isHeldByCurrentThread(), "newTableNumber without the mutex");
      return nextTable++;
    }

    @Override
    public FileMetadata writeTable(Memtable frozen, long number) throws IOException {
      assertFalse(mutex.isHeldByCurrentThread(), "a table is written under the mutex");
      writeStarted.countDown();
      CountDownLatch hold = holdWrite;
      if (hold != null) {
        try {
          hold.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
      if (failWrite) {
        throw new IOException("table write failed");
      }
      written.add(frozen);
      if (frozen.isEmpty()) {
        return null;
      }
      return new FileMetadata(number, 1000, new byte[9], new byte[9], 1, 1, 1);
    }

    @Override
    public void record(FileMetadata table, long logNumber) {
      assertFalse(mutex.isHeldByCurrentThread(), "the manifest is written under the mutex");
      manifest.add(new Recorded(table == null ? null : table.number(), logNumber));
      if (table != null) {
        level0++;
      }
    }

    @Override
    public void installed(long number) {
      assertTrue(mutex.isHeldByCurrentThread(), "installed without the mutex");
      installed.add(number);
    }

    @Override
    public void flushed(FileMetadata table, long startNanos) {
      assertFalse(mutex.isHeldByCurrentThread(), "the listener is told under the mutex");
      flushed.add(table == null ? -1 : table.number());
    }

    @Override
    public void countStall(long nanos) {
      stalledNanos.addAndGet(nanos);
    }
  }

  private final FakeEnv env = new FakeEnv();
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final Flusher flusher = new Flusher(env.mutex, env.backgroundDone, env,
      new WriteStall(20, 36, BUFFER), BUFFER, executor, Path.of("fake"));
  private long sequence;

  @AfterEach
  void stopExecutor() throws InterruptedException {
    CountDownLatch hold = env.holdWrite;
    if (hold != null) {
      hold.countDown();
    }
    executor.shutdown();
    assertTrue(executor.awaitTermination(20, TimeUnit.SECONDS));
  }

  private static Memtable first() {
    return Memtable.forWriteBuffer(1, BUFFER);
  }

  private void add(Memtable m, int entries) {
    for (int i = 0; i < entries; i++) {
      m.add(++sequence, InternalKeys.KIND_PUT, ("key" + sequence).getBytes(UTF_8), new byte[100]);
    }
  }

  private void makeRoom(boolean force) {
    env.mutex.lock();
    try {
      flusher.makeRoomForWrite(force);
    } finally {
      env.mutex.unlock();
    }
  }

  private Memtable mem() {
    env.mutex.lock();
    try {
      return flusher.mem();
    } finally {
      env.mutex.unlock();
    }
  }

  private boolean idle() {
    env.mutex.lock();
    try {
      return flusher.idle();
    } finally {
      env.mutex.unlock();
    }
  }

  @Test
  void aWriteWithRoomNeitherSwitchesNorFlushes() {
    Memtable m = first();
    flusher.start(m);
    add(m, 3);
    makeRoom(false);
    flusher.awaitFlushed();
    assertSame(m, mem());
    assertEquals(0, env.rotations.get());
    assertTrue(env.written.isEmpty());
    assertTrue(idle());
    // a flush request on an empty memtable switches nothing either
    Memtable empty = first();
    flusher.start(empty);
    makeRoom(true);
    assertSame(empty, mem());
    assertEquals(0, env.rotations.get());
  }

  @Test
  void aFlushRequestFreezesTheMemtableAndTheFlushRecordsItThenLetsItGo() {
    Memtable m = first();
    flusher.start(m);
    add(m, 3);
    makeRoom(true);
    assertTimeoutPreemptively(LIMIT, flusher::awaitFlushed);

    Memtable fresh = mem();
    assertNotSame(m, fresh);
    assertEquals(2, fresh.walSegment(), "the new memtable starts the new log segment");
    assertEquals(1, env.rotations.get());
    assertEquals(List.of(m), env.written, "the frozen memtable is what the table holds");
    // the manifest's log number is the new memtable's segment: recovery replays from there
    assertEquals(List.of(new Recorded(100L, 2)), env.manifest);
    assertEquals(List.of(100L), env.installed);
    assertEquals(List.of(100L), env.flushed);
    assertEquals(List.of(new View(fresh, m), new View(fresh, null)), env.views,
        "reads see the frozen memtable until its table is in the version");
    assertTrue(idle());
    assertNull(env.stopped);
  }

  @Test
  void aFullMemtableWaitsWhileThePreviousOneIsStillBeingFlushed() throws Exception {
    Memtable m = first();
    flusher.start(m);
    add(m, 3);
    env.holdWrite = new CountDownLatch(1);
    makeRoom(true);
    assertTrue(env.writeStarted.await(20, TimeUnit.SECONDS));
    Memtable second = mem();
    add(second, 40); // past the 4 KiB buffer
    assertTrue(second.approximateBytes() >= BUFFER);

    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> makeRoom(false));
    Thread.sleep(200);
    assertFalse(writer.isDone(), "a full memtable is not switched while a flush runs");
    assertEquals(1, env.rotations.get());

    env.holdWrite.countDown();
    assertTimeoutPreemptively(LIMIT, () -> writer.get());
    assertEquals(2, env.rotations.get(), "switched once the first flush was done");
    assertNotSame(second, mem());
    assertTimeoutPreemptively(LIMIT, flusher::awaitFlushed);
    assertEquals(List.of(m, second), env.written, "flushed in the order they were frozen");
    assertEquals(List.of(new Recorded(100L, 2), new Recorded(101L, 3)), env.manifest);
    assertTrue(env.stalledNanos.get() >= TimeUnit.MILLISECONDS.toNanos(100),
        "the wait is counted as a stall: " + env.stalledNanos.get());
    assertTrue(idle());
  }

  @Test
  void level0AtTheSlowdownTriggerDelaysAWriteOnceAndCountsIt() {
    Memtable m = first();
    flusher.start(m);
    add(m, 1);
    env.level0 = 20;
    makeRoom(false);
    assertSame(m, mem());
    assertTrue(env.stalledNanos.get() >= TimeUnit.MICROSECONDS.toNanos(900),
        "delayed about a millisecond: " + env.stalledNanos.get());
  }

  @Test
  void aFailedFlushStopsWritesAndTheFlushWaiterSeesIt() {
    Memtable m = first();
    flusher.start(m);
    add(m, 3);
    env.failWrite = true;
    makeRoom(true);
    StrataException e = assertThrows(StrataException.class,
        () -> assertTimeoutPreemptively(LIMIT, flusher::awaitFlushed));
    assertTrue(e.getMessage().startsWith("flush failed"), e.getMessage());
    assertNotNull(env.stopped);
    assertTrue(env.manifest.isEmpty(), "nothing recorded");
    assertFalse(idle(), "the frozen memtable stays (the log still holds it)");
    env.mutex.lock();
    try {
      assertFalse(flusher.running());
    } finally {
      env.mutex.unlock();
    }
    assertThrows(StrataException.class, () -> makeRoom(false), "writes are refused");
  }

  @Test
  void aFailedLogRotationStopsWritesAndKeepsTheMemtable() {
    Memtable m = first();
    flusher.start(m);
    add(m, 3);
    env.failRotate = true;
    StrataException e = assertThrows(StrataException.class, () -> makeRoom(true));
    assertTrue(e.getMessage().startsWith("starting a new write-ahead log segment failed"),
        e.getMessage());
    assertSame(e, env.stopped);
    assertSame(m, mem());
    assertTrue(idle(), "no flush was started");
    assertTrue(env.views.isEmpty());
  }
}

package io.strata.lsm.internal.table;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The data blocks one step of a {@code multiGet} batch (one level, or one level-0 table) still
 * has to read from disk because the block cache did not hold them, each with the keys it answers.
 * {@link TableReader#multiGet} answers the keys of cached blocks at once and appends the others
 * here; {@link #run} then reads them, blocks that lie back to back in one table with one read
 * (a run; a clustered batch's blocks mostly form one), on the calling thread alone when there are
 * few runs, or shared with one helper thread from {@code minShared} runs on. Sharing is dynamic:
 * the caller and the helper claim runs one at a time from a counter, so a helper that is slow to
 * start (a busy machine) costs the caller only the hand-off, and one that starts after the caller
 * has claimed every run finds nothing to do and touches nothing.
 *
 * <p>Invariants: each read writes {@code found[i]} only for its own keys, and no key belongs to two
 * reads, so the threads never write the same slot. {@link #run} returns (or throws) only after
 * every run it handed out has finished, so the tables this object holds references on (released
 * by {@link #releaseTables}) and the batch's arrays outlive every use by the helper; the caller
 * sees the helper's answers because each finished run is counted with a volatile write the caller
 * reads before it returns.
 *
 * <p>Thread-safety: filled and run by one thread (the batch's caller); during a shared {@link #run}
 * the helper runs {@link #work} on it too. Once shared, an object is never filled again: the next
 * step of the batch uses a new one.
 */
public final class PendingBlockReads {
  private final byte[][] userKeys;
  private final byte[][] seekKeys;
  private final byte[][] found;
  private final boolean fillCache;

  // ---- Written by the filling thread only, before run() (published to the helper by execute()).
  /** Per read: its table, its data block and where its keys end in {@link #keys}. */
  private TableReader[] readers = new TableReader[8];
  private int[] blocks = new int[8];
  private int[] keysEnd = new int[8];
  /** The keys (indexes into the batch's arrays) of read {@code r}: {@code [keysEnd[r-1], keysEnd[r])}. */
  private int[] keys = new int[16];
  private int count;
  private int keyCount;
  /** The tables whose references this object holds (each once), released by releaseTables. */
  private TableReader[] held = new TableReader[4];
  private int heldCount;
  private boolean shared;
  /**
   * Set by run(): the reads grouped into runs of blocks back to back in one table, read with one
   * read each ({@link TableReader#loadDataBlocks}); run {@code u} is reads {@code [runStart[u],
   * runStart[u + 1])}. The unit the threads claim.
   */
  private int[] runStart;
  private int runs;

  // ---- Shared with the helper during run().
  /** The next run of reads to claim; claims at or past {@code runs} are empty. */
  private final AtomicInteger next = new AtomicInteger();
  /** Runs claimed and finished (or skipped after a failure). */
  private final AtomicInteger done = new AtomicInteger();
  /** The first failure of any read; later reads are skipped (claimed and counted, not read). */
  private volatile Throwable failure;
  /** The caller once it waits for the helper's last reads; null before. */
  private volatile Thread waiter;
  /** Test-only, told {@code "multiget-block-read"} before each shared read (set before sharing). */
  private Consumer<String> hook;

  public PendingBlockReads(byte[][] userKeys, byte[][] seekKeys, byte[][] found,
      boolean fillCache) {
    this.userKeys = userKeys;
    this.seekKeys = seekKeys;
    this.found = found;
    this.fillCache = fillCache;
  }

  /** Reads appended so far. */
  public int count() {
    return count;
  }

  /** Whether a {@link #run} shared this object with a helper (then it must not be filled again). */
  public boolean shared() {
    return shared;
  }

  /** Appends a read of data block {@code block} of {@code t}; its keys follow by {@link #addKey}. */
  void addRead(TableReader t, int block) {
    if (count == readers.length) {
      int n = 2 * count;
      readers = Arrays.copyOf(readers, n);
      blocks = Arrays.copyOf(blocks, n);
      keysEnd = Arrays.copyOf(keysEnd, n);
    }
    readers[count] = t;
    blocks[count] = block;
    keysEnd[count] = keyCount;
    count++;
  }

  /** Appends key {@code i} (sorted after the read's earlier keys) to the last read appended. */
  void addKey(int i) {
    if (keyCount == keys.length) {
      keys = Arrays.copyOf(keys, 2 * keyCount);
    }
    keys[keyCount++] = i;
    keysEnd[count - 1] = keyCount;
  }

  /** Keeps the caller's reference on {@code t} (which has reads here) until releaseTables. */
  public void hold(TableReader t) {
    if (heldCount == held.length) {
      held = Arrays.copyOf(held, 2 * heldCount);
    }
    held[heldCount++] = t;
  }

  /** Releases the references {@link #hold} kept; after {@link #run} has returned or thrown. */
  public void releaseTables() {
    for (int i = 0; i < heldCount; i++) {
      held[i].release();
      held[i] = null;
    }
    heldCount = 0;
  }

  /** A new, empty object for the same batch (after this one was shared). */
  public PendingBlockReads next() {
    return new PendingBlockReads(userKeys, seekKeys, found, fillCache);
  }

  /** Empties an object that was never shared, for the batch's next step. */
  public void clear() {
    if (shared) {
      throw new IllegalStateException("a shared PendingBlockReads is not reused");
    }
    Arrays.fill(readers, 0, count, null);
    count = 0;
    keyCount = 0;
  }

  /**
   * Reads every block appended (a run of blocks back to back with one read) and answers its
   * keys. With {@code helper} non-null and at least {@code minShared} runs, hands one task to {@code helper} (when it refuses, the caller reads
   * everything itself), calls {@code hook} with {@code "multiget-reads-shared"} (tests; and with
   * {@code "multiget-block-read"} on the reading thread before each run), then claims runs until
   * none is left and waits for those the helper claimed. The first failure of
   * any read, on either thread, is thrown here once every claimed read has finished.
   *
   * @param seeker the caller's scratch space for block lookups
   */
  public void run(Executor helper, int minShared, Block.Seeker seeker, Consumer<String> hook) {
    if (count == 0) {
      return;
    }
    groupRuns();
    if (helper == null || runs < minShared) {
      for (int u = 0; u < runs; u++) {
        read(u, seeker);
      }
      return;
    }
    shared = true;
    this.hook = hook;
    try {
      helper.execute(() -> work(new Block.Seeker()));
    } catch (RejectedExecutionException e) {
      // the helper is busy with other batches or its Db is closing: read alone
    }
    hook.accept("multiget-reads-shared");
    work(seeker);
    awaitDone();
    Throwable f = failure;
    if (f instanceof RuntimeException) {
      throw (RuntimeException) f;
    }
    if (f instanceof Error) {
      throw (Error) f;
    }
    if (f != null) {
      throw new IllegalStateException(f);
    }
  }

  /** Groups the reads into runs of blocks back to back in one table (see {@link #runStart}). */
  private void groupRuns() {
    runStart = new int[count + 1];
    runs = 0;
    int first = 0; // the first read of the current run
    for (int r = 0; r < count; r++) {
      if (r == 0 || readers[r] != readers[r - 1] || blocks[r] != blocks[r - 1] + 1
          || !readers[r].readableWith(blocks[first], blocks[r - 1])) {
        runStart[runs++] = r;
        first = r;
      }
    }
    runStart[runs] = count;
  }

  /** Claims and performs runs of reads until every one is claimed (caller and helper alike). */
  private void work(Block.Seeker seeker) {
    int u;
    while ((u = next.getAndIncrement()) < runs) {
      try {
        if (failure == null) {
          hook.accept("multiget-block-read");
          read(u, seeker);
        }
      } catch (Throwable t) {
        if (failure == null) {
          failure = t; // a race here keeps one of two failures: either names the problem
        }
      } finally {
        done.incrementAndGet();
        Thread w = waiter;
        if (w != null) {
          LockSupport.unpark(w);
        }
      }
    }
  }

  /**
   * Returns once every read is done. The caller's write of {@link #waiter} and the helper's
   * increment of {@link #done} are both volatile, so at least one of them sees the other: the
   * helper unparks the caller, or the caller sees the count.
   */
  private void awaitDone() {
    for (int spin = 0; spin < 1000; spin++) {
      if (done.get() >= runs) {
        return;
      }
      Thread.onSpinWait();
    }
    waiter = Thread.currentThread();
    while (done.get() < runs) {
      LockSupport.parkNanos(this, 1_000_000L);
    }
  }

  /** Reads run {@code u}'s blocks (not in the cache) with one read and answers their keys. */
  private void read(int u, Block.Seeker seeker) {
    int from = runStart[u];
    int to = runStart[u + 1];
    Block[] read = readers[from].loadDataBlocks(blocks[from], blocks[to - 1], fillCache);
    for (int r = from; r < to; r++) {
      Block b = read[r - from];
      for (int j = r == 0 ? 0 : keysEnd[r - 1]; j < keysEnd[r]; j++) {
        int i = keys[j];
        found[i] = seeker.get(b, seekKeys[i], userKeys[i]);
      }
    }
  }
}

package io.strata.lsm;

import io.strata.CorruptionException;
import io.strata.StrataException;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The read path of a {@link Db}: the published {@link ReadView} (the memtables and the table
 * version reads pin) and the reads over it: point reads, {@code multiGet}, cursors, and the
 * checksum check of every live table. Arguments are checked by {@code Db} before they get here.
 *
 * <p>Invariant: a read takes its view first and its sequence number after, so every version a
 * compaction dropped before the view was taken is shadowed by one at or below that sequence.
 *
 * <p>Thread-safety: reads take no lock; any number of threads may read at once. {@code view} is
 * volatile; it is replaced only under the {@code Db}'s mutex (by {@link #install} and {@link
 * #start}, "mutex held"), and its last reference is dropped once, by {@link #releaseView()} at
 * close. A read racing a close retries while a newer view is published and throws once the
 * {@code Db} is closed.
 */
final class ReadPath {
  // ---- Constant after construction.
  private final Db db;
  private final FileSystem fs;
  private final Path dir;
  private final TableCache tables;
  /** The table versions (its own lock, see {@link VersionSet}). */
  private final VersionSet versions;
  /** The last sequence number whose group is in the memtable (published by the commit leader). */
  private final AtomicLong lastSequence;
  /** Test-only hook ({@code "read-acquiring-view"}). */
  private final Consumer<String> hook;
  /** The largest block a table may hold (smaller only in tests). */
  private final int maxBlockBytes;
  /** Where {@code multiGet} shares large steps' block reads (the engine's; null on one core). */
  private final Executor multiGetHelper;
  /** From how many cache misses in one step a {@code multiGet} shares its reads. */
  private final int multiGetMinSharedReads;

  // ---- Written under the Db's mutex, read without it.
  /** What reads pin: mem, imm and the current version. */
  private volatile ReadView view;
  /**
   * A read-only Db keeps every table of its version open (a writer in another process may delete
   * the files), so {@link #verifyChecksums} reads them through the cache's open files.
   */
  private final boolean readOnly;

  ReadPath(Db db, FileSystem fs, Path dir, TableCache tables, VersionSet versions,
      AtomicLong lastSequence, Consumer<String> hook, int maxBlockBytes, boolean readOnly,
      Executor multiGetHelper, int multiGetMinSharedReads) {
    this.db = db;
    this.multiGetHelper = multiGetHelper;
    this.multiGetMinSharedReads = multiGetMinSharedReads;
    this.readOnly = readOnly;
    this.fs = fs;
    this.dir = dir;
    this.tables = tables;
    this.versions = versions;
    this.lastSequence = lastSequence;
    this.hook = hook;
    this.maxBlockBytes = maxBlockBytes;
  }

  /** Mutex held, or before the {@code Db} is shared. Publishes the first view, of {@code mem}. */
  void start(Memtable mem) {
    view = new ReadView(mem, null, versions.acquireCurrent());
  }

  /** Mutex held. Publishes a new read view of {@code mem}, {@code imm} and the current version. */
  void install(Memtable mem, Memtable imm) {
    ReadView old = view;
    view = new ReadView(mem, imm, versions.acquireCurrent());
    old.release();
  }

  /** At close, once: drops the published view's reference (reads under way keep theirs). */
  void releaseView() {
    view.release();
  }

  /**
   * The current view, retained. A failed retain means the view was retired: either a newer one is
   * already published (take that), or {@link Db#close()} released the last one (throw).
   */
  ReadView acquire() {
    hook.accept("read-acquiring-view");
    while (true) {
      ReadView v = view;
      if (v.retain()) {
        return v;
      }
      db.checkOpen();
      Thread.onSpinWait();
    }
  }

  /** The value of {@code key} as of the options' snapshot (or now), or null when absent. */
  byte[] get(byte[] key, ReadOptions options) {
    // The view first, then the sequence: every version a compaction dropped before the view was
    // taken is shadowed by one at or below any sequence read after it.
    ReadView v = acquire();
    try {
      long sequence = sequenceFor(options);
      byte[] value = v.get(key, sequence, tables, options.fillCache());
      return value == null || value == Memtable.DELETED ? null : value;
    } finally {
      v.release();
    }
  }

  private long sequenceFor(ReadOptions options) {
    Snapshot s = options.snapshot();
    if (s == null) {
      return lastSequence.get();
    }
    if (s.db() != db) {
      throw new IllegalArgumentException("snapshot belongs to another Db");
    }
    return s.sequence();
  }

  /**
   * What {@link Db#multiGet(List, ReadOptions)} returns: the values of {@code keys} (checked), all
   * read from one view at one sequence number, probed in sorted order by {@link MultiGet}.
   */
  List<byte[]> multiGet(byte[][] keys, ReadOptions options) {
    ReadView v = acquire(); // before the sequence, as in get
    try {
      return MultiGet.get(v, keys, sequenceFor(options), tables, options.fillCache(),
          multiGetHelper, multiGetMinSharedReads, hook);
    } finally {
      v.release();
    }
  }

  /** A cursor over the store as of the options' snapshot (or now). */
  Cursor cursor(ReadOptions options) {
    ReadView v = acquire(); // before the sequence, as in get
    try {
      long sequence = sequenceFor(options);
      InternalIterator it = v.iterator(tables, options.fillCache());
      return new DbCursor(db, v, it, sequence, options.lowerBoundRef(), options.upperBoundRef());
    } catch (RuntimeException | Error e) {
      v.release();
      throw e;
    }
  }

  /** What {@link Db#verifyChecksums()} returns: every problem of the current version's tables. */
  List<CorruptionException> verifyChecksums() {
    Version v = versions.acquireCurrent();
    try {
      List<CorruptionException> problems = new ArrayList<>();
      for (int level = 0; level < VersionEdit.LEVELS; level++) {
        for (FileMetadata f : v.files(level)) {
          Path path = FileNames.table(dir, f.number());
          TableReader t;
          try {
            // every block is read from the file and checked (never from the block cache)
            t = readOnly ? tables.acquire(f.number())
                : TableReader.open(fs, path, f.number(), new BlockCache(0), maxBlockBytes);
          } catch (CorruptionException e) {
            problems.add(e);
            continue;
          } catch (StrataException e) {
            problems.add(new CorruptionException(path, 0, "table " + f.number() + " of level "
                + level + " cannot be read: " + e.getMessage(), e));
            continue;
          }
          try {
            if (t.fileSize() != f.fileSize()) {
              problems.add(new CorruptionException(path, Math.min(t.fileSize(), f.fileSize()),
                  "table is " + t.fileSize() + " bytes; the manifest recorded " + f.fileSize()));
            }
            problems.addAll(t.verifyChecksums());
          } finally {
            t.release();
          }
        }
      }
      return problems;
    } finally {
      v.release();
    }
  }
}

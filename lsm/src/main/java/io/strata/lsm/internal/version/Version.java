package io.strata.lsm.internal.version;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.RefCount;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.Block;
import io.strata.lsm.internal.table.PendingBlockReads;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.table.TwoLevelIterator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One immutable state of the table files: per level, the live tables. Level 0 tables may overlap
 * and are kept newest first; in levels 1 to 6 tables are sorted by key and do not overlap.
 *
 * <p>Thread-safe (immutable). Reference counted, starting with one reference for its creator:
 * while a version is referenced (it is current, or a read, cursor or compaction uses it) its files
 * are not deleted; the last release reports it to the owner so obsolete files can go.
 */
public final class Version {
  static final Comparator<FileMetadata> NEWEST_FIRST =
      Comparator.comparingLong(FileMetadata::maxSequence).reversed()
          .thenComparing(Comparator.comparingLong(FileMetadata::number).reversed());
  static final Comparator<FileMetadata> BY_SMALLEST_KEY =
      (a, b) -> InternalKeys.compare(a.smallest(), b.smallest());

  private final List<List<FileMetadata>> levels;
  private final RefCount refs = new RefCount();
  private final Consumer<Version> onUnreferenced;

  public Version(List<List<FileMetadata>> levels, Consumer<Version> onUnreferenced) {
    List<List<FileMetadata>> copy = new ArrayList<>();
    for (int i = 0; i < VersionEdit.LEVELS; i++) {
      List<FileMetadata> files = new ArrayList<>(i < levels.size() ? levels.get(i) : List.of());
      files.sort(i == 0 ? NEWEST_FIRST : BY_SMALLEST_KEY);
      copy.add(Collections.unmodifiableList(files));
    }
    this.levels = Collections.unmodifiableList(copy);
    this.onUnreferenced = onUnreferenced;
  }

  public List<FileMetadata> files(int level) {
    return levels.get(level);
  }

  public List<List<FileMetadata>> levels() {
    return levels;
  }

  public long bytes(int level) {
    long total = 0;
    for (FileMetadata f : levels.get(level)) {
      total += f.fileSize();
    }
    return total;
  }

  public Set<Long> fileNumbers() {
    Set<Long> numbers = new HashSet<>();
    for (List<FileMetadata> level : levels) {
      for (FileMetadata f : level) {
        numbers.add(f.number());
      }
    }
    return numbers;
  }

  /** Takes a reference; false if the version was already released for good. */
  boolean retain() {
    return refs.retain();
  }

  /** Drops a reference; the creator holds the first one. */
  public void release() {
    if (refs.release()) {
      onUnreferenced.accept(this);
    }
  }

  /**
   * The newest version of a key visible at the sequence of {@code seekKey} in the tables: value,
   * {@link Memtable#DELETED}, or null.
   */
  public byte[] get(byte[] userKey, byte[] seekKey, long hash, TableCache tables, boolean fillCache) {
    List<FileMetadata> level0 = levels.get(0);
    for (int i = 0, n = level0.size(); i < n; i++) { // no iterator object per get
      FileMetadata f = level0.get(i);
      if (f.mayContain(userKey)) {
        byte[] v = getFrom(f, userKey, seekKey, hash, tables, fillCache);
        if (v != null) {
          return v;
        }
      }
    }
    for (int level = 1; level < VersionEdit.LEVELS; level++) {
      List<FileMetadata> files = levels.get(level);
      int i = findFile(files, seekKey);
      if (i < files.size() && files.get(i).mayContain(userKey)) {
        byte[] v = getFrom(files.get(i), userKey, seekKey, hash, tables, fillCache);
        if (v != null) {
          return v;
        }
      }
    }
    return null;
  }

  /**
   * The batched {@link #get}: for each unanswered key {@code i} (those with {@code found[i] ==
   * null}) stores into {@code found[i]} its newest version in the tables visible at the sequence
   * in {@code seekKeys[i]}: the value or {@link Memtable#DELETED}; it stays null when no table
   * has one. The user keys must be sorted and distinct. Each level-0 table is probed with the run
   * of keys inside its key range; in a deeper level the keys and the level's (sorted, disjoint)
   * tables are walked together, each table acquired once for the run of keys it may hold. Per
   * step (a level-0 table, or a deeper level) the keys of cached blocks are answered as they are
   * met and the blocks the cache lacks are read after the walk ({@link PendingBlockReads}): by the
   * caller, or shared with {@code helper} when there are at least {@code minShared} of them.
   *
   * @param helper where a step's block reads may be shared; null to read on the calling thread
   * @param hook test-only, told {@code "multiget-reads-shared"} when a step's reads are shared
   */
  public void multiGet(byte[][] userKeys, byte[][] seekKeys, long[] hashes, byte[][] found,
      TableCache tables, boolean fillCache, Executor helper, int minShared,
      Consumer<String> hook) {
    int m = userKeys.length;
    Block.Seeker seeker = new Block.Seeker();
    PendingBlockReads pending = new PendingBlockReads(userKeys, seekKeys, found, fillCache);
    try {
      for (FileMetadata f : levels.get(0)) {
        int lo = firstAtOrAfter(userKeys, f.smallest());
        int hi = lo;
        while (hi < m && InternalKeys.compareUserKey(f.largest(), userKeys[hi]) >= 0) {
          hi++;
        }
        probe(f, userKeys, seekKeys, hashes, found, lo, hi, tables, seeker, pending);
        pending = finishStep(pending, helper, minShared, seeker, hook);
      }
      for (int level = 1; level < VersionEdit.LEVELS; level++) {
        List<FileMetadata> files = levels.get(level);
        int f = 0;
        int i = 0;
        while (i < m && f < files.size()) {
          if (found[i] != null) {
            i++;
            continue;
          }
          if (InternalKeys.compare(files.get(f).largest(), seekKeys[i]) < 0) {
            f = findFile(files, seekKeys[i], f + 1);
            if (f == files.size()) {
              break;
            }
          }
          FileMetadata file = files.get(f);
          // the keys from i on that this file (the first whose largest key is at or after
          // theirs) may hold: they must not be below its smallest key either
          int hi = i;
          while (hi < m && InternalKeys.compare(file.largest(), seekKeys[hi]) >= 0) {
            hi++;
          }
          int lo = i;
          while (lo < hi && InternalKeys.compareUserKey(file.smallest(), userKeys[lo]) > 0) {
            lo++;
          }
          probe(file, userKeys, seekKeys, hashes, found, lo, hi, tables, seeker, pending);
          i = hi;
          f++;
        }
        pending = finishStep(pending, helper, minShared, seeker, hook);
      }
    } finally {
      pending.releaseTables(); // when a step failed: the tables it still held
    }
  }

  /**
   * Reads the step's pending blocks and releases its tables; returns what the next step fills:
   * the same object emptied, or a new one if this one was shared (a late helper may still look).
   */
  private static PendingBlockReads finishStep(PendingBlockReads pending, Executor helper,
      int minShared, Block.Seeker seeker, Consumer<String> hook) {
    if (pending.count() == 0) {
      return pending;
    }
    try {
      pending.run(helper, minShared, seeker, hook);
    } finally {
      pending.releaseTables();
    }
    if (pending.shared()) {
      return pending.next();
    }
    pending.clear();
    return pending;
  }

  /** Index of the first of the sorted {@code userKeys} at or after the user key of {@code ikey}. */
  private static int firstAtOrAfter(byte[][] userKeys, byte[] ikey) {
    int lo = 0;
    int hi = userKeys.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (InternalKeys.compareUserKey(ikey, userKeys[mid]) > 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static void probe(FileMetadata f, byte[][] userKeys, byte[][] seekKeys, long[] hashes,
      byte[][] found, int lo, int hi, TableCache tables, Block.Seeker seeker,
      PendingBlockReads pending) {
    boolean any = false;
    for (int i = lo; i < hi && !any; i++) {
      any = found[i] == null;
    }
    if (!any) {
      return;
    }
    TableReader t = tables.acquire(f.number());
    boolean held = false;
    try {
      if (t.multiGet(userKeys, seekKeys, hashes, found, lo, hi, seeker, pending)) {
        pending.hold(t); // its pending reads need it until the step has run
        held = true;
      }
    } finally {
      if (!held) {
        t.release();
      }
    }
  }

  private static byte[] getFrom(FileMetadata f, byte[] userKey, byte[] seekKey, long hash,
      TableCache tables, boolean fillCache) {
    TableReader t = tables.acquire(f.number());
    try {
      return t.get(userKey, hash, seekKey, fillCache);
    } finally {
      t.release();
    }
  }

  /** Index of the first file of a sorted level whose largest key is at or after {@code target}. */
  public static int findFile(List<FileMetadata> files, byte[] target) {
    return findFile(files, target, 0);
  }

  /** As {@link #findFile(List, byte[])}, knowing the answer is at least {@code from}. */
  static int findFile(List<FileMetadata> files, byte[] target, int from) {
    int lo = from;
    int hi = files.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (InternalKeys.compare(files.get(mid).largest(), target) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** One iterator per level-0 table and one per deeper non-empty level. */
  public void addIterators(List<InternalIterator> out, TableCache tables, boolean fillCache) {
    for (FileMetadata f : levels.get(0)) {
      TableReader t = tables.acquire(f.number());
      try {
        out.add(t.iterator(fillCache));
      } finally {
        t.release();
      }
    }
    for (int level = 1; level < VersionEdit.LEVELS; level++) {
      List<FileMetadata> files = levels.get(level);
      if (!files.isEmpty()) {
        out.add(new TwoLevelIterator(files.size(), i -> {
          TableReader t = tables.acquire(files.get(i).number());
          try {
            return t.iterator(fillCache);
          } finally {
            t.release();
          }
        }, target -> findFile(files, target), null));
      }
    }
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Version{");
    for (int i = 0; i < VersionEdit.LEVELS; i++) {
      if (!levels.get(i).isEmpty()) {
        s.append(" L").append(i).append('=').append(levels.get(i));
      }
    }
    return s.append(" }").toString();
  }
}

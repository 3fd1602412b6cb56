package io.strata.lsm.internal.version;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.RefCount;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.table.TwoLevelIterator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
    for (FileMetadata f : levels.get(0)) {
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
  static int findFile(List<FileMetadata> files, byte[] target) {
    int lo = 0;
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

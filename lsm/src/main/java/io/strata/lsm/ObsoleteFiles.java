package io.strata.lsm;

import io.strata.fs.FileSystem;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.VersionSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes the files of a store that nothing needs any more: tables no live version holds (and
 * that no flush or compaction is still writing), log segments whose writes are all in tables, and
 * manifests older than the current one. Also hands out the numbers of new tables, which it keeps
 * from deletion until the version holding them is installed.
 *
 * <p>Invariant: a table's number enters the pending set before its file is created and leaves it
 * only after a version holding it is installed. So with the directory listed first, then the
 * pending set read, then the live set, every table listed is in one of the two sets unless it is
 * obsolete.
 *
 * <p>Thread-safety: every method may be called from any thread. The pending set is guarded by its
 * own monitor (a leaf: {@link #newOutputNumber} and {@link #installed} may run under the {@code
 * Db}'s mutex); {@code deleting} serializes the deletions themselves and is held while the pending
 * set and the version set are read, but never taken under the {@code Db}'s mutex.
 */
final class ObsoleteFiles {
  private static final System.Logger LOG = System.getLogger(Db.class.getName());

  private final FileSystem fs;
  private final Path dir;
  private final VersionSet versions;
  private final TableCache tables;
  /** Numbers of tables being written, not yet in an installed version. Guarded by itself. */
  private final Set<Long> pending = new HashSet<>();
  /** Held while deleting: one pass at a time. */
  private final Object deleting = new Object();
  /**
   * Set once recovery has succeeded. Until then no file is deleted: a version installed while
   * the manifest is replayed must not make the files of the real one look obsolete, and an open
   * that fails (on damage, say) must leave the directory exactly as it found it.
   */
  private volatile boolean enabled;

  ObsoleteFiles(FileSystem fs, Path dir, VersionSet versions, TableCache tables) {
    this.fs = fs;
    this.dir = dir;
    this.versions = versions;
    this.tables = tables;
  }

  /**
   * A file number for a new table, protected from deletion until {@link #installed} (or the open
   * fails).
   */
  long newOutputNumber() {
    long n = versions.newFileNumber();
    synchronized (pending) {
      pending.add(n);
    }
    return n;
  }

  /** Table {@code number} is in an installed version now (or was never created). */
  void installed(long number) {
    synchronized (pending) {
      pending.remove(number);
    }
  }

  /** Every pending table is in the installed version now (after recovery). */
  void allInstalled() {
    synchronized (pending) {
      pending.clear();
    }
  }

  /** Recovery succeeded: deletions may start. */
  void enable() {
    enabled = true;
  }

  boolean enabled() {
    return enabled;
  }

  /** Deletes tables no live version uses, log segments already flushed, old manifests. */
  void deleteNow() {
    if (!enabled) {
      return;
    }
    synchronized (deleting) {
      List<String> names;
      try {
        names = fs.list(dir);
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "listing " + dir + " failed", e);
        return;
      }
      Set<Long> pendingNow;
      synchronized (pending) {
        pendingNow = new HashSet<>(pending);
      }
      Set<Long> live = versions.liveFiles();
      long logNumber = versions.logNumber();
      long manifest = versions.manifestNumber();
      for (String name : names) {
        FileNames.Parsed p = FileNames.parse(name);
        boolean obsolete = switch (p.kind()) {
          case TABLE -> !live.contains(p.number()) && !pendingNow.contains(p.number());
          case MANIFEST -> p.number() < manifest;
          case WAL -> p.number() < logNumber;
          default -> false;
        };
        if (obsolete) {
          if (p.kind() == FileNames.Kind.TABLE) {
            tables.evict(p.number());
          }
          try {
            fs.delete(dir.resolve(name));
          } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "deleting obsolete " + name + " failed", e);
          }
        }
      }
    }
  }
}

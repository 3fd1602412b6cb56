package io.strata.lsm;

import io.strata.CorruptionException;
import io.strata.StrataException;
import io.strata.fs.FileLock;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.version.FileNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Opening a {@link Db}: {@link #open} takes the directory's lock, builds the {@code Db} (and its
 * {@link Engine}) and runs its recovery; {@link #openReadOnly} takes no lock and starts again when
 * a writer changed the store under it. A failed open releases everything it took ({@link
 * Engine#abandon}) before it throws: nothing of it outlives it.
 *
 * <p>Thread-safety: stateless; any number of threads may open stores at once (two writers of one
 * directory are kept apart by its lock file, not here). A {@code Db} under construction is seen by
 * its opening thread alone until it is returned.
 */
final class Opener {
  /** How often {@link #openReadOnly} starts again when a writer changed the store under it. */
  static final int READ_ONLY_ATTEMPTS = 5;

  private Opener() {}

  /** What {@link Db#open(Path, Options)} does, with test-only knobs. */
  static Db open(Path dir, Options options, TestKnobs knobs) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(knobs, "knobs");
    FileSystem fs = options.fileSystem();
    FileLock lock;
    try {
      fs.createDirectories(dir);
      lock = fs.lock(dir.resolve(FileNames.LOCK));
    } catch (IOException e) {
      throw new StrataException("cannot open " + dir + ": it is in use by another open Db, or"
          + " its lock file cannot be taken (" + e.getMessage() + ")", e);
    }
    Db db = new Db(dir, options, knobs, lock, false);
    try {
      db.engine().recover();
      return db;
    } catch (IOException e) {
      db.engine().abandon(e);
      throw new StrataException("cannot open " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      db.engine().abandon(e);
      throw e;
    }
  }

  /** What {@link Db#openReadOnly(Path, Options)} does. */
  static Db openReadOnly(Path dir, Options options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    FileSystem fs = options.fileSystem();
    for (int attempt = 1; ; attempt++) {
      Db db = new Db(dir, options, TestKnobs.NONE, null, true);
      try {
        db.engine().recoverReadOnly();
        return db;
      } catch (IOException | StrataException e) {
        db.engine().abandon(e);
        boolean noStore = e instanceof StrataException && !(e instanceof CorruptionException)
            && e.getCause() == null;
        if (noStore || attempt >= READ_ONLY_ATTEMPTS) {
          if (e instanceof IOException) {
            throw new StrataException("cannot open " + dir + " read-only: " + e.getMessage()
                + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), e);
          }
          throw (StrataException) e;
        }
        // a writer may have deleted a file between our reading the manifest and opening it
        LockSupport.parkNanos(10_000_000L * attempt);
      } catch (RuntimeException | Error e) {
        db.engine().abandon(e);
        throw e;
      }
    }
  }
}

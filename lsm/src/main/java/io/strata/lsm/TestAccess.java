package io.strata.lsm;

import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionSet;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Test-only: what tests in this package may look at inside a {@link Db} (its versions, its
 * manifest, its directory) and the one thing they may make it do early (delete obsolete files).
 * Nothing else uses it; it is not part of the API. Get one from {@code Db.testAccess()}, the
 * counterpart of {@link TestKnobs} (what tests may set).
 *
 * <p>Thread-safety: as safe as what it reaches; each method says what it holds.
 */
final class TestAccess {
  private final Path dir;
  private final Options options;
  private final VersionSet versions;
  private final ObsoleteFiles obsolete;

  TestAccess(Path dir, Options options, VersionSet versions, ObsoleteFiles obsolete) {
    this.dir = dir;
    this.options = options;
    this.versions = versions;
    this.obsolete = obsolete;
  }

  /** The state the manifest on disk describes, read afresh into a version set writing nothing. */
  VersionSet readManifest() throws IOException {
    VersionSet fresh = new VersionSet(options.fileSystem(), dir, v -> { });
    fresh.recover();
    return fresh;
  }

  /** Compaction pointers as the live version set holds them. */
  byte[] compactPointer(int level) {
    return versions.compactPointer(level);
  }

  /** Deletes obsolete files now instead of when the background gets to it. */
  void deleteObsoleteFilesNow() {
    obsolete.deleteNow();
  }

  /** The current table version, retained: the caller releases it. */
  Version acquireCurrentVersion() {
    return versions.acquireCurrent();
  }

  /** The current table version, not retained (its files may go once a compaction replaces it). */
  Version currentVersion() {
    return versions.current();
  }

  /** The store's directory. */
  Path directory() {
    return dir;
  }

  /** The options the store was opened with. */
  Options options() {
    return options;
  }
}

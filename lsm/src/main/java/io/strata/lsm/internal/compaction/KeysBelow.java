package io.strata.lsm.internal.compaction;

import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import java.util.List;

/**
 * Answers, for user keys given in ascending order, whether any level below a compaction's output
 * level holds a table whose key range contains the key. When none does, the output is the lowest
 * level for that key, and a deletion seen by every reader can be dropped there: nothing older is
 * left for it to hide.
 *
 * <p>Reads one version, which the caller keeps referenced. Keys in a level below the output can
 * only come from the compaction's own inputs, so what the version says stays true while the
 * compaction runs. Not thread-safe; one per compaction run.
 */
public final class KeysBelow {
  private final Version version;
  private final int outputLevel;
  private final int[] next = new int[VersionEdit.LEVELS];

  KeysBelow(Version version, int outputLevel) {
    this.version = version;
    this.outputLevel = outputLevel;
  }

  /** Whether the output level is the lowest holding {@code userKey}; keys must not decrease. */
  public boolean outputIsLowestFor(byte[] userKey) {
    for (int level = outputLevel + 1; level < VersionEdit.LEVELS; level++) {
      List<FileMetadata> files = version.files(level);
      int i = next[level];
      while (i < files.size() && InternalKeys.compareUserKey(files.get(i).largest(), userKey) < 0) {
        i++;
      }
      next[level] = i;
      if (i < files.size() && InternalKeys.compareUserKey(files.get(i).smallest(), userKey) <= 0) {
        return false;
      }
    }
    return true;
  }
}

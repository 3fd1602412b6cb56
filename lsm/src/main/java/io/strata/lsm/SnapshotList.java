package io.strata.lsm;

import io.strata.lsm.internal.compaction.Compaction;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The open snapshots of a {@link Db}: how many are open at each sequence number. Compaction asks
 * for their sequences so that it keeps every version an open snapshot can see.
 *
 * <p>Thread-safety: every method may be called from any thread; the map is guarded by this
 * object's monitor, which is never held while another lock is taken.
 */
final class SnapshotList {
  /** Sequence number to the number of open snapshots there. Guarded by {@code this}. */
  private final TreeMap<Long, Integer> open = new TreeMap<>();

  /** Opens a snapshot of {@code db} at {@code sequence}. */
  synchronized Snapshot open(long sequence, Db db) {
    open.merge(sequence, 1, Integer::sum);
    return new Snapshot(sequence, db);
  }

  /** Forgets one snapshot at {@code s}'s sequence (called once per snapshot, by its close). */
  synchronized void release(Snapshot s) {
    open.computeIfPresent(s.sequenceUnchecked(), (k, n) -> n == 1 ? null : n - 1);
  }

  /** Sequence numbers of the open snapshots, ascending. */
  synchronized List<Long> sequences() {
    return new ArrayList<>(open.keySet());
  }
}

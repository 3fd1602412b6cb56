package io.strata.lsm;

import java.time.Duration;
import java.util.List;

/**
 * Told of every flush and compaction of a {@link Db}, after its result is recorded in the
 * manifest and visible to reads. Set with {@link Options.Builder#listener}.
 *
 * <p>Called on the thread that did the work (a background thread for flushes, the caller's
 * thread for {@link Db#compactRange}); keep it short and do not call back into the {@code Db}
 * from it. An exception it throws is logged and otherwise ignored.
 */
public interface EventListener {

  /** A table written from the memtable. */
  record FlushInfo(TableInfo output, long entries, Duration duration) {}

  /** Tables merged into new ones. */
  record CompactionInfo(int outputLevel, List<TableInfo> inputs, List<TableInfo> outputs,
      long bytesRead, long bytesWritten, Duration duration) {}

  /** A table file: its number (name {@code NNNNNN.sst}), level and size. */
  record TableInfo(long fileNumber, int level, long bytes) {}

  default void onFlushCompleted(FlushInfo info) {}

  default void onCompactionCompleted(CompactionInfo info) {}

  /** Does nothing; the default. */
  EventListener NONE = new EventListener() {};
}

package io.strata.lsm;

import io.strata.CorruptionException;
import io.strata.StrataException;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import io.strata.wal.LogReader;
import io.strata.wal.RecordPosition;
import io.strata.wal.RecoveryMode;
import io.strata.wal.Wal;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opening a store's state for {@link Db#openReadOnly}: as {@link Recovery}, but writing nothing.
 * The manifest gives the version, every table it names must exist, and the log segments from the
 * manifest's log number on are replayed, in order, into one memtable kept in memory; a torn tail
 * of the last segment (a crash, or a writer appending right now) ends the log and is left on disk
 * as it is. No table, manifest or {@code CURRENT} is written, no file is truncated or deleted.
 *
 * <p>Refusals, as in {@link Recovery}: a missing table or oldest unflushed segment, a gap in the
 * segments or the sequence numbers give {@link CorruptionException}; with a live writer they may
 * also mean the writer moved on between two reads, which {@link Db#openReadOnly} answers by
 * starting again.
 *
 * <p>Thread-safety: runs once, on the opening thread; not for concurrent use.
 */
final class ReadOnlyRecovery {
  private final FileSystem fs;
  private final Path dir;
  private final Options options;
  private final VersionSet versions;
  private final Recovery checks;
  private long lastSequence;
  /** How often one segment is read again after it was cut short under the reader. */
  private static final int MAX_SEGMENT_READS = 20;

  ReadOnlyRecovery(FileSystem fs, Path dir, Options options, VersionSet versions,
      Recovery checks) {
    this.fs = fs;
    this.dir = dir;
    this.options = options;
    this.versions = versions;
    this.checks = checks;
  }

  /**
   * Opens every table of the recovered version in {@code tables}, which keeps them open from now
   * on (a read-only cache never closes one), so a writer deleting them later cannot take them away.
   */
  void openEveryTable(TableCache tables) {
    Version v = versions.current();
    for (int level = 0; level < VersionEdit.LEVELS; level++) {
      for (FileMetadata f : v.files(level)) {
        tables.acquire(f.number()).release(); // the cache keeps it open from now on
      }
    }
  }

  /** Recovers the version into the version set and returns the memtable the log replays into. */
  Memtable run() throws IOException {
    if (!versions.exists()) {
      throw new StrataException("cannot open " + dir + " read-only: there is no store (no "
          + FileNames.CURRENT + " file)");
    }
    versions.recover();
    checks.checkTablesExist();
    long logNumber = versions.logNumber();
    List<Long> segments = new ArrayList<>();
    for (long n : Wal.segments(fs, dir)) {
      if (n >= logNumber) {
        segments.add(n);
      }
    }
    if (!segments.isEmpty() && segments.get(0) != logNumber) {
      throw new CorruptionException(Wal.segmentPath(dir, logNumber), 0, "log segment "
          + logNumber + ", the oldest unflushed one according to "
          + FileNames.manifest(dir, versions.manifestNumber()).getFileName()
          + ", is missing, but segment " + segments.get(0) + " exists");
    }
    Memtable replay = Memtable.forWriteBuffer(logNumber, options.writeBufferSize());
    long max = versions.lastSequence();
    long next = -1;
    for (int i = 0; i < segments.size(); i++) {
      long n = segments.get(i);
      if (i > 0 && n != segments.get(i - 1) + 1) {
        throw new CorruptionException(Wal.segmentPath(dir, segments.get(i - 1) + 1), 0,
            "log segment missing: the log jumps from segment " + segments.get(i - 1) + " to " + n);
      }
      // A writer's live segment may be cut to its appended bytes (when it rotates or closes)
      // while this reads it: the file then ends before the size read at its open. The records
      // before the cut do not change, so read it again, skipping the records already applied.
      long applied = 0;
      for (int attempt = 1; ; attempt++) {
        boolean lastSegment = i == segments.size() - 1;
        // the last segment may be the one a writer is appending to: read it as one copy, so
        // that the checks past its tail see the bytes the records were read from
        try (LogReader r = lastSegment
            ? LogReader.openSnapshot(fs, Wal.segmentPath(dir, n), n,
                RecoveryMode.TOLERATE_TRUNCATED_TAIL, true)
            : LogReader.open(fs, Wal.segmentPath(dir, n), n,
                RecoveryMode.TOLERATE_TRUNCATED_TAIL, false)) {
          byte[] record;
          long index = 0;
          while ((record = r.next()) != null) {
            if (index++ < applied) {
              continue;
            }
            long last = checks.applyLogRecord(new RecordPosition(n, r.recordOffset()), record,
                replay, next);
            applied++;
            next = last + 1;
            max = Math.max(max, last);
          }
          break;
        } catch (EOFException cut) {
          if (attempt >= MAX_SEGMENT_READS) {
            throw cut;
          }
        }
      }
    }
    lastSequence = max;
    return replay;
  }

  /** The last sequence number of the recovered state (after {@link #run()}). */
  long lastSequence() {
    return lastSequence;
  }
}

package io.strata.lsm;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import io.strata.wal.RecordPosition;
import io.strata.wal.RecoveryMode;
import io.strata.wal.RecoveryReport;
import io.strata.wal.Wal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Opening a store's state (format in {@code lsm/FORMAT.md}): the manifest named by CURRENT gives
 * the version; every table it names must exist; the log segments from the manifest's log number on
 * are replayed in order into memtables, each written to a level-0 table when full and the last at
 * the end; a record torn at the end of the last segment is dropped with a warning; then a new
 * manifest records the tables and the segment the new log starts at.
 *
 * <p>Refusals (each a {@link CorruptionException} naming the file): CURRENT missing beside store
 * files, a table or the oldest unflushed log segment missing, log records that skip sequence
 * numbers, a record too short for its header or claiming more operations than it holds.
 *
 * <p>Thread-safety: runs once, on the opening thread, before the store is shared; not for
 * concurrent use.
 */
final class Recovery {
  private static final System.Logger LOG = System.getLogger(Db.class.getName());

  /** A log record's header: sequence (8 bytes), count (4 bytes), then the batches' operations. */
  private static final int RECORD_HEADER = 12;

  private final FileSystem fs;
  private final Path dir;
  private final Options options;
  private final VersionSet versions;
  private final ObsoleteFiles obsolete;
  private final Level0Writer level0;

  Recovery(FileSystem fs, Path dir, Options options, VersionSet versions, ObsoleteFiles obsolete,
      Level0Writer level0) {
    this.fs = fs;
    this.dir = dir;
    this.options = options;
    this.versions = versions;
    this.obsolete = obsolete;
    this.level0 = level0;
  }

  /**
   * Replays the manifest and the log: afterwards the version set holds the recovered version,
   * with every write the log held in level-0 tables and a new manifest written, and the returned
   * number is the log segment the store's new log starts at.
   *
   * @throws CorruptionException when a file needed is damaged or missing, or the manifest and the
   *     log are out of step; nothing on disk was changed then except new, unrecorded tables
   */
  long run() throws IOException {
    if (versions.exists()) {
      versions.recover();
      checkTablesExist();
    } else {
      // A store gets CURRENT before its first log segment, so a directory with tables or log
      // segments but no CURRENT has lost it. Manifests alone are what a crash in the middle of
      // creating the store leaves: no write was ever accepted, they are deleted as obsolete.
      for (String name : fs.list(dir)) {
        FileNames.Kind kind = FileNames.parse(name).kind();
        if (kind == FileNames.Kind.TABLE || kind == FileNames.Kind.WAL) {
          throw new CorruptionException(FileNames.current(dir), 0, "CURRENT is missing, but the"
              + " directory holds store files such as " + name);
        }
      }
    }
    // files a crash left behind (an unrecorded flush output, a manifest never made current) keep
    // their numbers until they are deleted below: never write over them
    for (String name : fs.list(dir)) {
      FileNames.Parsed p = FileNames.parse(name);
      if (p.kind() == FileNames.Kind.TABLE || p.kind() == FileNames.Kind.MANIFEST
          || p.kind() == FileNames.Kind.TEMP) {
        versions.markFileNumberUsed(p.number());
      }
    }
    long logNumber = versions.logNumber();
    VersionEdit edit = new VersionEdit();
    long[] maxSequence = {versions.lastSequence()};
    long[] nextSequence = {-1};
    Memtable[] replay = {Memtable.forWriteBuffer(0, options.writeBufferSize())};
    List<IOException> flushErrors = new ArrayList<>();
    // Segments are created in order and deleted oldest first, so the one the manifest says holds
    // the oldest unflushed writes is only ever absent together with every later one (a crash
    // before it was created). Absent with a later one present, the manifest is out of step with
    // the log (it lost records): replaying only the later ones would silently drop writes.
    List<Long> present = Wal.segments(fs, dir);
    long newest = present.isEmpty() ? -1 : present.get(present.size() - 1);
    if (newest > logNumber && !present.contains(logNumber)) {
      throw new CorruptionException(Wal.segmentPath(dir, logNumber), 0, "log segment "
          + logNumber + ", the oldest unflushed one according to "
          + FileNames.manifest(dir, versions.manifestNumber()).getFileName()
          + ", is missing, but segment " + newest + " exists");
    }
    RecoveryReport report = Wal.replay(fs, dir, logNumber, RecoveryMode.TOLERATE_TRUNCATED_TAIL,
        (position, record) -> {
          long last = applyLogRecord(position, record, replay[0], nextSequence[0]);
          nextSequence[0] = last + 1;
          maxSequence[0] = Math.max(maxSequence[0], last);
          if (replay[0].approximateBytes() >= options.writeBufferSize()) {
            try {
              FileMetadata f = level0.write(replay[0], obsolete.newOutputNumber());
              if (f != null) {
                edit.addFile(0, f);
              }
            } catch (IOException e) {
              flushErrors.add(e);
            }
            replay[0] = Memtable.forWriteBuffer(0, options.writeBufferSize());
          }
        });
    if (!flushErrors.isEmpty()) {
      throw flushErrors.get(0);
    }
    if (report.tornTail()) {
      LOG.log(report.droppedOnlyZeros() ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING, "{0}: dropped a torn write-ahead log tail of {1} bytes"
          + " in segment {2} ({3})", dir, report.droppedBytes(), report.tornSegment(),
          report.tornProblem());
    }
    if (!replay[0].isEmpty()) {
      FileMetadata f = level0.write(replay[0], obsolete.newOutputNumber());
      if (f != null) {
        edit.addFile(0, f);
      }
    }
    List<Long> segments = Wal.segments(fs, dir);
    long newSegment = Math.max(logNumber,
        segments.isEmpty() ? 1 : segments.get(segments.size() - 1) + 1);
    edit.logNumber = newSegment;
    edit.lastSequence = maxSequence[0];
    versions.writeNewManifest(edit);
    obsolete.allInstalled(); // the tables written from the log are in the installed version now
    return newSegment;
  }

  /**
   * Every table the recovered version names must be on disk: a missing one (deleted by hand, or
   * named by a manifest whose later records were lost, so that the version is an old one) fails
   * the open here, naming it, rather than a read later. (A table cut short is left to the reads
   * and {@link Db#verifyChecksums()}, which report it with the rest of the damage.)
   */
  void checkTablesExist() throws IOException {
    Set<String> names = new HashSet<>(fs.list(dir));
    Version v = versions.current();
    for (int level = 0; level < v.levels().size(); level++) {
      for (FileMetadata f : v.files(level)) {
        Path table = FileNames.table(dir, f.number());
        if (!names.contains(table.getFileName().toString())) {
          throw new CorruptionException(table, 0, "table of level " + level + " named by "
              + FileNames.manifest(dir, versions.manifestNumber()).getFileName()
              + " is missing");
        }
      }
    }
  }


  /**
   * Inserts one log record (a batch) into {@code into} and returns its last sequence number.
   * Batches are logged in sequence order, so a record that does not start at {@code expected}
   * (when known, i.e. not -1) means records between them are gone: a log file cut short that was
   * not the last, say, which the log format alone cannot see.
   */
  long applyLogRecord(RecordPosition position, byte[] record, Memtable into,
      long expected) {
    Path file = Wal.segmentPath(dir, position.segment());
    ByteSource in = new ByteSource(record, 0, record.length, file, position.offset(),
        "write-ahead log record");
    if (record.length < RECORD_HEADER) {
      throw in.corrupt("record of " + record.length + " bytes is shorter than its header");
    }
    long first = in.longLE();
    int count = in.intLE();
    if (first < 1 || first > InternalKeys.MAX_SEQUENCE || count < 0
        || first + count - 1 > InternalKeys.MAX_SEQUENCE) {
      throw in.corrupt("impossible sequence " + first + " or count " + count);
    }
    if (expected >= 0 && first != expected) {
      throw in.corrupt("batch starts at sequence " + first + ", but the previous one ended at "
          + (expected - 1) + ": the log lost the records between them");
    }
    // every operation takes at least 2 bytes (kind, key length): a count the record cannot hold
    // must not size the arrays the insert allocates
    if (count > in.remaining() / 2) {
      throw in.corrupt(count + " operations cannot fit in " + in.remaining() + " bytes");
    }
    into.insertBatch(in, count, first);
    return first + count - 1;
  }

  /** Deletes the temporary files (a CURRENT being written) a crash left behind. */
  static void deleteTemporaryFiles(FileSystem fs, Path dir) throws IOException {
    for (String name : fs.list(dir)) {
      if (FileNames.parse(name).kind() == FileNames.Kind.TEMP) {
        fs.delete(dir.resolve(name));
      }
    }
  }
}

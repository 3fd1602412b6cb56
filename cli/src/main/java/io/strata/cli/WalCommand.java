package io.strata.cli;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.BatchFormat;
import io.strata.lsm.internal.ByteSource;
import io.strata.wal.LogReader;
import io.strata.wal.RecoveryMode;
import io.strata.wal.Wal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata wal DIR}: every record of every write-ahead log segment in the directory, with
 * segment, offset, size, first sequence number and operation count (and with {@code --ops} the
 * operations), and per segment a torn tail if there is one (where it starts, how many bytes, and
 * whether they are only zeros: the unused end of a memory-mapped segment, no record lost). Reads
 * through the log reader, truncating nothing: {@code strata wal} on a store a writer holds is
 * safe. Exit 1 on damage the log reader does not tolerate (anything but a torn tail of the last
 * segment).
 */
@Command(name = "wal", description = "Show the write-ahead log records, with sequence numbers"
    + " and any torn tail.", mixinStandardHelpOptions = true)
final class WalCommand extends Base {
  @Parameters(paramLabel = "DIR", description = "The store directory.")
  Path dir;

  @Option(names = "--ops", description = "Also list each record's operations.")
  boolean ops;

  @Option(names = "--limit", description = "At most this many records listed (default"
      + " ${DEFAULT-VALUE}; all are counted).", defaultValue = "1000")
  long limit;

  /** Sequence (8 bytes) and count (4 bytes) before a record's operations. */
  private static final int RECORD_HEADER = 12;

  @Override
  public Integer call() throws IOException {
    Bytes bytes = bytes();
    existing(dir, "store directory");
    if (limit < 0) {
      throw new UsageException("--limit must be >= 0, got " + limit);
    }
    FileSystem fs = FileSystem.real();
    List<Long> segments = Wal.segments(fs, dir);
    Doc d = new Doc().put("directory", dir.toString());
    d.list("segments");
    d.list("records");
    long listed = 0;
    long total = 0;
    for (int i = 0; i < segments.size(); i++) {
      long n = segments.get(i);
      Path path = Wal.segmentPath(dir, n);
      Doc seg = d.row("segments").put("segment", n).put("file", path.getFileName().toString());
      long records = 0;
      Long firstSeq = null;
      Long lastSeq = null;
      try (LogReader r = LogReader.open(fs, path, n, RecoveryMode.TOLERATE_TRUNCATED_TAIL,
          i == segments.size() - 1)) {
        byte[] rec;
        while ((rec = r.next()) != null) {
          records++;
          total++;
          if (rec.length < RECORD_HEADER) {
            throw new CorruptionException(path, r.recordOffset(), "record of " + rec.length
                + " bytes is shorter than its header");
          }
          ByteSource in = new ByteSource(rec, 0, rec.length, path, r.recordOffset(),
              "write-ahead log record");
          long first = in.longLE();
          int count = in.intLE();
          if (firstSeq == null) {
            firstSeq = first;
          }
          lastSeq = first + count - 1;
          if (listed < limit) {
            listed++;
            Doc row = d.row("records").put("segment", n).put("offset", r.recordOffset())
                .put("bytes", rec.length).put("sequence", first).put("count", count);
            if (ops) {
              List<Object> list = row.list("ops");
              BatchFormat.iterate(in, count, new BatchFormat.Handler() {
                @Override
                public void put(byte[] b, int ko, int kl, int vo, int vl) {
                  list.add("put " + bytes.show(Arrays.copyOfRange(b, ko, ko + kl)) + " = "
                      + bytes.show(Arrays.copyOfRange(b, vo, vo + vl)));
                }

                @Override
                public void delete(byte[] b, int ko, int kl) {
                  list.add("delete " + bytes.show(Arrays.copyOfRange(b, ko, ko + kl)));
                }
              });
            }
          }
        }
        seg.put("records", records).put("firstSequence", firstSeq).put("lastSequence", lastSeq)
            .put("validBytes", r.validLength());
        if (r.droppedBytes() > 0 || r.tailProblem() != null) {
          seg.put("tornTail", "at " + r.validLength() + ": " + r.droppedBytes() + " bytes dropped"
              + (r.droppedOnlyZeros() ? " (only zeros: no record lost)" : "") + ", "
              + r.tailProblem());
        } else {
          seg.put("tornTail", null);
        }
      }
    }
    d.put("totalRecords", total);
    return emit(d, 0);
  }
}

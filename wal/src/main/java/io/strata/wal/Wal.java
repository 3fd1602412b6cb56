package io.strata.wal;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A write-ahead log: records appended to numbered segment files ({@code 000001.wal}, ...) in one
 * directory, with group commit and rotation. Format in {@code wal/FORMAT.md}.
 *
 * <p>Invariants: segment numbers are consecutive; only the newest segment is written; a segment is
 * synced and closed (a mapped segment cut to its records) before the next one is created, and a
 * new segment's header and directory entry are synced
 * before any record goes into it, so after a crash only the newest segment can end in a torn
 * record. Once an append, a sync or a rotation fails (with an {@link IOException}, or with any
 * other exception or {@link Error}, which is rethrown as it is), the log accepts nothing more
 * ({@link #failure()}): the file may end in a partial record, or an fsync may have dropped data,
 * and only a replay on reopen can tell what is durable.
 *
 * <p>Thread-safety: all methods may be called from any thread. Appends are serialized by one lock
 * and handed to the operating system under it. A {@link Durability#SYNC} append then waits until
 * an fsync covers it; one waiting thread runs the fsync outside the lock for everybody whose record
 * was already written (group commit), while others go on appending.
 */
public final class Wal implements Closeable {

  private static final String SUFFIX = ".wal";

  private final FileSystem fs;
  private final Path dir;
  private final WalOptions options;
  private final RecoveryReport recovery;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition syncFinished = lock.newCondition();

  // Guarded by lock.
  private LogWriter writer;
  private long segment;
  private long appended; // bytes written to all segments by this instance
  private long synced; // prefix of appended known durable
  private boolean syncing;
  private IOException failure;
  private boolean closed;
  private long records;
  private long recordBytes;
  private long syncs;

  private Wal(FileSystem fs, Path dir, WalOptions options, RecoveryReport recovery) {
    this.fs = fs;
    this.dir = dir;
    this.options = options;
    this.recovery = recovery;
  }

  /**
   * Opens the log in {@code dir} (created if absent): replays every existing segment in order into
   * {@code consumer}, truncates a torn tail according to {@link WalOptions#recoveryMode()}, and
   * starts appending to a new segment after the last one.
   *
   * @throws CorruptionException when the log is damaged beyond what the recovery mode tolerates
   */
  public static Wal open(FileSystem fs, Path dir, WalOptions options, RecordConsumer consumer)
      throws IOException {
    Objects.requireNonNull(fs, "fs");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(consumer, "consumer");
    fs.createDirectories(dir);
    List<Long> existing = segments(fs, dir);
    long first = existing.isEmpty() ? 1 : existing.get(0);
    RecoveryReport report = replay(fs, dir, first, options.recoveryMode(), consumer);
    long next = existing.isEmpty() ? 1 : existing.get(existing.size() - 1) + 1;
    Wal wal = new Wal(fs, dir, options, report);
    wal.start(next);
    return wal;
  }

  /**
   * Starts a log whose first segment is {@code firstSegment}, which must not exist yet. Replay any
   * older segments with {@link #replay} first.
   */
  public static Wal create(FileSystem fs, Path dir, long firstSegment, WalOptions options)
      throws IOException {
    Objects.requireNonNull(fs, "fs");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    if (firstSegment < 1) {
      throw new IllegalArgumentException("segment numbers start at 1, was " + firstSegment);
    }
    fs.createDirectories(dir);
    Wal wal = new Wal(fs, dir, options, null);
    wal.start(firstSegment);
    return wal;
  }

  private void start(long number) throws IOException {
    writer = createSegment(number);
    segment = number;
  }

  private LogWriter createSegment(long number) throws IOException {
    Path path = segmentPath(dir, number);
    if (fs.exists(path)) {
      throw new FileAlreadyExistsException(path.toString(), null, "WAL segment exists already");
    }
    LogWriter w = LogWriter.create(fs, path, number, true);
    try {
      w.sync();
      fs.syncDirectory(dir);
    } catch (Throwable e) {
      try {
        w.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return w;
  }

  /**
   * Reads every record of segments numbered {@code fromSegment} and up, in order. In {@link
   * RecoveryMode#TOLERATE_TORN_TAIL} a torn tail of the last segment is truncated (and synced) so
   * that later appends and replays see a clean log.
   *
   * @throws CorruptionException on damage the mode does not tolerate, or a missing segment
   */
  public static RecoveryReport replay(
      FileSystem fs, Path dir, long fromSegment, RecoveryMode mode, RecordConsumer consumer)
      throws IOException {
    List<Long> all = segments(fs, dir);
    List<Long> numbers = new ArrayList<>();
    for (long n : all) {
      if (n >= fromSegment) {
        numbers.add(n);
      }
    }
    long records = 0;
    long bytes = 0;
    for (int i = 0; i < numbers.size(); i++) {
      long n = numbers.get(i);
      if (i > 0 && n != numbers.get(i - 1) + 1) {
        throw new CorruptionException(segmentPath(dir, numbers.get(i - 1) + 1), 0,
            "WAL segment missing: the log jumps from segment " + numbers.get(i - 1) + " to " + n);
      }
      boolean last = i == numbers.size() - 1;
      Path path = segmentPath(dir, n);
      try (LogReader r = LogReader.open(fs, path, n, mode, last)) {
        byte[] rec;
        while ((rec = r.next()) != null) {
          records++;
          bytes += rec.length;
          consumer.accept(new RecordPosition(n, r.recordOffset()), rec);
        }
        if (r.droppedBytes() > 0 || r.tailProblem() != null) {
          truncateTornTail(fs, path, n, r.validLength());
          return new RecoveryReport(numbers.size(), records, bytes, n, r.droppedBytes(), n,
              r.validLength(), r.tailProblem(), r.droppedOnlyZeros());
        }
      }
    }
    long lastSegment = numbers.isEmpty() ? -1 : numbers.get(numbers.size() - 1);
    return new RecoveryReport(numbers.size(), records, bytes, lastSegment, 0, -1, -1, null,
        false);
  }

  private static void truncateTornTail(FileSystem fs, Path path, long number, long validLength)
      throws IOException {
    try (var f = fs.openForAppend(path)) {
      if (validLength < LogFormat.FILE_HEADER_SIZE) {
        // the segment was torn while it was created: give it back a whole header
        f.truncate(0);
        f.append(java.nio.ByteBuffer.wrap(LogFormat.fileHeader(number)));
      } else {
        f.truncate(validLength);
      }
      f.sync();
    }
  }

  /** The numbers of the segment files in {@code dir}, ascending. */
  public static List<Long> segments(FileSystem fs, Path dir) throws IOException {
    List<Long> numbers = new ArrayList<>();
    if (!fs.exists(dir)) {
      return numbers;
    }
    for (String name : fs.list(dir)) {
      long n = parseSegmentName(name);
      if (n >= 0) {
        numbers.add(n);
      }
    }
    numbers.sort(null);
    return numbers;
  }

  /** The file of segment {@code number}: {@code dir/NNNNNN.wal}, at least six digits. */
  public static Path segmentPath(Path dir, long number) {
    return dir.resolve(String.format("%06d%s", number, SUFFIX));
  }

  /** The segment number a file name denotes, or -1 when it is not a segment name. */
  public static long parseSegmentName(String name) {
    if (!name.endsWith(SUFFIX) || name.length() < 6 + SUFFIX.length()) {
      return -1;
    }
    String digits = name.substring(0, name.length() - SUFFIX.length());
    if (digits.length() > 18) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(digits);
  }

  /** Appends a record; see {@link #append(byte[], int, int, Durability)}. */
  public RecordPosition append(byte[] record, Durability durability) throws IOException {
    return append(record, 0, record.length, durability);
  }

  /**
   * Appends {@code record[offset, offset+length)} as one record. With {@link Durability#NONE} it
   * returns once the operating system has the bytes; with {@link Durability#SYNC} once they are on
   * stable storage.
   *
   * @throws IOException when the write or the fsync fails; the log then accepts nothing more
   * @throws IllegalArgumentException when {@code length} exceeds {@link
   *     WalOptions#maxRecordBytes()}; nothing is written and the log stays usable
   * @throws IllegalStateException after {@link #close()}
   */
  public RecordPosition append(byte[] record, int offset, int length, Durability durability)
      throws IOException {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(durability, "durability");
    Objects.checkFromIndexSize(offset, length, record.length);
    if (length > options.maxRecordBytes()) {
      throw new IllegalArgumentException("record of " + length + " bytes exceeds maxRecordBytes,"
          + " the write-ahead log's limit of " + options.maxRecordBytes() + " bytes");
    }
    lock.lock();
    try {
      checkUsable();
      if (writer.size() > LogFormat.FILE_HEADER_SIZE
          && writer.size() + framedSize(length) > options.segmentSize()) {
        rotateLocked();
      }
      long before = writer.size();
      long at;
      try {
        at = writer.append(record, offset, length);
      } catch (IOException e) {
        throw fail("append to " + writer.path() + " failed", e);
      } catch (RuntimeException | Error e) {
        fail("append to " + writer.path() + " failed", new IOException(e));
        throw e;
      }
      appended += writer.size() - before;
      records++;
      recordBytes += length;
      RecordPosition position = new RecordPosition(segment, at);
      if (durability == Durability.SYNC) {
        awaitSynced(appended);
      }
      return position;
    } finally {
      lock.unlock();
    }
  }

  /** Makes every record appended so far durable. */
  public void sync() throws IOException {
    lock.lock();
    try {
      checkUsable();
      awaitSynced(appended);
    } finally {
      lock.unlock();
    }
  }

  /** Waits, with the lock held, until {@code target} bytes are durable, running fsyncs as needed. */
  private void awaitSynced(long target) throws IOException {
    while (synced < target) {
      if (failure != null) {
        throw new IOException("the write-ahead log failed before this record was known to be"
            + " durable; it may or may not survive a crash", failure);
      }
      if (syncing) {
        syncFinished.awaitUninterruptibly();
        continue;
      }
      syncing = true;
      long upTo = appended;
      LogWriter w = writer;
      IOException error = null;
      Throwable unchecked = null;
      lock.unlock();
      try {
        w.sync();
      } catch (IOException e) {
        error = e;
      } catch (RuntimeException | Error e) {
        // never retried as if it could succeed, however it failed
        error = new IOException(e);
        unchecked = e;
      } finally {
        lock.lock();
        syncing = false;
        syncFinished.signalAll();
      }
      if (unchecked != null) {
        fail("fsync of " + w.path() + " failed", error);
        throwUnchecked(unchecked);
      }
      if (error != null) {
        throw fail("fsync of " + w.path() + " failed", error);
      }
      synced = Math.max(synced, upTo);
      syncs++;
    }
  }

  /**
   * Closes the current segment (synced) and starts the next; returns the new segment's number.
   * Records appended afterwards go to the new segment.
   */
  public long rotate() throws IOException {
    lock.lock();
    try {
      checkUsable();
      rotateLocked();
      return segment;
    } finally {
      lock.unlock();
    }
  }

  private void rotateLocked() throws IOException {
    while (syncing) {
      syncFinished.awaitUninterruptibly();
    }
    checkUsable();
    try {
      rotateSteps();
    } catch (RuntimeException | Error e) {
      // whichever step it was, the old segment may be closed or unsynced: stop here
      fail("rotating the write-ahead log failed", new IOException(e));
      throw e;
    }
  }

  private void rotateSteps() throws IOException {
    LogWriter old = writer;
    try {
      old.sync();
    } catch (IOException e) {
      throw fail("fsync of " + old.path() + " before rotation failed", e);
    }
    synced = appended;
    syncs++;
    try {
      // closing cuts a mapped segment to its records and syncs that, before a later segment exists
      old.close();
    } catch (IOException e) {
      throw fail("closing " + old.path() + " before rotation failed", e);
    }
    try {
      writer = createSegment(segment + 1);
    } catch (IOException e) {
      throw fail("creating WAL segment " + (segment + 1) + " failed", e);
    }
    segment++;
  }

  /**
   * Deletes the segments numbered below {@code segmentNumber} (never the current one), once their
   * records are safe elsewhere. Returns how many were deleted.
   */
  public int deleteSegmentsBefore(long segmentNumber) throws IOException {
    long current;
    lock.lock();
    try {
      current = segment;
    } finally {
      lock.unlock();
    }
    int deleted = 0;
    for (long n : segments(fs, dir)) {
      if (n < segmentNumber && n < current && fs.delete(segmentPath(dir, n))) {
        deleted++;
      }
    }
    if (deleted > 0) {
      fs.syncDirectory(dir);
    }
    return deleted;
  }

  private static long framedSize(int length) {
    int payloadPerBlock = LogFormat.BLOCK_SIZE - LogFormat.FRAGMENT_HEADER_SIZE;
    long fragments = Math.max(1, (length + (long) payloadPerBlock - 1) / payloadPerBlock);
    return length + (fragments + 1) * LogFormat.FRAGMENT_HEADER_SIZE;
  }

  private void checkUsable() throws IOException {
    if (closed) {
      throw new IllegalStateException("write-ahead log in " + dir + " is closed");
    }
    if (failure != null) {
      throw new IOException("write-ahead log in " + dir
          + " failed earlier and accepts no more records until it is reopened", failure);
    }
  }

  private static void throwUnchecked(Throwable t) {
    if (t instanceof Error) {
      throw (Error) t;
    }
    throw (RuntimeException) t;
  }

  private IOException fail(String what, IOException cause) {
    if (failure == null) {
      failure = cause;
    }
    syncFinished.signalAll();
    return new IOException(what + "; the write-ahead log accepts no more records until reopened",
        cause);
  }

  /** The segment records are appended to now. */
  public long currentSegment() {
    lock.lock();
    try {
      return segment;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes this instance wrote to segment files (framing and padding included). */
  public long bytesWritten() {
    lock.lock();
    try {
      return appended;
    } finally {
      lock.unlock();
    }
  }

  /** Records appended by this instance. */
  public long recordsAppended() {
    lock.lock();
    try {
      return records;
    } finally {
      lock.unlock();
    }
  }

  /** Payload bytes of the records appended by this instance. */
  public long recordBytesAppended() {
    lock.lock();
    try {
      return recordBytes;
    } finally {
      lock.unlock();
    }
  }

  /** Number of fsyncs of segment files this instance completed. */
  public long syncCount() {
    lock.lock();
    try {
      return syncs;
    } finally {
      lock.unlock();
    }
  }

  /** The error that stopped this log, or null while it is healthy. */
  public IOException failure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  /** What the replay in {@link #open} found; null for a log made by {@link #create}. */
  public RecoveryReport recoveryReport() {
    return recovery;
  }

  /** The directory holding the segments. */
  public Path directory() {
    return dir;
  }

  /**
   * Syncs the current segment (unless the log has failed) and closes it. Idempotent; appends
   * afterwards throw {@link IllegalStateException}.
   */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      while (syncing) {
        syncFinished.awaitUninterruptibly();
      }
      closed = true;
      try {
        if (failure == null) {
          writer.sync();
        }
      } finally {
        writer.close();
      }
    } finally {
      lock.unlock();
    }
  }
}

package io.strata.lsm.internal.compaction;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import io.strata.fs.WritableFile;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.MergingIterator;
import io.strata.lsm.internal.table.TableBuilder;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.table.TableOptions;
import io.strata.lsm.internal.table.TableProperties;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Runs one {@link CompactionJob}: merges its input tables into new tables of the output level,
 * keeping only the versions {@link CompactionOutput} says a reader may still need, compressed as
 * {@link CompactionOptions#compressionFor} says for the output level. An output is
 * cut at the target size; earlier, once it holds a quarter of the target, where a table of the
 * level below the output (a grandparent) ends, so that outputs line up with the tables they will
 * later be compacted into; and earlier still where it would overlap more than {@link
 * CompactionPicker#maxGrandparentOverlap} bytes of grandparents. Never between two versions of
 * one user key (so lookups in a sorted level find every version of a key in one table).
 *
 * <p>Runs on one thread. The outputs are synced, with their directory entry, before {@link #run}
 * returns; recording them (and dropping the inputs) is the caller's manifest edit. Until then they
 * are unreferenced files that a crash leaves for the next open to delete.
 */
public final class Compaction {
  /** An input table and the level it comes from. */
  public record Input(int level, FileMetadata file) {}

  private final FileSystem fs;
  private final Path dir;
  private final CompactionOptions options;
  private final TableCache tables;
  private final LongSupplier newFileNumber;
  private final BooleanSupplier cancelled;

  private long bytesRead;
  private long bytesWritten;

  /** @param cancelled polled while running; when true the run stops and deletes its outputs */
  public Compaction(FileSystem fs, Path dir, CompactionOptions options, TableCache tables,
      LongSupplier newFileNumber, BooleanSupplier cancelled) {
    this.fs = fs;
    this.dir = dir;
    this.options = options;
    this.tables = tables;
    this.newFileNumber = newFileNumber;
    this.cancelled = cancelled;
  }

  /**
   * Merges the job's inputs into tables for its output level.
   *
   * @param snapshots sequences of the open snapshots
   * @param lowestLevelFor whether the output level is the lowest holding a user key (asked in
   *     ascending key order)
   * @param maxGrandparentOverlap bytes of grandparent tables one output may overlap
   */
  public List<FileMetadata> run(CompactionJob job, List<Long> snapshots,
      Predicate<byte[]> lowestLevelFor, long maxGrandparentOverlap) throws IOException {
    List<InternalIterator> children = new ArrayList<>();
    try {
      for (Input in : job.inputs) {
        TableReader t = tables.acquire(in.file().number());
        try {
          checkMatchesManifest(t, in.file());
          children.add(t.iterator(false));
        } finally {
          t.release();
        }
        bytesRead += in.file().fileSize();
      }
    } catch (RuntimeException | Error e) {
      children.forEach(InternalIterator::close); // the inputs opened so far
      throw e;
    }
    List<FileMetadata> outputs = new ArrayList<>();
    // the output level's compression (Options.compressionPerLevel) under the job's version
    TableOptions table = options.tableFor(job.outputLevel,
        new CompactionPicker(options).targets(job.version).baseLevel());
    CompactionOutput filter = new CompactionOutput(snapshots, lowestLevelFor);
    List<FileMetadata> grandparents = job.grandparents;
    int grandparent = 0;
    long overlap = 0;
    Output out = null;
    try (MergingIterator it = new MergingIterator(children)) {
      // the last key kept and the last key merged (kept or not), copied out of the iterator
      KeyBuffer previous = new KeyBuffer();
      KeyBuffer last = new KeyBuffer();
      int sinceCheck = 0;
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (++sinceCheck == 1024) {
          sinceCheck = 0;
          if (cancelled.getAsBoolean()) {
            throw new CompactionCancelledException();
          }
        }
        byte[] k = it.keyArray();
        int ko = it.keyOffset();
        int kl = it.keyLength();
        if (last.length >= 0
            && InternalKeys.compare(last.bytes, 0, last.length, k, ko, kl) >= 0) {
          throw misordered(job, last.copy(), Arrays.copyOfRange(k, ko, ko + kl));
        }
        FileMetadata source = job.inputs.get(it.currentChild()).file();
        if (InternalKeys.compare(k, ko, kl, source.smallest()) < 0
            || InternalKeys.compare(k, ko, kl, source.largest()) > 0) {
          // outputs would overlap tables of the level that are not inputs
          throw new CorruptionException(FileNames.table(dir, source.number()), 0, "holds "
              + InternalKeys.describe(Arrays.copyOfRange(k, ko, ko + kl)) + ", outside the range "
              + InternalKeys.describe(source.smallest()) + ".." + InternalKeys.describe(
                  source.largest()) + " the manifest recorded for it");
        }
        last.set(k, ko, kl);
        if (!filter.keep(k, ko, kl)) {
          continue;
        }
        int userLength = kl - InternalKeys.TRAILER_BYTES;
        boolean newUserKey = previous.length < 0 || !Arrays.equals(previous.bytes, 0,
            previous.length - InternalKeys.TRAILER_BYTES, k, ko, ko + userLength);
        boolean crossed = false; // the current output ends in one grandparent, this key is past it
        if (newUserKey) {
          // grandparent tables wholly before this key count against the current output
          while (grandparent < grandparents.size()) {
            byte[] largest = grandparents.get(grandparent).largest();
            if (Arrays.compareUnsigned(largest, 0, largest.length - InternalKeys.TRAILER_BYTES,
                k, ko, ko + userLength) >= 0) {
              break;
            }
            if (out != null) {
              overlap += grandparents.get(grandparent).fileSize();
              crossed = true;
            }
            grandparent++;
          }
        }
        if (out != null && newUserKey) {
          long size = out.builder.estimatedSize();
          if (size >= options.targetFileSize() || overlap > maxGrandparentOverlap
              || (crossed && size >= options.targetFileSize() / 4)) {
            outputs.add(out.finish());
            out = null;
          }
        }
        if (out == null) {
          out = new Output(newFileNumber.getAsLong(), table);
          overlap = 0;
        }
        out.builder.add(k, ko, kl, it.valueArray(), it.valueOffset(), it.valueLength());
        previous.set(k, ko, kl);
      }
      if (out != null) {
        outputs.add(out.finish());
        out = null;
      }
    } catch (IOException | RuntimeException | Error e) {
      if (out != null) {
        out.abandon(e);
      }
      for (FileMetadata f : outputs) {
        try {
          fs.delete(FileNames.table(dir, f.number()));
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    if (!outputs.isEmpty()) {
      fs.syncDirectory(dir);
    }
    return outputs;
  }

  /**
   * A table whose size or key range is not what the manifest recorded (a file replaced by
   * another) would make the outputs overlap their neighbours in the level: refuse it as damage.
   */
  private static void checkMatchesManifest(TableReader t, FileMetadata f) {
    TableProperties p = t.properties();
    if (t.fileSize() != f.fileSize() || !java.util.Arrays.equals(p.smallestKey(), f.smallest())
        || !java.util.Arrays.equals(p.largestKey(), f.largest())) {
      throw new CorruptionException(t.path(), 0, "table of " + t.fileSize() + " bytes holds keys "
          + InternalKeys.describe(p.smallestKey()) + ".." + InternalKeys.describe(p.largestKey())
          + ", the manifest recorded " + f.fileSize() + " bytes and "
          + InternalKeys.describe(f.smallest()) + ".." + InternalKeys.describe(f.largest()));
    }
  }

  /**
   * The merge of sorted inputs went backwards: an input table is damaged (in a way its checksums
   * do not catch). Names the damaged block when a full check of the inputs finds it.
   */
  private CorruptionException misordered(CompactionJob job, byte[] before, byte[] after) {
    for (Input in : job.inputs) {
      TableReader t = tables.acquire(in.file().number());
      try {
        List<CorruptionException> problems = t.verifyChecksums();
        if (!problems.isEmpty()) {
          return problems.get(0);
        }
      } finally {
        t.release();
      }
    }
    return new CorruptionException(FileNames.table(dir, job.inputs.get(0).file().number()), 0,
        "compaction inputs are out of order: " + InternalKeys.describe(before) + " then "
            + InternalKeys.describe(after) + " (input tables " + job.inputs.stream()
                .map(i -> Long.toString(i.file().number())).toList() + ")");
  }

  public long bytesRead() {
    return bytesRead;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  /** One output table being written. */
  private final class Output {
    final long number;
    final Path path;
    final WritableFile file;
    final TableBuilder builder;

    Output(long number, TableOptions table) throws IOException {
      this.number = number;
      this.path = FileNames.table(dir, number);
      this.file = fs.create(path);
      this.builder = new TableBuilder(file, table);
    }

    FileMetadata finish() throws IOException {
      TableProperties p = builder.finish();
      file.sync();
      file.close();
      bytesWritten += builder.fileSize();
      return new FileMetadata(number, builder.fileSize(), p.smallestKey(), p.largestKey(),
          p.minSequence(), p.maxSequence(), p.entries());
    }

    void abandon(Throwable cause) {
      try {
        file.close();
        fs.delete(path);
      } catch (IOException suppressed) {
        cause.addSuppressed(suppressed);
      }
    }
  }

  /** A key copied out of an iterator into an array reused from key to key; none while negative. */
  static final class KeyBuffer {
    byte[] bytes = new byte[64];
    int length = -1;

    void set(byte[] k, int offset, int kLength) {
      if (kLength > bytes.length) {
        bytes = new byte[Math.max(kLength, 2 * bytes.length)];
      }
      System.arraycopy(k, offset, bytes, 0, kLength);
      length = kLength;
    }

    byte[] copy() {
      return Arrays.copyOf(bytes, length);
    }
  }
}

package io.strata.lsm;

import io.strata.wal.fs.FileSystem;
import io.strata.wal.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One compaction: merges input tables into new tables of one output level, keeping only the
 * versions {@link CompactionOutput} says a reader may still need, and cutting outputs at the
 * target size, but never between two versions of one user key (so lookups in a sorted level find
 * every version of a key in one table).
 *
 * <p>Runs on one thread. The outputs are synced, with their directory entry, before {@link #run}
 * returns; recording them (and dropping the inputs) is the caller's manifest edit. Until then they
 * are unreferenced files that a crash leaves for the next open to delete.
 */
final class Compaction {
  /** An input table and the level it comes from. */
  record Input(int level, FileMetadata file) {}

  private final FileSystem fs;
  private final Path dir;
  private final Options options;
  private final TableCache tables;
  private final LongSupplier newFileNumber;

  private long bytesRead;
  private long bytesWritten;

  Compaction(FileSystem fs, Path dir, Options options, TableCache tables,
      LongSupplier newFileNumber) {
    this.fs = fs;
    this.dir = dir;
    this.options = options;
    this.tables = tables;
    this.newFileNumber = newFileNumber;
  }

  /**
   * Merges {@code inputs} (level-0 tables newest first, then deeper levels) into tables for one
   * level. {@code bottommost}: no level below the output holds these keys.
   */
  List<FileMetadata> run(List<Input> inputs, List<Long> snapshots, boolean bottommost)
      throws IOException {
    List<InternalIterator> children = new ArrayList<>();
    for (Input in : inputs) {
      TableReader t = tables.acquire(in.file().number());
      try {
        children.add(t.iterator(false));
      } finally {
        t.release();
      }
      bytesRead += in.file().fileSize();
    }
    List<FileMetadata> outputs = new ArrayList<>();
    CompactionOutput filter = new CompactionOutput(snapshots, bottommost);
    Output out = null;
    try (MergingIterator it = new MergingIterator(children)) {
      byte[] previous = null;
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (!filter.keep(key)) {
          continue;
        }
        boolean newUserKey = previous == null || !InternalKeys.sameUserKey(previous, key);
        if (out != null && newUserKey && out.builder.estimatedSize() >= options.targetFileSize()) {
          outputs.add(out.finish());
          out = null;
        }
        if (out == null) {
          out = new Output(newFileNumber.getAsLong());
        }
        out.builder.add(key, it.value());
        previous = key;
      }
      if (out != null) {
        outputs.add(out.finish());
        out = null;
      }
    } catch (IOException | RuntimeException e) {
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

  long bytesRead() {
    return bytesRead;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  /** One output table being written. */
  private final class Output {
    final long number;
    final Path path;
    final WritableFile file;
    final TableBuilder builder;

    Output(long number) throws IOException {
      this.number = number;
      this.path = FileNames.table(dir, number);
      this.file = fs.create(path);
      this.builder = new TableBuilder(file, options);
    }

    FileMetadata finish() throws IOException {
      TableProperties p = builder.finish();
      file.sync();
      file.close();
      bytesWritten += builder.fileSize();
      return new FileMetadata(number, builder.fileSize(), p.smallestKey(), p.largestKey(),
          p.minSequence(), p.maxSequence(), p.entries());
    }

    void abandon(Exception cause) {
      try {
        file.close();
        fs.delete(path);
      } catch (IOException suppressed) {
        cause.addSuppressed(suppressed);
      }
    }
  }
}

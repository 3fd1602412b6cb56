package io.strata.lsm;

import io.strata.fs.FileSystem;
import io.strata.fs.WritableFile;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.TableBuilder;
import io.strata.lsm.internal.table.TableOptions;
import io.strata.lsm.internal.table.TableProperties;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a memtable to a level-0 table: what a flush does, and what recovery does with the
 * writes it replays from the log.
 *
 * <p>Thread-safety: stateless apart from its settings; any number of threads may write tables at
 * once, each its own memtable (which must no longer change) to its own table number.
 */
final class Level0Writer {
  private final FileSystem fs;
  private final Path dir;
  private final TableOptions table;

  Level0Writer(FileSystem fs, Path dir, TableOptions table) {
    this.fs = fs;
    this.dir = dir;
    this.table = table;
  }

  /**
   * Writes a memtable to table {@code number}, synced, with its directory entry synced. Returns
   * its metadata, or null (and no file) when the memtable is empty.
   */
  FileMetadata write(Memtable m, long number) throws IOException {
    if (m.isEmpty()) {
      return null;
    }
    Path path = FileNames.table(dir, number);
    TableProperties props;
    long size;
    try (WritableFile out = fs.create(path); InternalIterator it = m.iterator()) {
      TableBuilder b = new TableBuilder(out, table);
      for (it.seekToFirst(); it.isValid(); it.next()) {
        b.add(it.keyArray(), it.keyOffset(), it.keyLength(), it.valueArray(), it.valueOffset(),
            it.valueLength());
      }
      props = b.finish();
      size = b.fileSize();
      out.sync();
    } catch (IOException | RuntimeException | Error e) {
      try {
        fs.delete(path);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    fs.syncDirectory(dir);
    return new FileMetadata(number, size, props.smallestKey(), props.largestKey(),
        props.minSequence(), props.maxSequence(), props.entries());
  }
}

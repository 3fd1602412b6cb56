package io.strata.lsm;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import io.strata.fs.ReadableFile;
import io.strata.fs.WritableFile;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.TableBuilder;
import io.strata.lsm.internal.table.TableOptions;
import io.strata.lsm.internal.table.TableProperties;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.Version;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Writes a checkpoint for {@link Db#checkpoint}: a store of its own in a new directory holding
 * exactly the state a read view showed at one sequence number.
 *
 * <p>Order (so that an interrupted checkpoint is never taken for a store): a directory under a
 * temporary sibling name ({@code <target>.checkpoint-<hex>}) holding the marker file {@value
 * #MARKER}, synced and renamed to the target, so the target never exists without
 * the marker (a crash before the rename leaves that small sibling behind, and no target); the
 * version's tables hard-linked (copied
 * where the file system refuses links); the memtables' entries up to the sequence number written
 * as level-0 tables, synced; a manifest naming all of them and then {@code CURRENT}; the marker
 * deleted last. Every open refuses a directory holding the marker. Nothing is written in the
 * source directory; a hard link adds a name to a table file, whose bytes never change.
 *
 * <p>Thread-safety: one instance per checkpoint, used by one thread. The caller keeps the version
 * and the memtables referenced meanwhile, so that none of the tables is deleted under it.
 */
final class Checkpoint {
  /**
   * The file a checkpoint writes first and deletes last: a directory holding it is an interrupted
   * checkpoint, which every open refuses.
   */
  static final String MARKER = "CHECKPOINT-INCOMPLETE";

  /** Refuses to open {@code dir} when it is an interrupted checkpoint (it holds the marker). */
  static void refuseIncomplete(FileSystem fs, Path dir) throws IOException {
    Path marker = dir.resolve(MARKER);
    if (fs.exists(marker)) {
      throw new CorruptionException(marker, 0, dir + " is an incomplete checkpoint (the"
          + " checkpoint was interrupted before it finished): delete it and take the checkpoint"
          + " again");
    }
  }

  private final FileSystem fs;
  private final Path source;
  private final Path target;
  private final TableOptions tableOptions;
  private final long maxManifestBytes;
  private final Consumer<String> hook;

  Checkpoint(FileSystem fs, Path source, Path target, TableOptions tableOptions,
      long maxManifestBytes, Consumer<String> hook) {
    this.fs = fs;
    this.source = source;
    this.target = target;
    this.tableOptions = tableOptions;
    this.maxManifestBytes = maxManifestBytes;
    this.hook = hook;
  }

  /**
   * Writes the checkpoint of {@code version} plus the entries of {@code imm} (may be null) and
   * {@code mem} up to {@code sequence}; new table numbers come from {@code numbers} (above every
   * number of the version).
   */
  void write(Version version, Memtable imm, Memtable mem, long sequence, LongSupplier numbers)
      throws IOException {
    // The target appears at once with the marker in it: made under a temporary name, renamed.
    Path absolute = target.toAbsolutePath();
    Path parent = absolute.getParent();
    Path staging = absolute.resolveSibling(absolute.getFileName() + ".checkpoint-"
        + Long.toHexString(System.nanoTime()));
    fs.createDirectories(staging);
    try (WritableFile f = fs.create(staging.resolve(MARKER))) {
      f.sync();
    }
    fs.syncDirectory(staging);
    fs.syncDirectory(parent);
    fs.rename(staging, target);
    fs.syncDirectory(parent);
    Path marker = target.resolve(MARKER);
    hook.accept("checkpoint-marker-written");
    VersionEdit edit = new VersionEdit();
    long maxNumber = 1;
    long maxSequence = sequence;
    for (int level = 0; level < VersionEdit.LEVELS; level++) {
      for (FileMetadata f : version.files(level)) {
        linkOrCopy(FileNames.table(source, f.number()), FileNames.table(target, f.number()));
        edit.addFile(level, f);
        maxNumber = Math.max(maxNumber, f.number());
        maxSequence = Math.max(maxSequence, f.maxSequence());
      }
    }
    // the frozen memtable is older than the mutable one: it gets the lower number
    for (Memtable m : imm == null ? List.of(mem) : List.of(imm, mem)) {
      long number = numbers.getAsLong();
      FileMetadata f = writeTable(m, number, sequence);
      if (f != null) {
        edit.addFile(0, f);
      }
      maxNumber = Math.max(maxNumber, number);
    }
    fs.syncDirectory(target);
    hook.accept("checkpoint-tables-written");
    VersionSet copy = new VersionSet(fs, target, unused -> { }, maxManifestBytes);
    try {
      copy.markFileNumberUsed(maxNumber);
      edit.logNumber = 1L; // the copy has no log segment yet
      edit.lastSequence = maxSequence;
      copy.writeNewManifest(edit); // the manifest, synced, then CURRENT
    } finally {
      copy.close();
    }
    hook.accept("checkpoint-current-written");
    fs.delete(marker);
    fs.syncDirectory(target);
  }

  /** Hard-links {@code from} as {@code to}, or copies it (synced) where links fail. */
  private void linkOrCopy(Path from, Path to) throws IOException {
    try {
      fs.link(from, to);
      return;
    } catch (UnsupportedOperationException | IOException noLink) {
      fs.delete(to); // whatever a failed link left
    }
    try (ReadableFile in = fs.openForRead(from); WritableFile out = fs.create(to)) {
      long size = in.size();
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      for (long pos = 0; pos < size; ) {
        buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
        in.readFully(pos, buf);
        buf.flip();
        pos += buf.remaining();
        out.append(buf);
      }
      out.sync();
    }
  }

  /**
   * Writes the entries of {@code m} with sequence numbers up to {@code maxSequence} to table
   * {@code number}, synced. Returns its metadata, or null (and no file) when none qualifies.
   */
  private FileMetadata writeTable(Memtable m, long number, long maxSequence) throws IOException {
    Path path = FileNames.table(target, number);
    TableProperties props = null;
    long size = 0;
    try (WritableFile out = fs.create(path); InternalIterator it = m.iterator()) {
      TableBuilder b = new TableBuilder(out, tableOptions);
      boolean any = false;
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.keyArray();
        int ko = it.keyOffset();
        int kl = it.keyLength();
        if (InternalKeys.trailer(k, ko + kl) >>> 8 <= maxSequence) {
          b.add(k, ko, kl, it.valueArray(), it.valueOffset(), it.valueLength());
          any = true;
        }
      }
      if (any) {
        props = b.finish();
        size = b.fileSize();
        out.sync();
      }
    }
    if (props == null) {
      fs.delete(path);
      return null;
    }
    return new FileMetadata(number, size, props.smallestKey(), props.largestKey(),
        props.minSequence(), props.maxSequence(), props.entries());
  }
}

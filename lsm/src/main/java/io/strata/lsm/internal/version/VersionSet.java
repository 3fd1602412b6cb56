package io.strata.lsm.internal.version;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import io.strata.fs.ReadableFile;
import io.strata.fs.WritableFile;
import io.strata.lsm.internal.Bytes;
import io.strata.lsm.internal.InternalKeys;
import io.strata.wal.LogReader;
import io.strata.wal.LogWriter;
import io.strata.wal.RecoveryMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The current {@link Version}, the manifest that records how it came to be, and the counters that
 * must survive a restart: next file number, last sequence, first live WAL segment, compaction
 * pointers.
 *
 * <p>The manifest is a log (WAL framing) of {@link VersionEdit}s; {@code CURRENT} names the live
 * manifest and is replaced atomically (write a temporary file, fsync it, rename it, fsync the
 * directory). Every open writes a fresh manifest holding a snapshot of the recovered state, and so
 * does the first edit after the manifest reached {@code maxManifestBytes} (and at least twice the
 * size of its own snapshot, so that a store whose snapshot alone is that large is not rewritten
 * on every edit): the manifest rolls over, and the old one is left for the caller to delete once
 * {@link #manifestNumber()} names the new one.
 *
 * <p>Thread-safety: {@link #logAndApply} and the other mutators are synchronized on this object,
 * so edits are written and installed one at a time and in order; {@link #current()} may be read
 * from any thread without locking.
 */
public final class VersionSet {
  private final FileSystem fs;
  private final Path dir;
  private final Consumer<Version> onUnreferenced;
  private final Set<Version> live = ConcurrentHashMap.newKeySet();

  private volatile Version current;
  private long nextFileNumber = 2;
  private long logNumber = 1;
  private long lastSequence;
  private final byte[][] compactPointers = new byte[VersionEdit.LEVELS][];
  private LogWriter manifest;
  private long manifestNumber = -1;
  private final long maxManifestBytes;
  /** Bytes of the live manifest right after its snapshot was written. */
  private long manifestSnapshotBytes;

  /** The manifest size at which the next edit starts a new manifest, by default: 64 MiB. */
  static final long DEFAULT_MAX_MANIFEST_BYTES = 64L << 20;

  public VersionSet(FileSystem fs, Path dir, Consumer<Version> onObsolete) {
    this(fs, dir, onObsolete, DEFAULT_MAX_MANIFEST_BYTES);
  }

  public VersionSet(FileSystem fs, Path dir, Consumer<Version> onObsolete, long maxManifestBytes) {
    this.fs = fs;
    this.dir = dir;
    this.maxManifestBytes = maxManifestBytes;
    this.onUnreferenced = v -> {
      live.remove(v);
      onObsolete.accept(v);
    };
    install(new Version(List.of(), onUnreferenced));
  }

  /** Makes {@code v} current, taking over its creator's reference. */
  private void install(Version v) {
    live.add(v);
    Version old = current;
    current = v;
    if (old != null) {
      old.release();
    }
  }

  public Version current() {
    return current;
  }

  /** Retains and returns the current version (the caller releases it). */
  public Version acquireCurrent() {
    while (true) {
      Version v = current;
      if (v.retain()) {
        return v;
      }
    }
  }

  public synchronized long newFileNumber() {
    return nextFileNumber++;
  }

  /** Makes sure new file numbers stay above {@code number} (a file left by a crash). */
  public synchronized void markFileNumberUsed(long number) {
    nextFileNumber = Math.max(nextFileNumber, number + 1);
  }

  public synchronized long logNumber() {
    return logNumber;
  }

  public synchronized long lastSequence() {
    return lastSequence;
  }

  public synchronized long manifestNumber() {
    return manifestNumber;
  }

  public synchronized byte[] compactPointer(int level) {
    return compactPointers[level];
  }

  /** Files of every version still referenced (current, or in use by reads and cursors). */
  public Set<Long> liveFiles() {
    Set<Long> files = new HashSet<>();
    for (Version v : live) {
      files.addAll(v.fileNumbers());
    }
    files.addAll(current.fileNumbers());
    return files;
  }

  public boolean exists() throws IOException {
    return fs.exists(FileNames.current(dir));
  }

  /** Reads {@code CURRENT} and replays the manifest it names. */
  public synchronized void recover() throws IOException {
    Path currentFile = FileNames.current(dir);
    byte[] content;
    try (ReadableFile f = fs.openForRead(currentFile)) {
      long size = f.size();
      if (size > 256) {
        throw new CorruptionException(currentFile, 0, "CURRENT of " + size
            + " bytes cannot name a manifest");
      }
      content = new byte[(int) size];
      f.readFully(0, ByteBuffer.wrap(content));
    }
    String text = new String(content, StandardCharsets.US_ASCII);
    if (!text.endsWith("\n") || !text.startsWith("MANIFEST-")) {
      throw new CorruptionException(currentFile, 0, "CURRENT does not name a manifest: \""
          + text.strip() + "\"");
    }
    long number = FileNames.digits(text.substring("MANIFEST-".length(), text.length() - 1));
    if (number < 0) {
      throw new CorruptionException(currentFile, 0, "CURRENT names a malformed manifest \""
          + text.strip() + "\"");
    }
    Path path = FileNames.manifest(dir, number);
    if (!fs.exists(path)) {
      throw new CorruptionException(currentFile, 0, "CURRENT names " + path.getFileName()
          + ", which does not exist");
    }
    Builder b = new Builder(current);
    Long log = null;
    Long next = null;
    Long last = null;
    try (LogReader r = LogReader.open(fs, path, number, RecoveryMode.TOLERATE_TRUNCATED_TAIL, true)) {
      byte[] rec;
      while ((rec = r.next()) != null) {
        VersionEdit e = VersionEdit.decode(rec, path, r.recordOffset());
        try {
          b.apply(e);
        } catch (IllegalStateException inconsistent) {
          throw new CorruptionException(path, r.recordOffset(), inconsistent.getMessage());
        }
        if (e.logNumber != null) {
          log = e.logNumber;
        }
        if (e.nextFileNumber != null) {
          next = e.nextFileNumber;
        }
        if (e.lastSequence != null) {
          last = e.lastSequence;
        }
        e.compactPointers.forEach((level, key) -> compactPointers[level] = key);
      }
    }
    if (log == null || next == null || last == null) {
      throw new CorruptionException(path, 0, "manifest lacks "
          + (log == null ? "the log number" : next == null ? "the next file number"
              : "the last sequence"));
    }
    Version v;
    try {
      v = b.build();
    } catch (IllegalStateException inconsistent) { // tables of one sorted level overlap
      throw new CorruptionException(path, 0, inconsistent.getMessage());
    }
    for (List<FileMetadata> level : v.levels()) {
      for (FileMetadata f : level) {
        if (f.number() >= next) {
          throw new CorruptionException(path, 0, "table " + f.number()
              + " is not below the next file number " + next);
        }
      }
    }
    logNumber = log;
    nextFileNumber = Math.max(next, number + 1);
    lastSequence = last;
    manifestNumber = number;
    install(v);
  }

  /**
   * Writes a new manifest holding the whole current state with {@code edit} applied, makes it
   * durable, points {@code CURRENT} at it, and installs the new version. The old manifest becomes
   * obsolete.
   */
  public synchronized void writeNewManifest(VersionEdit edit) throws IOException {
    Applied a = compute(edit);
    long number = nextFileNumber++;
    VersionEdit snapshot = new VersionEdit();
    snapshot.logNumber = a.logNumber;
    snapshot.nextFileNumber = nextFileNumber;
    snapshot.lastSequence = a.lastSequence;
    for (int i = 0; i < VersionEdit.LEVELS; i++) {
      if (a.pointers[i] != null) {
        snapshot.compactPointers.put(i, a.pointers[i]);
      }
      for (FileMetadata f : a.version.files(i)) {
        snapshot.addFile(i, f);
      }
    }
    // From here on CURRENT may come to name the new manifest at any step, so nothing more may
    // ever be appended to the old one, whatever happens below: without a new one, the next edit
    // starts another.
    LogWriter old = manifest;
    manifest = null;
    if (old != null) {
      try {
        old.close();
      } catch (IOException ignored) {
        // every edit in it was synced when it was written; it is obsolete from now on
      }
    }
    Path path = FileNames.manifest(dir, number);
    LogWriter w = LogWriter.create(fs, path, number);
    try {
      w.append(snapshot.encode());
      w.sync();
      fs.syncDirectory(dir);
      setCurrent(number);
    } catch (Throwable e) {
      try {
        w.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    manifest = w;
    manifestNumber = number;
    manifestSnapshotBytes = w.size();
    commit(a);
  }

  private void setCurrent(long number) throws IOException {
    Path tmp = FileNames.temp(dir, number);
    try (WritableFile f = fs.create(tmp)) {
      f.append(ByteBuffer.wrap(String.format("MANIFEST-%06d\n", number)
          .getBytes(StandardCharsets.US_ASCII)));
      f.sync();
    }
    fs.rename(tmp, FileNames.current(dir));
    fs.syncDirectory(dir);
  }

  /**
   * Records {@code edit} durably in the manifest, then installs the version it produces. When the
   * manifest is due to roll over ({@code maxManifestBytes}), the edit goes into a new manifest with
   * a snapshot instead ({@link #writeNewManifest}). On any failure nothing is installed and the
   * manifest is abandoned: the next edit starts a new one.
   */
  public synchronized void logAndApply(VersionEdit edit) throws IOException {
    if (manifest == null || rollOverDue()) {
      writeNewManifest(edit);
      return;
    }
    Applied a = compute(edit);
    edit.nextFileNumber = nextFileNumber;
    edit.lastSequence = a.lastSequence;
    try {
      manifest.append(edit.encode());
      manifest.sync();
    } catch (Throwable e) { // an Error too: the file may end in a partial record
      try {
        manifest.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      manifest = null; // the file may end in a partial record: never append to it again
      throw e;
    }
    commit(a);
  }

  /**
   * Whether the live manifest is due to be replaced by a snapshot: it reached the limit, and its
   * edits since the snapshot at least equal the snapshot, so a rewrite costs no more than the
   * edits already written (a snapshot over the limit is not rewritten at every edit).
   */
  private boolean rollOverDue() {
    long size = manifest.size();
    return size >= maxManifestBytes && size >= 2 * manifestSnapshotBytes;
  }

  /** Whether the next edit rolls the manifest over (for tests in this package). */
  public synchronized boolean rollOverDueForTest() {
    return manifest != null && rollOverDue();
  }

  /** The outcome of an edit, computed before it is written and committed only after. */
  private record Applied(Version version, long logNumber, long lastSequence, byte[][] pointers) {}

  /** Computes the version and counters an edit makes, changing nothing yet. */
  private Applied compute(VersionEdit edit) {
    Builder b = new Builder(current);
    b.apply(edit);
    long log = logNumber;
    long last = lastSequence;
    if (edit.logNumber != null) {
      log = Math.max(log, edit.logNumber);
    }
    if (edit.lastSequence != null) {
      last = Math.max(last, edit.lastSequence);
    }
    byte[][] pointers = compactPointers.clone();
    edit.compactPointers.forEach((level, key) -> pointers[level] = key);
    return new Applied(b.build(), log, last, pointers);
  }

  private void commit(Applied a) {
    logNumber = a.logNumber;
    lastSequence = a.lastSequence;
    System.arraycopy(a.pointers, 0, compactPointers, 0, compactPointers.length);
    install(a.version);
  }

  public synchronized void close() {
    if (manifest != null) {
      try {
        manifest.close();
      } catch (IOException ignored) {
        // every edit was synced when it was written
      }
      manifest = null;
    }
  }

  /** Accumulates edits on top of a version. */
  private final class Builder {
    private final List<Map<Long, FileMetadata>> levels = new ArrayList<>();

    Builder(Version base) {
      for (int i = 0; i < VersionEdit.LEVELS; i++) {
        Map<Long, FileMetadata> m = new LinkedHashMap<>();
        for (FileMetadata f : base.files(i)) {
          m.put(f.number(), f);
        }
        levels.add(m);
      }
    }

    void apply(VersionEdit e) {
      for (VersionEdit.DeletedFile d : e.deleted) {
        if (levels.get(d.level()).remove(d.number()) == null) {
          throw new IllegalStateException("edit deletes table " + d.number() + " from level "
              + d.level() + ", which does not hold it");
        }
      }
      for (VersionEdit.NewFile n : e.added) {
        for (Map<Long, FileMetadata> level : levels) {
          if (level.containsKey(n.file().number())) {
            throw new IllegalStateException("edit adds table " + n.file().number()
                + " twice");
          }
        }
        levels.get(n.level()).put(n.file().number(), n.file());
      }
    }

    Version build() {
      List<List<FileMetadata>> out = new ArrayList<>();
      for (Map<Long, FileMetadata> m : levels) {
        out.add(new ArrayList<>(m.values()));
      }
      Version v = new Version(out, onUnreferenced);
      for (int i = 1; i < VersionEdit.LEVELS; i++) {
        List<FileMetadata> files = v.files(i);
        for (int j = 1; j < files.size(); j++) {
          if (InternalKeys.compareUserKey(files.get(j - 1).largest(),
              files.get(j).smallestUserKey()) >= 0) {
            throw new IllegalStateException("level " + i + " tables " + files.get(j - 1).number()
                + " and " + files.get(j).number() + " overlap");
          }
        }
      }
      return v;
    }
  }
}

package io.strata.cli;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import io.strata.fs.ReadableFile;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.FileNames;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.wal.LogReader;
import io.strata.wal.RecoveryMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata manifest DIR}: every version edit of the manifest {@code CURRENT} names (or of
 * {@code --file}), in order, with its offset: counters, deleted and added tables, compaction
 * pointers; then the levels they add up to. Reads the manifest through the engine's own log reader
 * and edit decoder (internal classes, reachable on the class path), writes nothing. Exit 1 when
 * the manifest is damaged or inconsistent.
 */
@Command(name = "manifest", description = "Show every version edit of a store's manifest.",
    mixinStandardHelpOptions = true)
final class ManifestCommand extends Base {
  @Parameters(paramLabel = "DIR", description = "The store directory.")
  Path dir;

  @Option(names = "--file", description = "Read this manifest file instead of the one CURRENT"
      + " names.")
  Path manifest;

  @Override
  public Integer call() throws IOException {
    Bytes bytes = bytes();
    existing(dir, "store directory");
    FileSystem fs = FileSystem.real();
    Doc d = new Doc();
    Path path;
    long number;
    if (manifest != null) {
      path = existing(manifest, "manifest file");
      FileNames.Parsed p = FileNames.parse(path.getFileName().toString());
      if (p.kind() != FileNames.Kind.MANIFEST) {
        throw new UsageException("--file " + manifest + " is not named MANIFEST-NNNNNN");
      }
      number = p.number();
    } else {
      Path current = FileNames.current(dir);
      if (!fs.exists(current)) {
        throw new CorruptionException(current, 0, "there is no CURRENT file: " + dir
            + " holds no store, or has lost it");
      }
      String text;
      try (ReadableFile f = fs.openForRead(current)) {
        byte[] b = new byte[(int) Math.min(f.size(), 256)];
        f.readFully(0, ByteBuffer.wrap(b));
        text = new String(b, StandardCharsets.US_ASCII).strip();
      }
      d.put("current", text);
      FileNames.Parsed p = FileNames.parse(text);
      if (p.kind() != FileNames.Kind.MANIFEST) {
        throw new CorruptionException(current, 0, "CURRENT does not name a manifest: \"" + text
            + "\"");
      }
      number = p.number();
      path = FileNames.manifest(dir, number);
    }
    d.put("manifest", path.getFileName().toString());
    Map<Integer, Map<Long, FileMetadata>> levels = new TreeMap<>();
    d.list("edits");
    int count = 0;
    try (LogReader r = LogReader.open(fs, path, number, RecoveryMode.TOLERATE_TRUNCATED_TAIL,
        true)) {
      byte[] rec;
      while ((rec = r.next()) != null) {
        VersionEdit e = VersionEdit.decode(rec, path, r.recordOffset());
        Doc row = d.row("edits").put("edit", count++).put("offset", r.recordOffset())
            .put("logNumber", e.logNumber).put("nextFileNumber", e.nextFileNumber)
            .put("lastSequence", e.lastSequence);
        for (VersionEdit.DeletedFile del : e.deleted) {
          row.list("deleted").add("L" + del.level() + " " + del.number());
          Map<Long, FileMetadata> level = levels.get(del.level());
          if (level == null || level.remove(del.number()) == null) {
            throw new CorruptionException(path, r.recordOffset(), "edit " + (count - 1)
                + " deletes table " + del.number() + " from level " + del.level()
                + ", which does not hold it");
          }
        }
        for (VersionEdit.NewFile add : e.added) {
          FileMetadata f = add.file();
          row.list("added").add("L" + add.level() + " " + f.number() + " " + f.fileSize()
              + " bytes [" + bytes.show(f.smallestUserKey()) + " .. "
              + bytes.show(f.largestUserKey()) + "] seq " + f.minSequence() + ".."
              + f.maxSequence() + " " + f.entries() + " entries");
          levels.computeIfAbsent(add.level(), k -> new TreeMap<>()).put(f.number(), f);
        }
        e.compactPointers.forEach((level, key) -> row.list("compactPointers")
            .add("L" + level + " " + bytes.show(InternalKeys.userKey(key))));
      }
      if (r.droppedBytes() > 0 || r.tailProblem() != null) {
        d.child("tornTail").put("offset", r.validLength()).put("droppedBytes", r.droppedBytes())
            .put("onlyZeros", r.droppedOnlyZeros()).put("problem", r.tailProblem());
      }
    }
    d.list("levels");
    for (int level = 0; level < VersionEdit.LEVELS; level++) {
      Map<Long, FileMetadata> files = levels.getOrDefault(level, Map.of());
      long size = files.values().stream().mapToLong(FileMetadata::fileSize).sum();
      d.row("levels").put("level", level).put("tables", files.size()).put("bytes", size)
          .put("numbers", files.keySet().toString());
    }
    return emit(d, 0);
  }
}

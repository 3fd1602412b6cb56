package io.strata.lsm.internal.version;

import io.strata.wal.Wal;
import java.nio.file.Path;

/**
 * The names of a store's files: tables {@code NNNNNN.sst}, manifests {@code MANIFEST-NNNNNN},
 * write-ahead log segments {@code NNNNNN.wal} (their own numbering), {@code CURRENT}, {@code LOCK},
 * and temporary files ending in {@code .tmp}. Stateless.
 */
public final class FileNames {
  private FileNames() {}

  public enum Kind {
    TABLE,
    MANIFEST,
    WAL,
    CURRENT,
    LOCK,
    TEMP,
    OTHER
  }

  public record Parsed(Kind kind, long number) {}

  public static final String CURRENT = "CURRENT";
  public static final String LOCK = "LOCK";

  public static Path table(Path dir, long number) {
    return dir.resolve(String.format("%06d.sst", number));
  }

  public static Path manifest(Path dir, long number) {
    return dir.resolve(String.format("MANIFEST-%06d", number));
  }

  public static Path current(Path dir) {
    return dir.resolve(CURRENT);
  }

  static Path temp(Path dir, long number) {
    return dir.resolve(String.format("%06d.tmp", number));
  }

  public static Parsed parse(String name) {
    if (name.equals(CURRENT)) {
      return new Parsed(Kind.CURRENT, -1);
    }
    if (name.equals(LOCK)) {
      return new Parsed(Kind.LOCK, -1);
    }
    long wal = Wal.parseSegmentName(name);
    if (wal >= 0) {
      return new Parsed(Kind.WAL, wal);
    }
    if (name.startsWith("MANIFEST-")) {
      long n = digits(name.substring("MANIFEST-".length()));
      return n >= 0 ? new Parsed(Kind.MANIFEST, n) : new Parsed(Kind.OTHER, -1);
    }
    if (name.endsWith(".sst")) {
      long n = digits(name.substring(0, name.length() - 4));
      return n >= 0 ? new Parsed(Kind.TABLE, n) : new Parsed(Kind.OTHER, -1);
    }
    if (name.endsWith(".tmp")) {
      return new Parsed(Kind.TEMP, digits(name.substring(0, name.length() - 4)));
    }
    return new Parsed(Kind.OTHER, -1);
  }

  /** Parses a decimal file number, or -1. */
  static long digits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(s);
  }
}

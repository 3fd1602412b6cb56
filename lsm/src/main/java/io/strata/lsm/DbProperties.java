package io.strata.lsm;

import static io.strata.lsm.Db.PROPERTIES;
import static io.strata.lsm.Db.PROPERTY_APPROXIMATE_BYTES;
import static io.strata.lsm.Db.PROPERTY_BACKGROUND_ERRORS;
import static io.strata.lsm.Db.PROPERTY_ESTIMATED_KEYS;
import static io.strata.lsm.Db.PROPERTY_LEVELS;
import static io.strata.lsm.Db.PROPERTY_MEMTABLE_BYTES;
import static io.strata.lsm.Db.PROPERTY_PENDING_COMPACTION_BYTES;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.VersionEdit;
import java.util.Locale;

/**
 * The named figures of {@link Db#property}, computed from one read view (documented there).
 *
 * <p>Thread-safety: stateless; the caller holds the view for the duration of the call.
 */
final class DbProperties {
  private DbProperties() {}

  static String get(String name, ReadView v, DbStats stats, TableCache tables,
      Throwable backgroundError) {
    if (name.startsWith(PROPERTY_APPROXIMATE_BYTES + ":")) {
      String range = name.substring(PROPERTY_APPROXIMATE_BYTES.length() + 1);
      int dots = range.indexOf("..");
      if (dots < 0) {
        throw new IllegalArgumentException("property " + name + ": the range must be"
            + " <hexFrom>..<hexTo> (either side may be empty)");
      }
      byte[] from = parseHex(name, range.substring(0, dots));
      byte[] to = parseHex(name, range.substring(dots + 2));
      return Long.toString(approximateBytes(v, tables, from, to));
    }
    switch (name) {
      case PROPERTY_LEVELS: {
        StringBuilder out = new StringBuilder();
        for (DbStats.LevelStats l : stats.levels()) {
          out.append(String.format(Locale.ROOT, "L%d %d tables %d bytes score %.2f%n",
              l.level(), l.tables(), l.bytes(), l.score()));
        }
        return out.toString();
      }
      case PROPERTY_ESTIMATED_KEYS: {
        long n = countEntries(v.mem) + (v.imm == null ? 0 : countEntries(v.imm));
        for (int level = 0; level < VersionEdit.LEVELS; level++) {
          for (FileMetadata f : v.version.files(level)) {
            n += f.entries();
          }
        }
        return Long.toString(n);
      }
      case PROPERTY_MEMTABLE_BYTES:
        return Long.toString(stats.memtableBytes());
      case PROPERTY_PENDING_COMPACTION_BYTES: {
        long pending = 0;
        for (DbStats.LevelStats l : stats.levels()) {
          if (l.score() >= 1) {
            pending += l.level() == 0 ? l.bytes() : Math.max(0, l.bytes() - l.targetBytes());
          }
        }
        return Long.toString(pending);
      }
      case PROPERTY_BACKGROUND_ERRORS:
        return backgroundError == null ? "none" : backgroundError.toString();
      default:
        throw new IllegalArgumentException("unknown property \"" + name + "\"; known: "
            + String.join(", ", PROPERTIES));
    }
  }

  private static long countEntries(Memtable m) {
    long n = 0;
    try (InternalIterator it = m.iterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n++;
      }
    }
    return n;
  }

  /** The bytes {@code hex} spells, or null when it is empty (an unbounded side). */
  private static byte[] parseHex(String property, String hex) {
    if (hex.length() % 2 != 0) {
      throw new IllegalArgumentException("property " + property + ": \"" + hex
          + "\" is not hexadecimal bytes (odd length)");
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("property " + property + ": \"" + hex
            + "\" is not hexadecimal");
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return hex.isEmpty() ? null : out;
  }

  /** Bytes of table data holding user keys in [from, to) (null: unbounded), from the indexes. */
  private static long approximateBytes(ReadView v, TableCache tables, byte[] from, byte[] to) {
    long total = 0;
    for (int level = 0; level < VersionEdit.LEVELS; level++) {
      for (FileMetadata f : v.version.files(level)) {
        if (to != null && InternalKeys.compareUserKey(f.smallest(), to) >= 0
            || from != null && InternalKeys.compareUserKey(f.largest(), from) < 0) {
          continue;
        }
        TableReader t = tables.acquire(f.number());
        try {
          long start = from == null ? 0 : offsetOf(t, from);
          long end = to == null ? t.dataEnd() : offsetOf(t, to);
          total += Math.max(0, end - start);
        } finally {
          t.release();
        }
      }
    }
    return total;
  }

  /** Where in the table the data for user keys at or after {@code key} begins. */
  private static long offsetOf(TableReader t, byte[] key) {
    int i = t.findBlock(InternalKeys.seekKey(key, InternalKeys.MAX_SEQUENCE));
    return i == t.blockCount() ? t.dataEnd() : t.blockHandle(i).offset();
  }
}

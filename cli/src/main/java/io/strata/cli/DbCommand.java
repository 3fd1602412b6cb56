package io.strata.cli;

import io.strata.CorruptionException;
import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.DbStats;
import io.strata.lsm.ReadOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata db ...}: the key-value store through its public API. Every command but {@code
 * compact} opens the store with {@link Db#openReadOnly}: no lock, no file written, safe while
 * another process has the store open for writing (it then sees the store as of its open).
 */
@Command(name = "db", description = "Read, verify, compact and checkpoint the key-value store.",
    mixinStandardHelpOptions = true,
    subcommands = {DbCommand.Stats.class, DbCommand.Get.class, DbCommand.Scan.class,
        DbCommand.Verify.class, DbCommand.Compact.class, DbCommand.Checkpoint.class,
        DbCommand.Property.class})
final class DbCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing db command");
  }

  static void levels(Doc d, DbStats s) {
    d.list("levels");
    for (DbStats.LevelStats l : s.levels()) {
      d.row("levels").put("level", l.level()).put("tables", l.tables()).put("bytes", l.bytes())
          .put("score", l.score()).put("targetBytes", l.targetBytes());
    }
  }

  @Command(name = "stats", description = "Levels, tables, bytes and the engine's figures.",
      mixinStandardHelpOptions = true)
  static final class Stats extends Base {
    @Parameters(paramLabel = "DIR") Path dir;

    @Override
    public Integer call() {
      try (Db db = openReadOnly(dir)) {
        DbStats s = db.stats();
        Doc d = new Doc().put("directory", dir.toString()).put("tables", s.tables())
            .put("tableBytes", s.tableBytes()).put("memtableBytes", s.memtableBytes())
            .put("estimatedKeys", Long.parseLong(db.property(Db.PROPERTY_ESTIMATED_KEYS)))
            .put("pendingCompactionBytes",
                Long.parseLong(db.property(Db.PROPERTY_PENDING_COMPACTION_BYTES)))
            .put("baseLevel", s.baseLevel());
        levels(d, s);
        return emit(d, 0);
      }
    }
  }

  @Command(name = "get", description = "The value of a key.", mixinStandardHelpOptions = true)
  static final class Get extends Base {
    @Parameters(index = "0", paramLabel = "DIR") Path dir;

    @Parameters(index = "1", paramLabel = "KEY",
        description = "The key (text, or 0x and hex; all hex with --hex).")
    String key;

    @Override
    public Integer call() {
      Bytes b = bytes();
      byte[] k = b.parse("KEY", key);
      try (Db db = openReadOnly(dir)) {
        byte[] v = db.get(k);
        return emit(new Doc().put("key", b.show(k)).put("found", v != null)
            .put("value", b.show(v)), 0);
      }
    }
  }

  @Command(name = "scan", description = "Entries in key order (or reverse) within bounds.",
      mixinStandardHelpOptions = true)
  static final class Scan extends Base {
    @Parameters(paramLabel = "DIR") Path dir;

    @Option(names = "--from", description = "First key (inclusive).") String from;

    @Option(names = "--to", description = "Last key (exclusive).") String to;

    @Option(names = "--limit", description = "At most this many entries (default"
        + " ${DEFAULT-VALUE}; 0: all).", defaultValue = "100")
    long limit;

    @Option(names = "--reverse", description = "From the last key down.") boolean reverse;

    @Override
    public Integer call() {
      Bytes b = bytes();
      if (limit < 0) {
        throw new UsageException("--limit must be >= 0, got " + limit);
      }
      byte[] lo = from == null ? null : b.parse("--from", from);
      byte[] hi = to == null ? null : b.parse("--to", to);
      ReadOptions.Builder ro = ReadOptions.builder();
      if (lo != null) {
        ro.lowerBound(lo);
      }
      if (hi != null) {
        ro.upperBound(hi);
      }
      Doc d = new Doc();
      d.list("entries");
      long n = 0;
      boolean more = false;
      try (Db db = openReadOnly(dir); Cursor c = db.cursor(ro.build())) {
        if (reverse) {
          c.seekToLast();
        } else {
          c.seekToFirst();
        }
        for (; c.isValid(); n++) {
          if (limit > 0 && n == limit) {
            more = true;
            break;
          }
          d.row("entries").put("key", b.show(c.key())).put("value", b.show(c.value()));
          if (reverse) {
            c.prev();
          } else {
            c.next();
          }
        }
      }
      d.put("count", n).put("truncated", more);
      return emit(d, 0);
    }
  }

  @Command(name = "verify", description = "Read and check every block of every table; exit 1"
      + " naming each damaged file.", mixinStandardHelpOptions = true)
  static final class Verify extends Base {
    @Parameters(paramLabel = "DIR") Path dir;

    @Override
    public Integer call() {
      List<CorruptionException> problems;
      int tables;
      try (Progress p = Progress.start(err(), "verifying " + dir); Db db = openReadOnly(dir)) {
        tables = db.stats().tables();
        problems = db.verifyChecksums();
      }
      Doc d = new Doc().put("directory", dir.toString()).put("tables", tables)
          .put("ok", problems.isEmpty());
      d.list("problems");
      for (CorruptionException e : problems) {
        d.row("problems").put("file", String.valueOf(e.file())).put("offset", e.offset())
            .put("problem", e.getMessage());
      }
      return emit(d, problems.isEmpty() ? 0 : Main.PROBLEM);
    }
  }

  @Command(name = "compact", description = "Compact a key range (default: all) into the last"
      + " level. Opens the store for writing: it must not be open elsewhere.",
      mixinStandardHelpOptions = true)
  static final class Compact extends Base {
    @Parameters(paramLabel = "DIR") Path dir;

    @Option(names = "--from", description = "First key (inclusive).") String from;

    @Option(names = "--to", description = "Last key (inclusive).") String to;

    @Override
    public Integer call() {
      Bytes b = bytes();
      byte[] lo = from == null ? null : b.parse("--from", from);
      byte[] hi = to == null ? null : b.parse("--to", to);
      existing(dir, "store directory");
      Doc d = new Doc().put("directory", dir.toString());
      try (Progress p = Progress.start(err(), "compacting " + dir);
          Db db = Db.open(dir)) {
        DbStats before = db.stats();
        long start = System.nanoTime();
        db.compactRange(lo, hi);
        DbStats after = db.stats();
        d.put("tablesBefore", before.tables()).put("bytesBefore", before.tableBytes())
            .put("tablesAfter", after.tables()).put("bytesAfter", after.tableBytes())
            .put("millis", (System.nanoTime() - start) / 1_000_000);
        levels(d, after);
      }
      return emit(d, 0);
    }
  }

  @Command(name = "checkpoint", description = "Copy the store, consistent at one moment, into"
      + " TARGET (must not exist); tables are hard-linked where possible.",
      mixinStandardHelpOptions = true)
  static final class Checkpoint extends Base {
    @Parameters(index = "0", paramLabel = "DIR") Path dir;

    @Parameters(index = "1", paramLabel = "TARGET") Path target;

    @Override
    public Integer call() {
      try (Progress p = Progress.start(err(), "checkpoint of " + dir);
          Db db = openReadOnly(dir)) {
        long start = System.nanoTime();
        db.checkpoint(target);
        Doc d = new Doc().put("directory", dir.toString()).put("target", target.toString())
            .put("tables", db.stats().tables())
            .put("millis", (System.nanoTime() - start) / 1_000_000);
        return emit(d, 0);
      }
    }
  }

  @Command(name = "property", description = "A named figure of the store (none: all of them).",
      mixinStandardHelpOptions = true)
  static final class Property extends Base {
    @Parameters(index = "0", paramLabel = "DIR") Path dir;

    @Parameters(index = "1", paramLabel = "NAME", arity = "0..1",
        description = "One of: strata.levels, strata.approximate-bytes:<hexFrom>..<hexTo>,"
            + " strata.estimated-keys, strata.memtable-bytes, strata.pending-compaction-bytes,"
            + " strata.background-errors.")
    String name;

    @Override
    public Integer call() {
      try (Db db = openReadOnly(dir)) {
        Doc d = new Doc();
        List<String> names = name != null ? List.of(name) : Arrays.asList(Db.PROPERTY_LEVELS,
            Db.PROPERTY_APPROXIMATE_BYTES + ":..", Db.PROPERTY_ESTIMATED_KEYS,
            Db.PROPERTY_MEMTABLE_BYTES, Db.PROPERTY_PENDING_COMPACTION_BYTES,
            Db.PROPERTY_BACKGROUND_ERRORS);
        for (String n : names) {
          String v = db.property(n);
          if (v.contains("\n")) {
            d.put(n, v.lines().toList());
          } else {
            d.put(n, v);
          }
        }
        return emit(d, 0);
      }
    }
  }
}

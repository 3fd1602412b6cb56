package io.strata.bench.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one invocation of the runner does, parsed from the command line ({@link #parse}).
 * Immutable.
 *
 * @param suites the suites to run, in order ({@code kv}, {@code trie})
 * @param quick the small sizes (about 2 minutes on 2 cores) instead of the default ones
 * @param n entries (kv) and accounts (trie) when given, else 0 for the size's default
 * @param rounds measured rounds; each round runs every engine once, in a fresh JVM
 * @param engines the engine names asked for, or empty for all
 * @param workloads the workload names asked for, or empty for all
 * @param dir where databases go, or null for a temporary directory deleted afterwards
 * @param out the report folder
 * @param help print the usage and stop
 * @param blocksOption trie blocks from {@code --blocks}, or 0 for the size's default
 */
record Settings(List<String> suites, boolean quick, int n, int rounds, List<String> engines,
    List<String> workloads, Path dir, Path out, boolean help, int blocksOption) {

  static final String USAGE = String.join("\n",
      "usage: java -jar benchmarks/target/strata-bench.jar [kv|trie|all] [options]",
      "",
      "Compares Strata with its peers, each engine in its own JVM, and writes a report.",
      "  kv     db_bench-style key-value workloads: Strata, RocksDB (JNI), the LevelDB port, H2 MVStore",
      "  trie   state-trie workloads (load, blocks of 1,000 updates, reads; 1,000,000 accounts,",
      "         50,000 with --quick): Strata committed to its store (archive, and with a retention",
      "         window of 128 blocks), Strata in memory, Apache Tuweni in memory (its blocks stop",
      "         at the time cap, 10 s or 3 s with --quick, at a whole block: seconds each at 1M);",
      "         range proofs and a state sync (proverange, verifyrange,",
      "         sync): Strata's store only; world (issue 19: 100,000 accounts, a tenth of them",
      "         contracts with 1-1,000 slots, 20 x --blocks blocks of 500 account + 1,000 slot",
      "         updates, linked commits; Strata's stores only) runs only when named in --workloads",
      "  all    both (the default)",
      "options:",
      "  --quick            small sizes: about 2 minutes on 2 cores (default size: about 15 minutes",
      "                     on a quiet machine, of which the trie suite at 1,000,000 accounts about 9)",
      "  --n N              entries (kv) and accounts (trie) instead of the size's default",
      "  --blocks B         trie blocks of 1,000 updates instead of the size's default (50; 20 with",
      "                     --quick); more than 128 shows strata-store-w128 pruning",
      "  --rounds R         measured rounds, each engine in a fresh JVM per round (default 3; 2 with --quick)",
      "  --engines a,b      engines to run: " + String.join(",", allEngines()),
      "                     (\"strata\" also selects strata-store, strata-store-w128 and strata-memory)",
      "  --workloads a,b    workloads to run: " + String.join(",", allWorkloads()),
      "  --dir PATH         where databases go (default: a temporary directory, deleted afterwards)",
      "  --out PATH         report folder (default bench-results)",
      "  --help             this message",
      "Exit code: 0 when every run passed its checks, 1 when one failed, 2 for a usage error.");

  /** A command-line mistake: the runner prints it with the usage and exits 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static Settings parse(String... args) throws UsageException {
    String suite = null;
    boolean quick = false;
    boolean help = false;
    int n = 0;
    int blocks = 0;
    int rounds = 0;
    List<String> engines = List.of();
    List<String> workloads = List.of();
    Path dir = null;
    Path out = Path.of("bench-results");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      if (arg.startsWith("--") && arg.contains("=")) {
        value = arg.substring(arg.indexOf('=') + 1);
        arg = arg.substring(0, arg.indexOf('='));
      }
      switch (arg) {
        case "kv", "trie", "all" -> {
          if (suite != null) {
            throw new UsageException("more than one suite given: " + suite + " and " + arg);
          }
          suite = arg;
        }
        case "--quick" -> quick = true;
        case "--help", "-h" -> help = true;
        case "--n", "--blocks", "--rounds", "--engines", "--workloads", "--dir", "--out" -> {
          if (value == null) {
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
              throw new UsageException(arg + " needs a value");
            }
            value = args[++i];
          }
          switch (arg) {
            case "--n" -> n = positive(arg, value, 1_000, 100_000_000);
            case "--blocks" -> blocks = positive(arg, value, 1, 1_000_000);
            case "--rounds" -> rounds = positive(arg, value, 1, 100);
            case "--engines" -> engines = names(arg, value, allEngines());
            case "--workloads" -> workloads = names(arg, value, allWorkloads());
            case "--dir" -> dir = Path.of(value);
            default -> out = Path.of(value);
          }
        }
        default -> throw new UsageException("unknown argument: " + args[i]);
      }
    }
    List<String> suites = suite == null || suite.equals("all")
        ? List.of(KvSuite.NAME, TrieSuite.NAME) : List.of(suite);
    Settings s = new Settings(suites, quick, n, rounds == 0 ? (quick ? 2 : 3) : rounds, engines,
        workloads, dir, out, help, blocks);
    List<String> left = new ArrayList<>();
    for (String name : suites) {
      boolean any = false;
      for (String e : s.engines(name)) {
        for (String w : s.workloads(name)) {
          any |= !name.equals(TrieSuite.NAME) || TrieSuite.supports(e, w);
        }
      }
      if (any) {
        left.add(name);
      }
    }
    if (left.isEmpty()) {
      throw new UsageException("nothing to run: no engine and workload of "
          + String.join(" or ", suites) + " selected");
    }
    return new Settings(List.copyOf(left), quick, n, s.rounds, engines, workloads, dir, out, help,
        blocks);
  }

  private static int positive(String option, String value, int min, int max)
      throws UsageException {
    try {
      int v = Integer.parseInt(value.replace("_", "").replace(",", ""));
      if (v < min || v > max) {
        throw new UsageException(String.format(Locale.ROOT, "%s must be from %,d to %,d: %s",
            option, min, max, value));
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " needs a whole number: " + value);
    }
  }

  private static List<String> names(String option, String value, Set<String> known)
      throws UsageException {
    List<String> names = new ArrayList<>();
    for (String name : value.split(",")) {
      String v = name.trim().toLowerCase(Locale.ROOT);
      if (!known.contains(v)) {
        throw new UsageException(option + ": unknown name " + name + " (known: "
            + String.join(",", known) + ")");
      }
      names.add(v);
    }
    return List.copyOf(names);
  }

  static Set<String> allEngines() {
    Set<String> s = new LinkedHashSet<>(KvSuite.ENGINES);
    s.addAll(TrieSuite.ENGINES);
    return s;
  }

  static Set<String> allWorkloads() {
    Set<String> s = new LinkedHashSet<>(KvSuite.WORKLOADS);
    s.addAll(TrieSuite.WORKLOADS);
    return s;
  }

  /** The engines of {@code suite} to run, in the suite's order. */
  List<String> engines(String suite) {
    List<String> result = new ArrayList<>();
    for (String e : suite.equals(KvSuite.NAME) ? KvSuite.ENGINES : TrieSuite.ENGINES) {
      if (engines.isEmpty() || engines.contains(e)
          || (e.startsWith("strata-") && engines.contains("strata"))) {
        result.add(e);
      }
    }
    return result;
  }

  /** The workloads of {@code suite} to run, in the suite's order. */
  List<String> workloads(String suite) {
    List<String> result = new ArrayList<>();
    for (String w : suite.equals(KvSuite.NAME) ? KvSuite.WORKLOADS : TrieSuite.WORKLOADS) {
      // the world-state workload (a long load) runs only when named
      if (workloads.isEmpty() ? !w.equals("world") : workloads.contains(w)) {
        result.add(w);
      }
    }
    return result;
  }

  /** Entries (kv) or accounts (trie) per store. */
  int n(String suite) {
    if (n > 0) {
      return n;
    }
    if (suite.equals(KvSuite.NAME)) {
      return quick ? 200_000 : 1_000_000;
    }
    return quick ? 50_000 : 1_000_000;
  }

  /** Entries or accounts of the untimed warm-up pass in each child JVM. */
  int warmup(String suite) {
    return Math.min(n(suite), suite.equals(KvSuite.NAME) ? 50_000 : 10_000);
  }

  /** Trie blocks of 1,000 updates. */
  int blocks() {
    return blocksOption > 0 ? blocksOption : quick ? 20 : 50;
  }

  /** Synced puts in fillsync (fewer if the time cap comes first). */
  int syncOps() {
    return quick ? 200 : 1_000;
  }

  /** Seconds after which a read workload, fillsync or Tuweni's trie blocks stop early. */
  double capSeconds() {
    return quick ? 3 : 10;
  }
}

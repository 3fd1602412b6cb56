package io.strata.cli;

import io.strata.CorruptionException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code strata}, the operator's tool for a Strata store: look inside its files ({@code sst},
 * {@code manifest}, {@code wal}), read, check, compact and copy the key-value store ({@code
 * db ...}) and read the trie state on top ({@code trie ...}).
 *
 * <p>Exit codes: 0 when all is well; 1 when the store has a problem (damage found, a file
 * missing, a failure reading it); 2 for a usage error (a message and the usage on standard
 * error). Every command takes {@code --json} for one JSON object on standard output instead of
 * aligned text.
 */
@Command(name = "strata", mixinStandardHelpOptions = true, version = "strata 0.1.0",
    description = "Inspect, verify, compact and checkpoint a Strata store.",
    subcommands = {SstCommand.class, ManifestCommand.class, WalCommand.class, DbCommand.class,
        TrieCommand.class},
    footer = {"", "Exit codes: 0 ok, 1 the store has a problem, 2 usage error."})
public final class Main implements Runnable {
  /** Exit code: the store has a problem. */
  static final int PROBLEM = 1;
  /** Exit code: a usage error. */
  static final int USAGE = 2;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the tool with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof UsageException || e instanceof IllegalArgumentException) {
        err.println("strata: " + e.getMessage());
        cmd.usage(err);
        err.flush();
        return USAGE;
      }
      String kind = e instanceof CorruptionException ? "corruption" : "error";
      if (jsonRequested(parsed)) {
        Doc d = new Doc().put("error", kind).put("message", String.valueOf(e.getMessage()));
        out.print(Render.json(d));
        out.flush();
      }
      err.println("strata: " + kind + ": " + e.getMessage());
      err.flush();
      return PROBLEM;
    });
    return cl.execute(args);
  }

  private static boolean jsonRequested(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--json")) {
        return true;
      }
      if (!p.hasSubcommand()) {
        break;
      }
    }
    return false;
  }
}

package io.strata.cli;

import io.strata.lsm.Db;
import io.strata.fs.FileSystem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every command shares: {@code --json}, the key format, output and exit codes. */
abstract class Base implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object instead of aligned text.")
  boolean json;

  @Option(names = "--hex", description = "Keys and values as hex (input and output).")
  boolean hex;

  @Option(names = "--utf8", description = "Keys and values as UTF-8 text (input and output).")
  boolean utf8;

  /** The key format the options ask for. */
  Bytes bytes() {
    if (hex && utf8) {
      throw new UsageException("--hex and --utf8 exclude each other");
    }
    return hex ? Bytes.HEX : utf8 ? Bytes.UTF8 : Bytes.AUTO;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Prints {@code d} as text or JSON and returns {@code code}. */
  int emit(Doc d, int code) {
    PrintWriter out = out();
    out.print(json ? Render.json(d) : Render.text(d));
    out.flush();
    return code;
  }

  /** {@code path} must exist (else a usage error). */
  static Path existing(Path path, String what) {
    try {
      if (!FileSystem.real().exists(path)) {
        throw new UsageException(what + " " + path + " does not exist");
      }
    } catch (IOException e) {
      throw new UsageException(what + " " + path + " cannot be read: " + e.getMessage());
    }
    return path;
  }

  /** The store in {@code dir}, opened read-only (no lock, no file written). */
  static Db openReadOnly(Path dir) {
    return Db.openReadOnly(existing(dir, "store directory"));
  }
}

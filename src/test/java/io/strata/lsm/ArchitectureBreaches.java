package io.strata.lsm;

import io.strata.trie.Trie;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Deliberate breaches of every architecture rule, for {@code ArchitectureTest} to show that each
 * rule can fail. Lives in the test sources of strata-tests (in the lsm's package, as a class of the
 * engine would), so it is never part of a library; nothing calls it.
 */
public final class ArchitectureBreaches {
  private ArchitectureBreaches() {}

  /** A package-private type. */
  static final class Hidden {}

  /** An arrow backwards: the engine using the trie. */
  static byte[] usesTheTrie() {
    return Trie.empty().isEmpty() ? new byte[0] : null;
  }

  /** File I/O outside io.strata.fs, twice. */
  static void writesAFile(Path p) throws IOException {
    try (FileChannel c = FileChannel.open(p)) {
      c.force(true);
    }
    Files.write(p, new byte[1]);
  }

  /** A package-private type in a public signature. */
  public static Hidden hidden() {
    return new Hidden();
  }

  /** A type of an internal package in a public signature. */
  public static java.util.List<io.strata.lsm.internal.Fixture> internal() {
    return java.util.List.of();
  }
}

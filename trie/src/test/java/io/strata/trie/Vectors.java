package io.strata.trie;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared Ethereum trie vectors: {@code -Dstrata.vectors=DIR}, else {@code
 * shared/vectors/trie} beside the project root or any folder above the working directory. Tests
 * that need them are skipped (an assumption, with a message) when they are absent.
 */
final class Vectors {
  private Vectors() {}

  static Path dir() {
    String prop = System.getProperty("strata.vectors");
    if (prop != null) {
      Path p = Path.of(prop);
      assumeTrue(Files.isDirectory(p), "skipped: -Dstrata.vectors=" + prop + " is not a folder");
      return p;
    }
    for (Path a = Path.of("").toAbsolutePath(); a != null; a = a.getParent()) {
      Path p = a.resolve("shared").resolve("vectors").resolve("trie");
      if (Files.isRegularFile(p.resolve("trietest.json"))) {
        return p;
      }
    }
    assumeTrue(false, "skipped: the Ethereum trie vectors (../shared/vectors/trie beside the"
        + " project root) are not here; set -Dstrata.vectors=DIR to run these tests");
    return null;
  }

  static Object load(String file) {
    Path p = dir().resolve(file);
    assumeTrue(Files.isRegularFile(p), "skipped: vector file " + p + " is absent");
    try {
      return Json.parse(Files.readString(p, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A vector string as bytes: {@code 0x} hex, otherwise UTF-8. */
  static byte[] bytes(String s) {
    if (s.startsWith("0x")) {
      return hex(s.substring(2));
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] hex(String h) {
    if (h.length() % 2 != 0) {
      h = "0" + h;
    }
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}

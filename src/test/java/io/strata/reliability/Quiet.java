package io.strata.reliability;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Silences the engine's warnings for the length of a campaign (thousands of recoveries each
 * dropping a torn log tail would bury the test output); {@link #close()} restores them.
 */
final class Quiet implements AutoCloseable {
  private static final Logger ENGINE = Logger.getLogger("io.strata");
  private final Level before;

  private Quiet() {
    before = ENGINE.getLevel();
    ENGINE.setLevel(Level.SEVERE);
  }

  static Quiet engineWarnings() {
    return new Quiet();
  }

  @Override
  public void close() {
    ENGINE.setLevel(before);
  }
}

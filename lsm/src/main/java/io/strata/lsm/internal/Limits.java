package io.strata.lsm.internal;

import io.strata.lsm.Db;

/** The key and value limits every part of the engine enforces ({@link Db} publishes them). */
public final class Limits {
  private Limits() {}

  /** Largest key: 64 KiB. */
  public static final int MAX_KEY_BYTES = 64 * 1024;
  /** Largest value: 256 MiB. */
  public static final int MAX_VALUE_BYTES = 256 * 1024 * 1024;
}

package io.strata.wal;

/** How reading a log treats damage. */
public enum RecoveryMode {
  /**
   * A damaged or incomplete record at the very end of the last file, with nothing valid after it,
   * is a write torn by a crash: reading stops cleanly before it, the report says how many bytes were
   * dropped, and recovery truncates them. Damage anywhere else is a {@link CorruptionException}.
   */
  TOLERATE_TORN_TAIL,
  /** Any damage, a torn tail included, is a {@link CorruptionException}. */
  STRICT
}

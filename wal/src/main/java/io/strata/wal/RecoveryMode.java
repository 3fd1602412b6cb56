package io.strata.wal;

import io.strata.CorruptionException;

/**
 * How reading a log treats damage.
 *
 * <p>In both tolerant modes, damage in the last file that touches bytes never written (zeros from
 * there to the end of their 4 KiB page) ends the file even when valid records follow: unsynced
 * pages reach the disk in any order, and nothing at or after a never-written page was synced.
 */
public enum RecoveryMode {
  /**
   * A damaged or incomplete record at the very end of the last file, with nothing valid after it
   * (or touching bytes never written, above), is a write torn by a crash: reading stops cleanly
   * before it, the report says how many bytes were dropped, and recovery truncates them. Damage
   * anywhere else is a {@link CorruptionException}.
   */
  TOLERATE_TORN_TAIL,
  /**
   * Like {@link #TOLERATE_TORN_TAIL}, but only a tail that an interrupted append can leave is
   * dropped: a record cut off by the end of the last file, zero bytes from the damage to the end
   * of the file, or a last record whose bytes stop part-way and are zeros from there through the
   * end of the file (a crash while copying it into a memory-mapped log). A record whose bytes are
   * all there but fail their checksum (bit rot, a bad sector) is a {@link CorruptionException}:
   * it may have been acknowledged, so dropping it would lose data silently. Strata's LSM engine
   * reads its write-ahead log and manifest this way.
   */
  TOLERATE_TRUNCATED_TAIL,
  /** Any damage, a torn tail included, is a {@link CorruptionException}. */
  STRICT
}

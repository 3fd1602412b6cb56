package io.strata.wal;

/**
 * What replaying a log found.
 *
 * @param segments number of segment files read
 * @param records number of complete records delivered
 * @param recordBytes total bytes of those records
 * @param lastSegment number of the last segment read, or -1 when there was none
 * @param droppedBytes bytes of a torn tail that were dropped (0 when the log ended cleanly)
 * @param tornSegment segment whose tail was dropped, or -1
 * @param tornOffset offset in that segment where the dropped tail began, or -1
 * @param tornProblem the check the tail failed, or null
 * @param droppedOnlyZeros whether every dropped byte was zero (the unused end of a memory-mapped or
 *     preallocated segment after a crash: no record was lost)
 */
public record RecoveryReport(
    int segments,
    long records,
    long recordBytes,
    long lastSegment,
    long droppedBytes,
    long tornSegment,
    long tornOffset,
    String tornProblem,
    boolean droppedOnlyZeros) {

  /** Whether a torn tail was found (and, in recovery, truncated). */
  public boolean tornTail() {
    return tornSegment >= 0;
  }
}

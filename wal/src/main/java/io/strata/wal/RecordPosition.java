package io.strata.wal;

/**
 * Where a record starts: the segment (file) number and the byte offset of its first fragment in
 * that file. Ordered by segment, then offset, which is the order records were appended.
 */
public record RecordPosition(long segment, long offset) implements Comparable<RecordPosition> {
  @Override
  public int compareTo(RecordPosition o) {
    int c = Long.compare(segment, o.segment);
    return c != 0 ? c : Long.compare(offset, o.offset);
  }
}

package io.strata.wal;

/** Receives the records of a log in order during replay. */
@FunctionalInterface
public interface RecordConsumer {
  /** Called once per complete record; {@code record} belongs to the consumer. */
  void accept(RecordPosition position, byte[] record);
}

package io.strata.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file open for appending. Not safe for concurrent appends; {@link #sync()} may run in one
 * thread while another appends, and then covers at least every append that returned before it
 * started.
 */
public interface WritableFile extends Closeable {

  /** Appends every remaining byte of {@code src}, handing them to the operating system. */
  void append(ByteBuffer src) throws IOException;

  /** Forces every appended byte to stable storage. */
  void sync() throws IOException;

  /** Cuts the file to {@code size} bytes; later appends go after them. Not durable until sync. */
  void truncate(long size) throws IOException;

  /** The file's length: the bytes it held when opened plus every byte appended since. */
  long size();
}

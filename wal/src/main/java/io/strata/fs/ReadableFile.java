package io.strata.fs;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A file open for positional reads; safe for concurrent use by many threads. */
public interface ReadableFile extends Closeable {

  /**
   * Reads {@code dst.remaining()} bytes starting at {@code position} into {@code dst}.
   *
   * @throws EOFException when the file ends first
   */
  void readFully(long position, ByteBuffer dst) throws IOException;

  /** The file's length in bytes. */
  long size() throws IOException;
}

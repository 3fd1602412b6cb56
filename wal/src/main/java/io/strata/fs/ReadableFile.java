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

  /**
   * The whole file mapped read-only into memory, so reads of it cost no system call, or null when
   * this file is not mapped (the default, and for files of 2 GiB or more): then read it with
   * {@link #readFully}. The mapping is made once, at the first call, of the file's length then;
   * every call returns the same buffer. It is shared: read it only with absolute gets, never change
   * its position or limit.
   *
   * <p>{@link #close()} unmaps it, and a read of an unmapped buffer may crash the JVM: a caller
   * that maps a file must make sure no thread reads the buffer once the file is closed (the table
   * reader counts its references and closes the file after the last). Where the JDK offers no way
   * to unmap, the mapping goes when the buffer is garbage collected.
   *
   * @throws IOException when the file cannot be mapped (a caller may read it with {@link
   *     #readFully} instead)
   */
  default ByteBuffer map() throws IOException {
    return null;
  }
}

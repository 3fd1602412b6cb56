package io.strata.fs;

import java.io.Closeable;
import java.io.IOException;

/** An exclusive lock on a file, from {@link FileSystem#lock}; closing releases it. Idempotent. */
public interface FileLock extends Closeable {
  @Override
  void close() throws IOException;
}

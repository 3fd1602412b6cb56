package io.strata.lsm;

import java.util.List;

/**
 * Iterates a sorted, non-overlapping level both ways, opening one table at a time. Not
 * thread-safe.
 */
final class LevelIterator implements InternalIterator {
  private final List<FileMetadata> files;
  private final TableCache tables;
  private final boolean fillCache;
  private int fileIndex = -1;
  private InternalIterator current;

  LevelIterator(List<FileMetadata> files, TableCache tables, boolean fillCache) {
    this.files = files;
    this.tables = tables;
    this.fillCache = fillCache;
  }

  private void open(int i) {
    if (current != null && i == fileIndex) {
      return;
    }
    if (current != null) {
      current.close();
      current = null;
    }
    fileIndex = i;
    if (i >= 0 && i < files.size()) {
      TableReader t = tables.acquire(files.get(i).number());
      try {
        current = t.iterator(fillCache);
      } finally {
        t.release();
      }
    }
  }

  private void skipForward() {
    while (current != null && !current.isValid()) {
      open(fileIndex + 1);
      if (current != null) {
        current.seekToFirst();
      }
    }
  }

  private void skipBackward() {
    while (current != null && !current.isValid()) {
      open(fileIndex - 1);
      if (current != null) {
        current.seekToLast();
      }
    }
  }

  @Override
  public boolean isValid() {
    return current != null && current.isValid();
  }

  @Override
  public void seekToFirst() {
    open(0);
    if (current != null) {
      current.seekToFirst();
    }
    skipForward();
  }

  @Override
  public void seekToLast() {
    open(files.size() - 1);
    if (current != null) {
      current.seekToLast();
    }
    skipBackward();
  }

  @Override
  public void seek(byte[] target) {
    open(Version.findFile(files, target));
    if (current != null) {
      current.seek(target);
    }
    skipForward();
  }

  @Override
  public void seekForPrev(byte[] target) {
    open(Math.min(Version.findFile(files, target), files.size() - 1));
    if (current != null) {
      current.seekForPrev(target);
    }
    skipBackward();
  }

  @Override
  public void next() {
    current.next();
    skipForward();
  }

  @Override
  public void prev() {
    current.prev();
    skipBackward();
  }

  @Override
  public byte[] key() {
    return current.key();
  }

  @Override
  public byte[] value() {
    return current.value();
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}

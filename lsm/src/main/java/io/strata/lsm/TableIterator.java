package io.strata.lsm;

/**
 * Iterates a table both ways: a position in the index and an iterator over the current data
 * block. Holds a reference on the table until closed. Not thread-safe.
 */
final class TableIterator implements InternalIterator {
  private final TableReader table;
  private final boolean fillCache;
  private int blockIndex = -1;
  private BlockIterator block;
  private boolean closed;

  TableIterator(TableReader table, boolean fillCache) {
    if (!table.retain()) {
      throw new IllegalStateException("table " + table.path() + " is closed");
    }
    this.table = table;
    this.fillCache = fillCache;
  }

  private void load(int i) {
    if (i < 0 || i >= table.blockCount()) {
      blockIndex = -1;
      block = null;
      return;
    }
    if (i != blockIndex || block == null) {
      block = new BlockIterator(table.dataBlock(i, fillCache));
      blockIndex = i;
    }
  }

  private void skipForward() {
    while (block != null && !block.isValid()) {
      load(blockIndex + 1);
      if (block != null) {
        block.seekToFirst();
      }
    }
  }

  private void skipBackward() {
    while (block != null && !block.isValid()) {
      load(blockIndex - 1);
      if (block != null) {
        block.seekToLast();
      }
    }
  }

  @Override
  public boolean isValid() {
    return block != null && block.isValid();
  }

  @Override
  public void seekToFirst() {
    load(0);
    if (block != null) {
      block.seekToFirst();
    }
    skipForward();
  }

  @Override
  public void seekToLast() {
    load(table.blockCount() - 1);
    if (block != null) {
      block.seekToLast();
    }
    skipBackward();
  }

  @Override
  public void seek(byte[] target) {
    load(table.findBlock(target));
    if (block != null) {
      block.seek(target);
    }
    skipForward();
  }

  @Override
  public void seekForPrev(byte[] target) {
    int i = table.findBlock(target);
    load(Math.min(i, table.blockCount() - 1));
    if (block != null) {
      block.seekForPrev(target);
    }
    skipBackward();
  }

  @Override
  public void next() {
    block.next();
    skipForward();
  }

  @Override
  public void prev() {
    block.prev();
    skipBackward();
  }

  @Override
  public byte[] key() {
    return block.key();
  }

  @Override
  public byte[] value() {
    return block.value();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      table.release();
    }
  }
}

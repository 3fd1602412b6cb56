package io.strata.lsm;

/** Iterates the decoded entries of one block both ways. Not thread-safe. */
final class BlockIterator implements InternalIterator {
  private final Block.Entries entries;
  private int index = -1;

  BlockIterator(Block block) {
    this.entries = block.decodeAll();
  }

  @Override
  public boolean isValid() {
    return index >= 0 && index < entries.count;
  }

  @Override
  public void seekToFirst() {
    index = 0;
  }

  @Override
  public void seekToLast() {
    index = entries.count - 1;
  }

  @Override
  public void seek(byte[] target) {
    index = entries.lowerBound(target);
  }

  @Override
  public void seekForPrev(byte[] target) {
    int i = entries.lowerBound(target);
    if (i < entries.count && InternalKeys.compare(entries.keys[i], target) == 0) {
      index = i;
    } else {
      index = i - 1;
    }
  }

  @Override
  public void next() {
    index++;
  }

  @Override
  public void prev() {
    index--;
  }

  @Override
  public byte[] key() {
    return entries.keys[index];
  }

  @Override
  public byte[] value() {
    return entries.value(index);
  }

  @Override
  public void close() {}
}

package io.strata.lsm;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.MergingIterator;
import io.strata.lsm.internal.RefCount;
import io.strata.lsm.internal.memtable.Memtable;
import io.strata.lsm.internal.table.TableCache;
import io.strata.lsm.internal.version.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * What a read sees: the mutable memtable, the memtable being flushed (or null), and the table
 * version, captured together. The {@link Db} swaps in a new view whenever one of them changes; a
 * read or cursor holds a reference to the view it started with, and so to its version, whose files
 * stay on disk until released.
 *
 * <p>Thread-safe: the fields are final; the reference count is atomic.
 */
final class ReadView {
  final Memtable mem;
  final Memtable imm;
  final Version version;
  private final RefCount refs = new RefCount();

  /** @param version retained by the caller for this view; released with the view's last reference */
  ReadView(Memtable mem, Memtable imm, Version version) {
    this.mem = mem;
    this.imm = imm;
    this.version = version;
  }

  boolean retain() {
    return refs.retain();
  }

  void release() {
    if (refs.release()) {
      version.release();
    }
  }

  /** Newest visible version of a key: value, {@link Memtable#DELETED}, or null. */
  byte[] get(byte[] userKey, long sequence, TableCache tables, boolean fillCache) {
    byte[] seekKey = InternalKeys.seekKey(userKey, sequence);
    long hash = io.strata.bloom.BloomFilter.hash(userKey); // for every filter on the way
    byte[] v = mem.get(userKey, seekKey, hash);
    if (v == null && imm != null) {
      v = imm.get(userKey, seekKey, hash);
    }
    if (v == null) {
      v = version.get(userKey, seekKey, hash, tables, fillCache);
    }
    return v;
  }

  InternalIterator iterator(TableCache tables, boolean fillCache) {
    List<InternalIterator> children = new ArrayList<>();
    children.add(mem.iterator());
    if (imm != null) {
      children.add(imm.iterator());
    }
    try {
      version.addIterators(children, tables, fillCache);
    } catch (RuntimeException | Error e) {
      children.forEach(InternalIterator::close); // the tables opened so far
      throw e;
    }
    return new MergingIterator(children);
  }
}

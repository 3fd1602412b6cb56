package io.strata.lsm;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory table of recent writes: a concurrent skip list (the JDK's lock-free {@link
 * ConcurrentSkipListMap}) from internal key to value, so each write adds a new version and never
 * overwrites one.
 *
 * <p>Thread-safety: inserts come from the write path, which serializes them (one group leader at a
 * time); readers and iterators run concurrently with inserts without any lock. A reader filters by
 * sequence number, so entries inserted after its snapshot are invisible to it. Once frozen
 * (immutable, being flushed) no more inserts arrive.
 */
final class Memtable {
  /** Marker returned by {@link #get} for a key whose newest visible version is a deletion. */
  static final byte[] DELETED = new byte[0];

  /** Per-entry bookkeeping counted against the write buffer: skip-list node, arrays, headers. */
  private static final int ENTRY_OVERHEAD = 80;

  private final ConcurrentSkipListMap<byte[], byte[]> map =
      new ConcurrentSkipListMap<>(InternalKeys.COMPARATOR);
  private final AtomicLong bytes = new AtomicLong();
  private final long walSegment;

  /** @param walSegment the first WAL segment holding this memtable's writes */
  Memtable(long walSegment) {
    this.walSegment = walSegment;
  }

  long walSegment() {
    return walSegment;
  }

  void add(long sequence, byte kind, byte[] userKey, byte[] value) {
    add(sequence, kind, userKey, 0, userKey.length, value == null ? DELETED : value);
  }

  /** Adds {@code buf[keyOffset, +keyLength)} at {@code sequence}; the value array is kept. */
  void add(long sequence, byte kind, byte[] buf, int keyOffset, int keyLength, byte[] value) {
    byte[] ikey = InternalKeys.encode(buf, keyOffset, keyLength, sequence, kind);
    byte[] v = kind == InternalKeys.KIND_PUT ? value : DELETED;
    map.put(ikey, v);
    bytes.addAndGet(ikey.length + (long) v.length + ENTRY_OVERHEAD);
  }

  /** A handler that inserts decoded operations at consecutive sequences from {@code first}. */
  WriteBatch.Handler inserter(long first) {
    return new WriteBatch.Handler() {
      private long sequence = first;

      @Override
      public void put(byte[] buf, int keyOffset, int keyLength, int valueOffset, int valueLength) {
        add(sequence++, InternalKeys.KIND_PUT, buf, keyOffset, keyLength,
            java.util.Arrays.copyOfRange(buf, valueOffset, valueOffset + valueLength));
      }

      @Override
      public void delete(byte[] buf, int keyOffset, int keyLength) {
        add(sequence++, InternalKeys.KIND_DELETE, buf, keyOffset, keyLength, DELETED);
      }
    };
  }

  /**
   * The newest version of {@code userKey} with sequence at most {@code sequence}: its value, {@link
   * #DELETED}, or null when this memtable holds no such version. The value is a copy.
   */
  byte[] get(byte[] userKey, long sequence) {
    Map.Entry<byte[], byte[]> e = map.ceilingEntry(InternalKeys.seekKey(userKey, sequence));
    if (e == null || InternalKeys.compareUserKey(e.getKey(), userKey) != 0) {
      return null;
    }
    return InternalKeys.kind(e.getKey()) == InternalKeys.KIND_PUT ? e.getValue().clone() : DELETED;
  }

  /** Bytes of keys, values and bookkeeping held. */
  long approximateBytes() {
    return bytes.get();
  }

  boolean isEmpty() {
    return map.isEmpty();
  }

  InternalIterator iterator() {
    return new MemtableIterator(map);
  }

  /** Iterates a skip list both ways; O(1) per step in one direction, O(log n) to turn. */
  private static final class MemtableIterator implements InternalIterator {
    private final ConcurrentSkipListMap<byte[], byte[]> map;
    private Iterator<Map.Entry<byte[], byte[]>> it;
    private Map.Entry<byte[], byte[]> current;
    private boolean forward;

    MemtableIterator(ConcurrentSkipListMap<byte[], byte[]> map) {
      this.map = map;
    }

    private void step() {
      current = it.hasNext() ? it.next() : null;
    }

    @Override
    public boolean isValid() {
      return current != null;
    }

    @Override
    public void seekToFirst() {
      it = map.entrySet().iterator();
      forward = true;
      step();
    }

    @Override
    public void seekToLast() {
      it = map.descendingMap().entrySet().iterator();
      forward = false;
      step();
    }

    @Override
    public void seek(byte[] target) {
      it = map.tailMap(target, true).entrySet().iterator();
      forward = true;
      step();
    }

    @Override
    public void seekForPrev(byte[] target) {
      it = map.headMap(target, true).descendingMap().entrySet().iterator();
      forward = false;
      step();
    }

    @Override
    public void next() {
      if (!forward) {
        it = map.tailMap(current.getKey(), false).entrySet().iterator();
        forward = true;
      }
      step();
    }

    @Override
    public void prev() {
      if (forward) {
        it = map.headMap(current.getKey(), false).descendingMap().entrySet().iterator();
        forward = false;
      }
      step();
    }

    @Override
    public byte[] key() {
      return current.getKey();
    }

    @Override
    public byte[] value() {
      return current.getValue().clone();
    }

    @Override
    public void close() {}
  }
}

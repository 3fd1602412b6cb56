package io.strata.lsm.internal.memtable;

import io.strata.bloom.BloomFilter;
import io.strata.lsm.internal.BatchFormat;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.Bytes;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The in-memory table of recent writes: a skip list from internal key to value whose nodes live in
 * a few large byte arrays (an arena) instead of a handful of small objects each, so the garbage
 * collector has almost nothing to trace or copy however many entries it holds. Each write adds a
 * new version; nothing is ever overwritten or removed.
 *
 * <p>Thread-safety: one writer at a time (the write path serializes inserts: one group leader at
 * a time, or recovery); any number of readers and iterators concurrently with it, without locks.
 * A node is written completely before it is linked; links are stored with release semantics and
 * read with acquire semantics, so a reader that reaches a node sees all of it. A reader filters by
 * sequence number, so entries inserted after its snapshot are invisible to it. Once frozen
 * (immutable, being flushed) no more inserts arrive.
 *
 * <p>Node layout (8-byte aligned): key length (4 bytes), value length (4), height (4), padding (4),
 * {@code height} links (8 each), internal key, value. A link is {@code chunk << 32 | offset}; 0 is
 * no node (no node starts at offset 0).
 *
 * <p>A {@link KeyFilter} over the user keys (1/64 of the write buffer: about 20 bits per entry of
 * 150 bytes) answers most gets of keys the memtable does not hold without a search.
 */
public final class Memtable {
  /** Marker returned by {@link #get} for a key whose newest visible version is a deletion. */
  public static final byte[] DELETED = new byte[0];

  private static final int MAX_HEIGHT = 12;
  private static final int HEADER = 16;
  private static final long NONE = 0;
  private static final long HEAD = -1;
  /**
   * Just under 2 MiB, so that no heap region is left mostly empty: G1 makes an array of at least
   * half a region humongous (regions of its own, which it never copies), and the arrays' 16-byte
   * header made a chunk of exactly 1 MiB take a whole 2 MiB region (G1's region size for the
   * runner's 1-3 GiB heaps), so the arena occupied twice the heap it held. 2 MiB less 64 bytes
   * fills one 2 MiB region, or two 1 MiB ones; with regions of 4 MiB and more it is an ordinary
   * large array, as a 1 MiB chunk was.
   */
  private static final int DEFAULT_CHUNK = (2 << 20) - 64;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
  private static final VarHandle HEAD_LINKS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long walSegment;
  private final int chunkSize;
  private final KeyFilter filter;
  private final long[] head = new long[MAX_HEIGHT];
  /**
   * Replaced (never changed in place) when a chunk is added, before any node in it is linked. Not
   * volatile: a reader only looks a node up after an acquiring read of a link to it, which the
   * writer stored with release after replacing this array, so the reader sees an array holding
   * the node's chunk. (A volatile read on every hop of a search measurably slowed gets.)
   */
  private byte[][] chunks = new byte[0][];
  private volatile int height = 1;
  private volatile long bytes;

  // writer only
  private byte[] chunk;
  private int chunkIndex;
  private int chunkUsed;
  /** Before each insert: on every level, a node before the key (or HEAD), when ascending. */
  private final long[] prev = new long[MAX_HEIGHT];
  /** The node inserted last, or NONE. */
  private long last = NONE;
  private long random = 0x9E3779B97F4A7C15L;

  /** @param walSegment the first WAL segment holding this memtable's writes */
  public Memtable(long walSegment) {
    this(walSegment, DEFAULT_CHUNK);
  }

  /** A memtable whose chunks suit a write buffer of {@code writeBufferSize} bytes. */
  public static Memtable forWriteBuffer(long walSegment, long writeBufferSize) {
    return new Memtable(walSegment,
        (int) Math.max(4 << 10, Math.min(DEFAULT_CHUNK, writeBufferSize / 8)),
        KeyFilter.bytesFor(writeBufferSize));
  }

  /**
   * @param chunkSize bytes of each arena chunk (larger entries get a chunk of their own); the key
   *     filter is sized for a write buffer of 8 chunks
   */
  public Memtable(long walSegment, int chunkSize) {
    this(walSegment, chunkSize, KeyFilter.bytesFor(8L * chunkSize));
  }

  private Memtable(long walSegment, int chunkSize, long filterBytes) {
    this.walSegment = walSegment;
    this.chunkSize = chunkSize;
    this.filter = new KeyFilter(filterBytes);
  }

  public long walSegment() {
    return walSegment;
  }

  // ---------------------------------------------------------------- arena

  private byte[] chunkOf(long node) {
    return chunks[(int) (node >>> 32)];
  }

  private static int offsetOf(long node) {
    return (int) node;
  }

  /** Room for {@code size} bytes (a multiple of 8); returns the node reference. Writer only. */
  private long allocate(int size) {
    if (size > chunkSize / 4) {
      return addChunk(new byte[size + 8], size); // large entries get a chunk of their own
    }
    if (chunk == null || chunkUsed + size > chunk.length) {
      return addChunk(new byte[chunkSize], size);
    }
    long node = ((long) chunkIndex << 32) | chunkUsed;
    chunkUsed += size;
    return node;
  }

  private long addChunk(byte[] c, int size) {
    byte[][] old = chunks;
    byte[][] grown = Arrays.copyOf(old, old.length + 1);
    grown[old.length] = c;
    chunks = grown; // published before any node in it is linked
    if (c.length == chunkSize) {
      chunk = c;
      chunkIndex = old.length;
      chunkUsed = 8 + size;
    }
    return ((long) old.length << 32) | 8;
  }

  // ---------------------------------------------------------------- nodes

  private long link(long node, int level) {
    if (node == HEAD) {
      return (long) HEAD_LINKS.getAcquire(head, level);
    }
    return (long) LONGS.getAcquire(chunkOf(node), offsetOf(node) + HEADER + 8 * level);
  }

  private void setNext(long node, int level, long to) {
    if (node == HEAD) {
      HEAD_LINKS.setRelease(head, level, to);
    } else {
      LONGS.setRelease(chunkOf(node), offsetOf(node) + HEADER + 8 * level, to);
    }
  }

  private int keyOffset(byte[] c, int offset) {
    return offset + HEADER + 8 * (int) INTS.get(c, offset + 8);
  }

  /** Compares the node's internal key with {@code target}. */
  private int compare(long node, byte[] target) {
    return compare(node, target, 0, target.length);
  }

  private int compare(long node, byte[] t, int tOffset, int tLength) {
    byte[] c = chunkOf(node);
    int offset = offsetOf(node);
    return InternalKeys.compare(c, keyOffset(c, offset), (int) INTS.get(c, offset), t, tOffset,
        tLength);
  }

  private byte[] keyOf(long node) {
    byte[] c = chunkOf(node);
    int offset = offsetOf(node);
    int k = keyOffset(c, offset);
    return Arrays.copyOfRange(c, k, k + (int) INTS.get(c, offset));
  }

  private byte[] valueOf(long node) {
    byte[] c = chunkOf(node);
    int offset = offsetOf(node);
    int v = keyOffset(c, offset) + (int) INTS.get(c, offset);
    return Arrays.copyOfRange(c, v, v + (int) INTS.get(c, offset + 4));
  }

  /** The first node at or after {@code target}, or NONE. */
  private long findGreaterOrEqual(byte[] target) {
    return findGreaterOrEqual(target, 0, target.length, null);
  }

  /**
   * The first node at or after the internal key {@code t[tOffset, +tLength)}, or NONE; fills
   * {@code prev} with the last node before it on each level when given.
   */
  private long findGreaterOrEqual(byte[] t, int tOffset, int tLength, long[] prev) {
    long x = HEAD;
    int level = height - 1;
    while (true) {
      long next = link(x, level);
      if (next != NONE && compare(next, t, tOffset, tLength) < 0) {
        x = next;
      } else {
        if (prev != null) {
          prev[level] = x;
        }
        if (level == 0) {
          return next;
        }
        level--;
      }
    }
  }

  /** The last node before {@code target}, or HEAD. */
  private long findLessThan(byte[] target) {
    long x = HEAD;
    int level = height - 1;
    while (true) {
      long next = link(x, level);
      if (next == NONE || compare(next, target) >= 0) {
        if (level == 0) {
          return x;
        }
        level--;
      } else {
        x = next;
      }
    }
  }

  /** The last node, or HEAD. */
  private long findLast() {
    long x = HEAD;
    int level = height - 1;
    while (true) {
      long next = link(x, level);
      if (next == NONE) {
        if (level == 0) {
          return x;
        }
        level--;
      } else {
        x = next;
      }
    }
  }

  private int randomHeight() {
    // xorshift; each level with probability 1/4
    random ^= random << 13;
    random ^= random >>> 7;
    random ^= random << 17;
    int h = 1;
    long r = random;
    while (h < MAX_HEIGHT && (r & 3) == 0) {
      h++;
      r >>>= 2;
    }
    return h;
  }

  // ---------------------------------------------------------------- writes

  public void add(long sequence, byte kind, byte[] userKey, byte[] value) {
    byte[] v = value == null || kind != InternalKeys.KIND_PUT ? DELETED : value;
    add(sequence, kind, userKey, 0, userKey.length, v, 0, v.length);
  }

  /**
   * Adds {@code buf[keyOffset, +keyLength)} at {@code sequence} with value {@code
   * valueBuf[valueOffset, +valueLength)} (empty for a deletion). Writer only.
   */
  public void add(long sequence, byte kind, byte[] buf, int keyOffset, int keyLength, byte[] valueBuf,
      int valueOffset, int valueLength) {
    int h = randomHeight();
    int ikeyLength = keyLength + InternalKeys.TRAILER_BYTES;
    long size = HEADER + 8L * h + ikeyLength + valueLength;
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("entry of " + size + " bytes is too large");
    }
    int aligned = (int) ((size + 7) & ~7L);
    long node = allocate(aligned);
    bytes += aligned;
    byte[] c = chunkOf(node);
    int offset = offsetOf(node);
    INTS.set(c, offset, ikeyLength);
    INTS.set(c, offset + 4, valueLength);
    INTS.set(c, offset + 8, h);
    int k = offset + HEADER + 8 * h;
    System.arraycopy(buf, keyOffset, c, k, keyLength);
    long trailer = (sequence << 8) | (kind & 0xFF);
    for (int i = 0; i < 8; i++) {
      c[k + keyLength + i] = (byte) (trailer >>> (56 - 8 * i));
    }
    System.arraycopy(valueBuf, valueOffset, c, k + ikeyLength, valueLength);
    filter.add(BloomFilter.hash(buf, keyOffset, keyLength)); // before the node is linked

    if (last != NONE && compare(last, c, k, ikeyLength) < 0) {
      findFromFinger(c, k, ikeyLength); // ascending inserts start near the previous one
    } else {
      findGreaterOrEqual(c, k, ikeyLength, prev);
    }
    int current = height;
    if (h > current) {
      for (int i = current; i < h; i++) {
        prev[i] = HEAD;
      }
      height = h; // readers seeing the new height early find empty head links: harmless
    }
    for (int i = 0; i < h; i++) {
      LONGS.set(c, offset + HEADER + 8 * i, link(prev[i], i));
    }
    for (int i = 0; i < h; i++) {
      setNext(prev[i], i, node); // release: the node is complete
      prev[i] = node; // the predecessor on this level of any later, larger key is at or after it
    }
    last = node;
  }

  /**
   * Fills {@code prev} for a key after the last inserted one. Each {@code prev[level]} is already
   * a node before the key on its level; so is the node the level above ended at. Walking right
   * from whichever of the two is further right finds the level's predecessor in a few steps when
   * the keys are close, instead of a full search from the head.
   */
  private void findFromFinger(byte[] t, int tOffset, int tLength) {
    long x = HEAD;
    for (int level = height - 1; level >= 0; level--) {
      long p = prev[level];
      if (x == HEAD || (p != HEAD && compareNodes(p, x) > 0)) {
        x = p;
      }
      while (true) {
        long next = link(x, level);
        if (next != NONE && compare(next, t, tOffset, tLength) < 0) {
          x = next;
        } else {
          break;
        }
      }
      prev[level] = x;
    }
  }

  private int compareNodes(long a, long b) {
    byte[] c = chunkOf(b);
    int offset = offsetOf(b);
    return compare(a, c, keyOffset(c, offset), (int) INTS.get(c, offset));
  }

  /**
   * Inserts the {@code count} operations of an encoded batch at consecutive sequences from {@code
   * first}. Large batches are inserted in key order, so each insert starts from the previous one
   * (about a third of the cache misses of independent searches for random keys). Writer only.
   */
  public void insertBatch(ByteSource in, int count, long first) {
    if (count < 16) {
      BatchFormat.iterate(in, count, inserter(first));
      return;
    }
    int[] keyOffsets = new int[count];
    int[] keyLengths = new int[count];
    int[] valueOffsets = new int[count];
    int[] valueLengths = new int[count]; // -1: a deletion
    byte[] buf = in.array();
    int[] n = {0};
    BatchFormat.iterate(in, count, new BatchFormat.Handler() {
      @Override
      public void put(byte[] b, int keyOffset, int keyLength, int valueOffset, int valueLength) {
        keyOffsets[n[0]] = keyOffset;
        keyLengths[n[0]] = keyLength;
        valueOffsets[n[0]] = valueOffset;
        valueLengths[n[0]++] = valueLength;
      }

      @Override
      public void delete(byte[] b, int keyOffset, int keyLength) {
        keyOffsets[n[0]] = keyOffset;
        keyLengths[n[0]] = keyLength;
        valueLengths[n[0]++] = -1;
      }
    });
    for (int i : insertionOrder(buf, keyOffsets, keyLengths, count)) {
      if (valueLengths[i] < 0) {
        add(first + i, InternalKeys.KIND_DELETE, buf, keyOffsets[i], keyLengths[i], DELETED, 0, 0);
      } else {
        add(first + i, InternalKeys.KIND_PUT, buf, keyOffsets[i], keyLengths[i], buf,
            valueOffsets[i], valueLengths[i]);
      }
    }
  }

  /**
   * The operations {@code 0..count-1} of a batch (key {@code i} at {@code buf[keyOffsets[i],
   * +keyLengths[i])}) in internal-key order: user key ascending, then the later operation (the
   * higher index, so the higher sequence) first.
   *
   * <p>A primitive sort, not a comparator sort of boxed indices (which took 40% of a large
   * batch's insert): each operation becomes one long, {@value #PREFIX_BITS} bits of its key after
   * the prefix every key of the batch shares, then its index; {@link Arrays#sort(long[])} orders
   * those; only runs whose bits tie are ordered again by full comparison.
   */
  static int[] insertionOrder(byte[] buf, int[] keyOffsets, int[] keyLengths, int count) {
    int[] order = new int[count];
    if (count == 0) {
      return order;
    }
    if (count > INDEX_MASK) {
      return comparatorSort(buf, keyOffsets, keyLengths, count, order);
    }
    int shared = keyLengths[0];
    for (int i = 1; i < count && shared > 0; i++) {
      int m = Arrays.mismatch(buf, keyOffsets[0], keyOffsets[0] + shared, buf, keyOffsets[i],
          keyOffsets[i] + Math.min(shared, keyLengths[i]));
      if (m >= 0) {
        shared = m; // also the length of key i when it is a prefix of the first
      }
    }
    long[] packed = new long[count];
    for (int i = 0; i < count; i++) {
      long p = 0;
      int from = keyOffsets[i] + shared;
      int available = keyLengths[i] - shared;
      for (int j = 0; j < PREFIX_BYTES; j++) {
        p = (p << 8) | (j < available ? buf[from + j] & 0xFF : 0);
      }
      // the prefix's top PREFIX_BITS bits (a non-negative long sorts as unsigned), then the index
      packed[i] = (p >>> (8 * PREFIX_BYTES - PREFIX_BITS)) << INDEX_BITS | i;
    }
    Arrays.sort(packed);
    for (int i = 0; i < count; i++) {
      order[i] = (int) (packed[i] & INDEX_MASK);
    }
    // runs of equal prefix bits: ordered by the whole key (a shorter key padded with zeros ties
    // with its extensions; equal keys must put the later operation first)
    int start = 0;
    for (int i = 1; i <= count; i++) {
      if (i == count || packed[i] >>> INDEX_BITS != packed[start] >>> INDEX_BITS) {
        if (i - start > 1) {
          sortRun(buf, keyOffsets, keyLengths, order, start, i);
        }
        start = i;
      }
    }
    return order;
  }

  private static final int PREFIX_BYTES = 5;
  private static final int PREFIX_BITS = 39;
  private static final int INDEX_BITS = 24;
  private static final int INDEX_MASK = (1 << INDEX_BITS) - 1;

  private static int compareOps(byte[] buf, int[] keyOffsets, int[] keyLengths, int a, int b) {
    int c = Arrays.compareUnsigned(buf, keyOffsets[a], keyOffsets[a] + keyLengths[a],
        buf, keyOffsets[b], keyOffsets[b] + keyLengths[b]);
    return c != 0 ? c : Integer.compare(b, a);
  }

  private static void sortRun(byte[] buf, int[] keyOffsets, int[] keyLengths, int[] order,
      int from, int to) {
    if (to - from <= 16) {
      for (int i = from + 1; i < to; i++) {
        int x = order[i];
        int j = i - 1;
        while (j >= from && compareOps(buf, keyOffsets, keyLengths, order[j], x) > 0) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = x;
      }
      return;
    }
    Integer[] run = new Integer[to - from];
    for (int i = from; i < to; i++) {
      run[i - from] = order[i];
    }
    Arrays.sort(run, (a, b) -> compareOps(buf, keyOffsets, keyLengths, a, b));
    for (int i = from; i < to; i++) {
      order[i] = run[i - from];
    }
  }

  private static int[] comparatorSort(byte[] buf, int[] keyOffsets, int[] keyLengths, int count,
      int[] order) {
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    sortRun(buf, keyOffsets, keyLengths, order, 0, count);
    return order;
  }

  /** A handler that inserts decoded operations at consecutive sequences from {@code first}. */
  public BatchFormat.Handler inserter(long first) {
    return new BatchFormat.Handler() {
      private long sequence = first;

      @Override
      public void put(byte[] buf, int keyOffset, int keyLength, int valueOffset, int valueLength) {
        add(sequence++, InternalKeys.KIND_PUT, buf, keyOffset, keyLength, buf, valueOffset,
            valueLength);
      }

      @Override
      public void delete(byte[] buf, int keyOffset, int keyLength) {
        add(sequence++, InternalKeys.KIND_DELETE, buf, keyOffset, keyLength, DELETED, 0, 0);
      }
    };
  }

  // ---------------------------------------------------------------- reads

  /**
   * The newest version of {@code userKey} with sequence at most {@code sequence}: its value, {@link
   * #DELETED}, or null when this memtable holds no such version. The value is a copy.
   */
  public byte[] get(byte[] userKey, long sequence) {
    return get(userKey, InternalKeys.seekKey(userKey, sequence));
  }

  /** As {@link #get(byte[], long)}, with the seek key already built ({@link InternalKeys#seekKey}). */
  public byte[] get(byte[] userKey, byte[] seekKey) {
    return get(userKey, seekKey, BloomFilter.hash(userKey));
  }

  /**
   * As {@link #get(byte[], byte[])}, with the key's hash ({@link BloomFilter#hash(byte[])}) already
   * computed: a key the filter rules out costs no search.
   */
  public byte[] get(byte[] userKey, byte[] seekKey, long hash) {
    if (!filter.mightContain(hash)) {
      return null;
    }
    long node = findGreaterOrEqual(seekKey);
    if (node == NONE) {
      return null;
    }
    byte[] c = chunkOf(node);
    int offset = offsetOf(node);
    int k = keyOffset(c, offset);
    int ikeyLength = (int) INTS.get(c, offset);
    int userLength = ikeyLength - InternalKeys.TRAILER_BYTES;
    if (!Arrays.equals(c, k, k + userLength, userKey, 0, userKey.length)) {
      return null;
    }
    if (c[k + ikeyLength - 1] != InternalKeys.KIND_PUT) {
      return DELETED;
    }
    return Arrays.copyOfRange(c, k + ikeyLength, k + ikeyLength + (int) INTS.get(c, offset + 4));
  }

  /** Bytes of the nodes (keys, values, links and headers); chunk ends left unused not counted. */
  public long approximateBytes() {
    return bytes;
  }

  public boolean isEmpty() {
    return link(HEAD, 0) == NONE;
  }

  public InternalIterator iterator() {
    return new MemtableIterator();
  }

  /** Walks the skip list both ways: O(1) forward, O(log n) backward (a search per step). */
  private final class MemtableIterator implements InternalIterator {
    private long node = NONE;

    @Override
    public boolean isValid() {
      return node != NONE;
    }

    @Override
    public void seekToFirst() {
      node = link(HEAD, 0);
    }

    @Override
    public void seekToLast() {
      long last = findLast();
      node = last == HEAD ? NONE : last;
    }

    @Override
    public void seek(byte[] target) {
      node = findGreaterOrEqual(target);
    }

    @Override
    public void seekForPrev(byte[] target) {
      long at = findGreaterOrEqual(target);
      if (at != NONE && compare(at, target) == 0) {
        node = at;
      } else {
        long before = findLessThan(target);
        node = before == HEAD ? NONE : before;
      }
    }

    @Override
    public void next() {
      node = link(node, 0);
    }

    @Override
    public void prev() {
      long before = findLessThan(keyOf(node));
      node = before == HEAD ? NONE : before;
    }

    @Override
    public byte[] key() {
      return keyOf(node);
    }

    @Override
    public byte[] value() {
      return valueOf(node);
    }

    // the views read the node in its chunk, which no insert changes

    @Override
    public byte[] keyArray() {
      return chunkOf(node);
    }

    @Override
    public int keyOffset() {
      return Memtable.this.keyOffset(chunkOf(node), offsetOf(node));
    }

    @Override
    public int keyLength() {
      return (int) INTS.get(chunkOf(node), offsetOf(node));
    }

    @Override
    public byte[] valueArray() {
      return chunkOf(node);
    }

    @Override
    public int valueOffset() {
      byte[] c = chunkOf(node);
      int offset = offsetOf(node);
      return Memtable.this.keyOffset(c, offset) + (int) INTS.get(c, offset);
    }

    @Override
    public int valueLength() {
      return (int) INTS.get(chunkOf(node), offsetOf(node) + 4);
    }

    @Override
    public void close() {}
  }
}

package io.strata.lsm.internal.memtable;

import io.strata.bloom.BloomFilter;
import io.strata.lsm.internal.BatchFormat;
import io.strata.lsm.internal.ByteSource;
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
 * <p>Node layout (8-byte aligned): {@code height} pairs of a link (8 bytes) and a hint (8), from
 * the top level down; then, where the node's reference points, key length (4 bytes), value length
 * (4), height (4), padding (4), internal key, value. The key's place does not depend on the
 * height, so a comparison does not wait for the header to be read before it can read the key, and
 * the level-0 pair, the header and a short key share a cache line or two adjacent ones. A link is
 * {@code chunk << 32 | offset}; 0 is no node (no node is at offset 0). The head has the same
 * pairs.
 *
 * <p>Hints. A random insert or get is bound by cache misses, one per node whose key it compares.
 * Beside each link is a hint about the next node's key, so that most "the next node is after the
 * key: go down" decisions are taken from the predecessor's own cache line without touching the
 * next node. Keys often share long prefixes (db_bench keys begin with ten zeros), so the hint is
 * taken where the two keys part: with {@code lcp} the length of the common prefix of two user keys
 * and {@code window(k, d)} bytes {@code d..d+6} of user key {@code k} as a big-endian number (zeros
 * past its end), invariant: <b>the hint of a link from P to L is {@code d << 56 | window(L, d)}
 * with {@code d <= min(lcp(P, L), 255)}</b>. The writer keeps it: inserting N between P and L, N
 * takes P's hint (N agrees with P and L on their first {@code lcp(P, L)} bytes, so it holds for N
 * and L), and P's becomes {@code min(lcp(P, N), 255) << 56 | window(N, ...)}. A search standing at
 * {@code P < T} knows {@code e = min(lcp(P, T), 255)} (from the comparison that brought it to P; 0
 * at the head). If {@code e >= d} then T, P and L agree on their first d bytes, so {@code
 * window(T, d) < window(L, d)} means {@code T < L}; otherwise the keys are compared in full. The
 * writer also concludes {@code T > L} from {@code e < d} or a greater window, for one shortcut.
 *
 * <p>Hints and readers. A link and its hint are two words, not updated together. The insert of N
 * after P stores P's new hint (opaque) before the link to N (release), and a reader reads the
 * hint (opaque) after acquiring the link; the two orders of a mismatched pair are: (1) the new
 * link N with the old hint, describing the old successor L > N: "T before L" would not put T
 * before N (ruled out by the ordering: a reader that acquired N reads N's hint or a later one,
 * which describes a node inserted between P and N, so "T before it" still puts T before N); (2)
 * the old link L with N's hint: "T before N" puts T before L, always true. A reader relies on
 * neither: it uses hints only above level 0, where a wrong "T before the next node" only ends that
 * level early at a node still before T, and the search goes on one level down (every level holds
 * all nodes of the levels above it), so it still ends at the right node, at worst with more steps.
 * At level 0, whose last step is the answer, a reader always compares in full (its caller reads
 * that node anyway). The writer reads only its own hints, uses them on every level, and never
 * sees a mismatched pair: the predecessors it finds must be exact.
 *
 * <p>A {@link KeyFilter} over the user keys (1/64 of the write buffer: about 20 bits per entry of
 * 150 bytes) answers most gets of keys the memtable does not hold without a search.
 */
public final class Memtable {
  /** Marker returned by {@link #get} for a key whose newest visible version is a deletion. */
  public static final byte[] DELETED = new byte[0];

  /** With each level holding half the nodes of the one below: 2^24 nodes before searches slow. */
  private static final int MAX_HEIGHT = 24;
  private static final int HEADER = 16;
  /** Bytes of a link and its hint. */
  private static final int PAIR = 16;
  private static final long NONE = 0;
  private static final long HEAD = -1;
  private static final long WINDOW = (1L << 56) - 1;
  private static final int MAX_LCP = 255;
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
  private static final VarHandle LONGS_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
  private static final VarHandle HEAD_LINKS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long walSegment;
  private final int chunkSize;
  private final KeyFilter filter;
  /** The head's link and hint of each level, at {@code 2 * level} and {@code 2 * level + 1}. */
  private final long[] head = new long[2 * MAX_HEIGHT];
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
  /** Before each insert: on every level, the last node before the previous key (or HEAD). */
  private final long[] prev = new long[MAX_HEIGHT];
  /** {@code min(lcp(prev[level], key), 255)} for the same key (the new key during an insert). */
  private final int[] prevLcp = new int[MAX_HEIGHT];
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
      return (long) HEAD_LINKS.getAcquire(head, 2 * level);
    }
    return (long) LONGS.getAcquire(chunkOf(node), pairAt(node, level));
  }

  /** The hint beside {@link #link}: read after it, opaque (never torn), no ordering of its own. */
  private long hint(long node, int level) {
    if (node == HEAD) {
      return (long) HEAD_LINKS.getOpaque(head, 2 * level + 1);
    }
    return (long) LONGS.getOpaque(chunkOf(node), pairAt(node, level) + 8);
  }

  /** Links {@code node} to {@code to} on {@code level}, hint first (opaque), then link (release). */
  private void setNext(long node, int level, long to, long hint) {
    if (node == HEAD) {
      HEAD_LINKS.setOpaque(head, 2 * level + 1, hint);
      HEAD_LINKS.setRelease(head, 2 * level, to);
    } else {
      byte[] c = chunkOf(node);
      int at = pairAt(node, level);
      LONGS.setOpaque(c, at + 8, hint);
      LONGS.setRelease(c, at, to); // the node linked is complete
    }
  }

  /** Where the node's link and hint of {@code level} are: just before its header, level 0 last. */
  private static int pairAt(long node, int level) {
    return offsetOf(node) - PAIR * (level + 1);
  }

  private int keyOffset(byte[] c, int offset) {
    return offset + HEADER;
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

  private static final int BEFORE = 0;
  private static final int EQUAL = 1;
  private static final int AFTER = 2;

  /**
   * Where the node's internal key lies against the internal key {@code t[tOffset, +tLength)}:
   * {@code min(lcp, 255) << 2 | BEFORE, EQUAL or AFTER}, lcp that of the user keys.
   */
  private int order(long node, byte[] t, int tOffset, int tLength) {
    byte[] c = chunkOf(node);
    int offset = offsetOf(node);
    int k = keyOffset(c, offset);
    int nUser = (int) INTS.get(c, offset) - InternalKeys.TRAILER_BYTES;
    int tUser = tLength - InternalKeys.TRAILER_BYTES;
    int m = Arrays.mismatch(c, k, k + nUser, t, tOffset, tOffset + tUser);
    int where;
    if (m < 0) { // the same user key: the larger trailer (the newer version) first
      m = nUser;
      int cmp = Long.compareUnsigned((long) LONGS_BE.get(t, tOffset + tUser),
          (long) LONGS_BE.get(c, k + nUser));
      where = cmp < 0 ? BEFORE : cmp == 0 ? EQUAL : AFTER;
    } else if (m == nUser) {
      where = BEFORE; // a proper prefix of the target's
    } else if (m == tUser) {
      where = AFTER;
    } else {
      where = (c[k + m] & 0xFF) < (t[tOffset + m] & 0xFF) ? BEFORE : AFTER;
    }
    return Math.min(m, MAX_LCP) << 2 | where;
  }

  /**
   * {@code window(k, d)} of the internal key at {@code a[keyStart, +userLength + 8)}: its user
   * key's bytes {@code d..d+6} as a big-endian number, zeros past the user key's end. Needs
   * {@code d <= userLength} (the 8 trailer bytes keep the read in bounds).
   */
  private static long window(byte[] a, int keyStart, int userLength, int d) {
    long w = (long) LONGS_BE.get(a, keyStart + d) >>> 8;
    int available = userLength - d;
    if (available < 7) {
      w &= -1L << (8 * (7 - available)); // the trailer's bytes read as zeros
    }
    return w;
  }

  /**
   * Whether the hint of {@code x}'s link on {@code level} shows that the internal key {@code
   * t[tOffset, +tLength)} is before the node linked, given {@code e = min(lcp(x, t), 255)} and
   * {@code x} before {@code t}.
   */
  private boolean hintSaysBefore(long x, int level, int e, byte[] t, int tOffset, int tLength) {
    long h = hint(x, level);
    int d = (int) (h >>> 56);
    return e >= d && window(t, tOffset, tLength - InternalKeys.TRAILER_BYTES, d) < (h & WINDOW);
  }

  /**
   * Where the node after {@code x} on {@code level} lies against the internal key {@code
   * t[tOffset, +tLength)} by the hint alone: AFTER, BEFORE, or UNKNOWN (equal windows), given
   * {@code e = min(lcp(x, t), 255)} and {@code x} before {@code t}. Writer only: concluding BEFORE
   * needs a hint true of the link read (a reader's may be older or newer).
   */
  private int hintOrder(long x, int level, int e, byte[] t, int tOffset, int tLength) {
    long h = hint(x, level);
    int d = (int) (h >>> 56);
    if (e < d) {
      return BEFORE; // the key leaves x's bytes before the next node does: it is after that node
    }
    long w = window(t, tOffset, tLength - InternalKeys.TRAILER_BYTES, d);
    long n = h & WINDOW;
    return w < n ? AFTER : w > n ? BEFORE : UNKNOWN;
  }

  private static final int UNKNOWN = 3;

  /** The hint for a link from a node to {@code node}, {@code d = min(lcp of the two, 255)}. */
  private long hintFor(long node, int d) {
    byte[] c = chunkOf(node);
    int offset = offsetOf(node);
    int userLength = (int) INTS.get(c, offset) - InternalKeys.TRAILER_BYTES;
    return (long) d << 56 | window(c, keyOffset(c, offset), userLength, d);
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

  /** The first node at or after {@code target}, or NONE. Any thread. */
  private long findGreaterOrEqual(byte[] target) {
    byte[] t = target;
    int tLength = target.length;
    long x = HEAD;
    int e = 0; // min(lcp(x, target), 255); 0 at the head
    int level = height - 1;
    while (true) {
      long next = link(x, level);
      if (next != NONE && (level == 0 || !hintSaysBefore(x, level, e, t, 0, tLength))) {
        int o = order(next, t, 0, tLength);
        if ((o & 3) == BEFORE) {
          x = next;
          e = o >>> 2;
          continue;
        }
      }
      if (level == 0) {
        return next;
      }
      level--;
    }
  }

  /**
   * Fills {@code prev} and {@code prevLcp} for the internal key {@code t[tOffset, +tLength)}: on
   * each level the last node before it. Writer only (it trusts the hints on every level).
   */
  private void findPredecessors(byte[] t, int tOffset, int tLength) {
    long x = HEAD;
    int e = 0;
    for (int level = height - 1; level >= 0; level--) {
      e = walk(x, e, level, t, tOffset, tLength);
      x = prev[level];
    }
  }

  /**
   * From {@code x} (before the key, {@code e} its lcp with it) right along {@code level} to the
   * last node before the key; stores it in {@code prev[level]} and returns its lcp (also in {@code
   * prevLcp}). Writer only.
   */
  private int walk(long x, int e, int level, byte[] t, int tOffset, int tLength) {
    while (true) {
      long next = link(x, level);
      if (next == NONE || hintSaysBefore(x, level, e, t, tOffset, tLength)) {
        break;
      }
      int o = order(next, t, tOffset, tLength);
      if ((o & 3) != BEFORE) {
        break;
      }
      x = next;
      e = o >>> 2;
    }
    prev[level] = x;
    prevLcp[level] = e;
    return e;
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

  /**
   * Each level with probability p = 1/2 (xorshift, never 0). With hints a search visits about
   * {@code (1 - p) / p} nodes per level (the one after the key is mostly decided by the hint), in
   * all {@code (1 - p) / p * log(n) / log(1 / p)}: for p = 1/2 about 0.7 times the nodes of p =
   * 1/4, for 10.7 more bytes of pairs per node on average (2 pairs against 1.33). Measured on 400k
   * random 16-byte keys: 10% less CPU per insert than p = 1/4 with the same hints and layout.
   */
  private int randomHeight() {
    random ^= random << 13;
    random ^= random >>> 7;
    random ^= random << 17;
    return Math.min(MAX_HEIGHT, 1 + Long.numberOfTrailingZeros(random));
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
    add(sequence, kind, buf, keyOffset, keyLength, valueBuf, valueOffset, valueLength, false);
  }

  /**
   * As {@link #add(long, byte, byte[], int, int, byte[], int, int)}; {@code ascending}: the key
   * is probably a little after the previous one (a sorted batch), so the search starts there.
   */
  private void add(long sequence, byte kind, byte[] buf, int keyOffset, int keyLength,
      byte[] valueBuf, int valueOffset, int valueLength, boolean ascending) {
    int h = randomHeight();
    int ikeyLength = keyLength + InternalKeys.TRAILER_BYTES;
    long size = (long) PAIR * h + HEADER + ikeyLength + valueLength;
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("entry of " + size + " bytes is too large");
    }
    int aligned = (int) ((size + 7) & ~7L);
    long node = allocate(aligned) + PAIR * h; // the pairs come first
    bytes += aligned;
    byte[] c = chunkOf(node);
    int offset = offsetOf(node);
    INTS.set(c, offset, ikeyLength);
    INTS.set(c, offset + 4, valueLength);
    INTS.set(c, offset + 8, h);
    int k = offset + HEADER;
    System.arraycopy(buf, keyOffset, c, k, keyLength);
    long trailer = (sequence << 8) | (kind & 0xFF);
    for (int i = 0; i < 8; i++) {
      c[k + keyLength + i] = (byte) (trailer >>> (56 - 8 * i));
    }
    System.arraycopy(valueBuf, valueOffset, c, k + ikeyLength, valueLength);
    filter.add(BloomFilter.hash(buf, keyOffset, keyLength)); // before the node is linked

    findPlace(c, k, ikeyLength, ascending);
    int current = height;
    if (h > current) {
      for (int i = current; i < h; i++) {
        prev[i] = HEAD;
        prevLcp[i] = 0;
      }
      height = h; // readers seeing the new height early find empty head links: harmless
    }
    for (int i = 0; i < h; i++) {
      // the node takes over its predecessor's link and hint: the hint, true of the predecessor and
      // the next node, is true of the new node and the next one (see the class comment)
      LONGS.set(c, offset - PAIR * (i + 1), link(prev[i], i));
      LONGS.set(c, offset - PAIR * (i + 1) + 8, hint(prev[i], i));
    }
    for (int i = 0; i < h; i++) {
      setNext(prev[i], i, node, hintFor(node, prevLcp[i])); // release: the node is complete
      prev[i] = node; // the predecessor on this level of any later, larger key is at or after it
      prevLcp[i] = MAX_LCP;
    }
    last = node;
  }

  /**
   * Fills {@code prev} and {@code prevLcp} for the key {@code t[tOffset, +tLength)}. A key right
   * after the previous one (nothing between them: an ascending run) needs no search; for other
   * keys after it, a sorted batch ({@code ascending}) walks from the previous key's predecessors,
   * anything else searches from the head (for random keys the finger saves nothing).
   */
  private void findPlace(byte[] t, int tOffset, int tLength, boolean ascending) {
    if (last != NONE) {
      int o = order(last, t, tOffset, tLength);
      if ((o & 3) == BEFORE) {
        int e = o >>> 2;
        long after = link(last, 0);
        int where = after == NONE ? AFTER : hintOrder(last, 0, e, t, tOffset, tLength);
        if (where == UNKNOWN) {
          where = order(after, t, tOffset, tLength) & 3;
        }
        if (where != BEFORE) {
          // every prev[level] is still the last node before the key on its level
          for (int level = 0; level < height; level++) {
            prevLcp[level] = Math.min(prevLcp[level], e);
          }
          return;
        }
        if (ascending) {
          findFromFinger(t, tOffset, tLength, e);
          return;
        }
      }
    }
    findPredecessors(t, tOffset, tLength);
  }

  /**
   * Fills {@code prev} for a key after the last inserted one ({@code e} their lcp). Each {@code
   * prev[level]} is already a node before the key on its level; so is the node the level above
   * ended at. Walking right from whichever of the two is further right finds the level's
   * predecessor in a few steps when the keys are close, instead of a full search from the head.
   */
  private void findFromFinger(byte[] t, int tOffset, int tLength, int e) {
    long x = HEAD;
    int xLcp = 0;
    for (int level = height - 1; level >= 0; level--) {
      long p = prev[level];
      // of two nodes before the key, the one sharing a longer prefix with it is the later one
      int pLcp = Math.min(prevLcp[level], e);
      if (x == HEAD || (p != HEAD && (pLcp > xLcp || pLcp == xLcp && compareNodes(p, x) > 0))) {
        x = p;
        xLcp = pLcp;
      }
      xLcp = walk(x, xLcp, level, t, tOffset, tLength);
      x = prev[level];
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
        add(first + i, InternalKeys.KIND_DELETE, buf, keyOffsets[i], keyLengths[i], DELETED, 0, 0,
            true);
      } else {
        add(first + i, InternalKeys.KIND_PUT, buf, keyOffsets[i], keyLengths[i], buf,
            valueOffsets[i], valueLengths[i], true);
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
   * computed: a key the filter rules out costs no search, and an empty memtable (the first after
   * an open or a flush, for a store that is mostly read) not even the filter's cache line.
   */
  public byte[] get(byte[] userKey, byte[] seekKey, long hash) {
    if (isEmpty() || !filter.mightContain(hash)) {
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

  /**
   * Test only (with no insert running): checks every level, head first, and returns what is
   * wrong, or null. On each level the nodes must be in strictly ascending internal-key order and
   * tall enough, and each link's hint must hold: {@code d <= min(lcp(P, L), 255)} and the window
   * exactly {@code window(L, d)}.
   */
  String checkStructure() {
    for (int level = 0; level < height; level++) {
      long x = HEAD;
      int n = 0;
      for (long next = link(x, level); next != NONE; x = next, next = link(x, level), n++) {
        byte[] c = chunkOf(next);
        int offset = offsetOf(next);
        if ((int) INTS.get(c, offset + 8) <= level) {
          return "level " + level + " node " + n + " has height " + INTS.get(c, offset + 8);
        }
        int lcp = 0;
        if (x != HEAD) {
          byte[] xc = chunkOf(x);
          int xo = offsetOf(x);
          int o = order(next, xc, keyOffset(xc, xo), (int) INTS.get(xc, xo));
          if ((o & 3) != AFTER) {
            return "level " + level + " node " + n + " is not after its predecessor";
          }
          lcp = o >>> 2;
        }
        long h = hint(x, level);
        int d = (int) (h >>> 56);
        int userLength = (int) INTS.get(c, offset) - InternalKeys.TRAILER_BYTES;
        if (d > lcp) {
          return "level " + level + " node " + n + ": hint offset " + d + " > lcp " + lcp;
        }
        if ((h & WINDOW) != window(c, keyOffset(c, offset), userLength, d)) {
          return "level " + level + " node " + n + ": hint window is not the node's";
        }
      }
    }
    return null;
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

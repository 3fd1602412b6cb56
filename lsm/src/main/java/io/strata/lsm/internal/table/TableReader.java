package io.strata.lsm.internal.table;

import io.strata.CorruptionException;
import io.strata.StrataException;
import io.strata.bloom.BloomFilter;
import io.strata.fs.FileSystem;
import io.strata.fs.ReadableFile;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.RefCount;
import io.strata.lsm.internal.memtable.Memtable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An open table file: footer, index, Bloom filter and properties in memory; data blocks read on
 * demand through the shared {@link BlockCache}. Every block read from disk has its checksum
 * verified before use.
 *
 * <p>Thread-safe: any number of threads may read at once (reads are positional). Reference
 * counted: the {@link TableCache} holds one reference, each user one more; the file closes when the
 * count reaches zero.
 */
public final class TableReader {
  private final ReadableFile file;
  private final Path path;
  private final long number;
  private final long size;
  private final BlockCache cache;
  private final Footer footer;
  private final byte[][] indexKeys;
  /**
   * The user-key bytes every index key starts with (the common prefix of the first and the last,
   * so of all of them: they are sorted).
   */
  private final byte[] indexPrefix;
  /**
   * Per index key, the 8 user-key bytes after {@link #indexPrefix} as a big-endian long (zeros past
   * the key's end): unsigned order of these agrees with key order where they differ, so the index
   * search compares longs held in one array and reads a key only on a tie.
   */
  private final long[] indexWords;
  private final BlockHandle[] indexHandles;
  private final BloomFilter filter;
  private final TableProperties properties;
  private final RefCount refs = new RefCount();
  private final int maxBlockBytes;
  /**
   * The file mapped read-only (its first {@code size} bytes), so a block read is a copy out of the
   * page cache instead of a system call; null when the file system does not map files (then reads
   * go through {@link ReadableFile#readFully}). Read only while a reference is held: the file,
   * and with it the mapping, closes after the last.
   */
  private final ByteBuffer mapped;

  private TableReader(ReadableFile file, Path path, long number, long size, BlockCache cache,
      int maxBlockBytes, boolean map) {
    this.file = file;
    this.mapped = map ? mapOrNull(file, size) : null;
    this.path = path;
    this.number = number;
    this.size = size;
    this.cache = cache;
    this.maxBlockBytes = maxBlockBytes;
    if (size < TableFormat.FOOTER_BYTES) {
      throw new CorruptionException(path, 0, "table file of " + size
          + " bytes is shorter than its " + TableFormat.FOOTER_BYTES + "-byte footer");
    }
    long footerAt = size - TableFormat.FOOTER_BYTES;
    this.footer = Footer.decode(read(footerAt, TableFormat.FOOTER_BYTES), path, footerAt, size);
    this.properties = TableProperties.decode(contents(footer.properties(), "properties block"),
        path, footer.properties().offset());
    if (footer.partitionedIndex() != (properties.indexLevels() > 1)) {
      throw new CorruptionException(path, footerAt + 48, "table format version "
          + footer.version() + " does not match an index of " + properties.indexLevels()
          + " levels recorded in the properties");
    }
    List<byte[]> keys = new ArrayList<>();
    List<BlockHandle> handles = new ArrayList<>();
    readIndex(footer.index(), properties.indexLevels(), keys, handles, footerAt);
    indexKeys = keys.toArray(new byte[0][]);
    indexHandles = handles.toArray(new BlockHandle[0]);
    indexPrefix = commonUserPrefix(indexKeys);
    indexWords = new long[indexKeys.length];
    for (int i = 0; i < indexKeys.length; i++) {
      byte[] k = indexKeys[i];
      indexWords[i] = word(k, k.length - InternalKeys.TRAILER_BYTES, indexPrefix.length);
    }
    BloomFilter f = null;
    if (footer.filter().size() > 0) {
      byte[] bytes = contents(footer.filter(), "filter block");
      try {
        f = BloomFilter.view(ByteBuffer.wrap(bytes));
      } catch (IllegalArgumentException e) {
        throw new CorruptionException(path, footer.filter().offset(), "filter block: "
            + e.getMessage(), e);
      }
    }
    this.filter = f;
  }

  /**
   * Appends the data blocks' index entries under index block {@code h} of level {@code level}
   * (1: its entries name data blocks; above: they name index blocks of the level below, by their
   * last key). Keys must increase strictly across partitions too.
   */
  private void readIndex(BlockHandle h, int level, List<byte[]> keys, List<BlockHandle> handles,
      long footerAt) {
    String what = level == 1 ? "index block" : "index block of level " + level;
    Block block = Block.parse(contents(h, what), path, h.offset(), what);
    Block.Entries entries = block.decodeAll();
    for (int i = 0; i < entries.count; i++) {
      byte[] key = entries.keys[i];
      byte[] v = entries.value(i);
      ByteSource in = new ByteSource(v, 0, v.length, path, h.offset(), "index entry");
      BlockHandle child = BlockHandle.decode(in, footerAt);
      if (level == 1) {
        if (!keys.isEmpty() && InternalKeys.compare(keys.get(keys.size() - 1), key) >= 0) {
          throw new CorruptionException(path, h.offset(), what + ": keys out of order across"
              + " index partitions");
        }
        keys.add(key);
        handles.add(child);
      } else {
        int before = keys.size();
        readIndex(child, level - 1, keys, handles, footerAt);
        if (keys.size() == before
            || !java.util.Arrays.equals(keys.get(keys.size() - 1), key)) {
          throw new CorruptionException(path, h.offset(), what + ": entry " + i
              + " does not name the last key of the index block it points to");
        }
      }
    }
  }

  public static TableReader open(FileSystem fs, Path path, long number, BlockCache cache) {
    return open(fs, path, number, cache, TableFormat.MAX_BLOCK_BYTES);
  }

  /** Opens a table whose blocks may not exceed {@code maxBlockBytes} (smaller only in tests). */
  public static TableReader open(FileSystem fs, Path path, long number, BlockCache cache,
      int maxBlockBytes) {
    return open(fs, path, number, cache, maxBlockBytes, false);
  }

  /**
   * As {@link #open(FileSystem, Path, long, BlockCache, int)}, reading the file through a memory
   * mapping when {@code map} and the file system maps it (see {@link ReadableFile#map()}).
   */
  public static TableReader open(FileSystem fs, Path path, long number, BlockCache cache,
      int maxBlockBytes, boolean map) {
    ReadableFile f;
    try {
      f = fs.openForRead(path);
    } catch (java.nio.file.NoSuchFileException e) {
      // only live tables are opened: the manifest names a file the store does not have
      throw new CorruptionException(path, 0, "table " + number + " is missing: the manifest"
          + " lists it but there is no such file", e);
    } catch (IOException e) {
      throw new StrataException("cannot open table " + path + ": " + e.getMessage(), e);
    }
    try {
      return new TableReader(f, path, number, f.size(), cache, maxBlockBytes, map);
    } catch (IOException e) {
      closeQuietly(f, e);
      throw new StrataException("cannot read table " + path + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      closeQuietly(f, e);
      throw e;
    }
  }

  private static void closeQuietly(ReadableFile f, Throwable primary) {
    try {
      f.close();
    } catch (IOException suppressed) {
      primary.addSuppressed(suppressed);
    }
  }

  private byte[] read(long at, int length) {
    byte[] b = new byte[length];
    readInto(at, b, length);
    return b;
  }

  private static ByteBuffer mapOrNull(ReadableFile file, long size) {
    ByteBuffer m;
    try {
      m = file.map();
    } catch (IOException | RuntimeException e) {
      return null; // cannot be mapped (address space, file system): read with system calls
    }
    return m != null && m.capacity() >= size ? m : null;
  }

  private void readInto(long at, byte[] b, int length) {
    ByteBuffer m = mapped;
    if (m != null) {
      if (at < 0 || at > size - length) {
        throw new StrataException("I/O error reading " + length + " bytes at offset " + at
            + " of " + path + ": end of file at " + size);
      }
      // a fault on a mapped page (the file shrank under the mapping, or the disk failed) is an
      // InternalError the JVM may deliver a little later: the block reads below catch it
      m.get((int) at, b, 0, length);
      return;
    }
    try {
      file.readFully(at, ByteBuffer.wrap(b, 0, length));
    } catch (IOException e) {
      throw new StrataException("I/O error reading " + length + " bytes at offset " + at + " of "
          + path + ": " + e.getMessage(), e);
    }
  }

  /** Largest stored block read through a thread's reused buffer; larger ones get their own. */
  private static final int SCRATCH_BYTES = 256 << 10;
  /** Per thread: where compressed blocks are read before they are decompressed. */
  private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1][]);

  /**
   * Whether the last data block read from this table was stored uncompressed: then the next is
   * read straight into the array it will live in (a table's blocks are mostly of one kind). A hint
   * only, read and written without synchronization: a wrong guess costs one copy.
   */
  private boolean lastRaw;

  /** Reads a block, checks its checksum and decompresses it: exactly its bytes. */
  private byte[] contents(BlockHandle h, String what) {
    try {
      return contentsUnguarded(h, what);
    } catch (InternalError e) {
      throw mappedFault(e, h.offset(), what);
    }
  }

  /**
   * The error a fault on a mapped page becomes: {@code InternalError} ("a fault occurred in an
   * unsafe memory access operation") when the file is mapped, rethrown as it is otherwise.
   */
  private RuntimeException mappedFault(InternalError e, long at, String what) {
    if (mapped == null) {
      throw e;
    }
    return new CorruptionException(path, at, what + " at offset " + at + " cannot be read through"
        + " the file's memory mapping (was the file truncated, or is the disk failing?): "
        + e.getMessage(), e);
  }

  private byte[] contentsUnguarded(BlockHandle h, String what) {
    int n = checkedSize(h, what);
    byte[] raw = read(h.offset(), n + TableFormat.BLOCK_TRAILER_BYTES);
    if (verify(raw, n, h, what) == TableFormat.TYPE_RAW) {
      return Arrays.copyOf(raw, n);
    }
    return decompress(raw, n, h, what);
  }

  /**
   * Reads a block from disk, checks its checksum, decompresses and parses it. An uncompressed
   * block is read straight into the array it then lives in (with its 5-byte trailer at the end); a
   * compressed one into the thread's reused buffer and decompressed into its own array: one
   * array allocated and one copy made by Strata per block either way (when {@link #lastRaw}
   * guessed the kind right; else one copy more).
   */
  private Block readBlock(BlockHandle h, String what) {
    return readBlock(h, what, null);
  }

  /**
   * As {@link #readBlock(BlockHandle, String)}; with {@code reuse} (a holder of one array), the
   * block's bytes go into {@code reuse[0]} (replaced by a larger array when too small) instead of
   * an array of their own, so the block is valid only until the next read into the same holder.
   */
  private Block readBlock(BlockHandle h, String what, byte[][] reuse) {
    try {
      return readBlockUnguarded(h, what, reuse);
    } catch (InternalError e) {
      throw mappedFault(e, h.offset(), what);
    }
  }

  private Block readBlockUnguarded(BlockHandle h, String what, byte[][] reuse) {
    int n = checkedSize(h, what);
    int stored = n + TableFormat.BLOCK_TRAILER_BYTES;
    boolean ownArray = reuse == null && (lastRaw || stored > SCRATCH_BYTES);
    byte[] raw;
    if (ownArray) {
      raw = new byte[stored];
    } else {
      byte[][] holder = stored > SCRATCH_BYTES ? new byte[1][] : SCRATCH.get();
      raw = holder[0];
      if (raw == null || raw.length < stored) {
        raw = new byte[Math.max(stored, 8 << 10)];
        holder[0] = raw;
      }
    }
    readInto(h.offset(), raw, stored);
    byte[] data;
    int length;
    if (verify(raw, n, h, what) == TableFormat.TYPE_RAW) {
      lastRaw = true;
      length = n;
      if (reuse != null) {
        data = room(reuse, n);
        System.arraycopy(raw, 0, data, 0, n);
      } else {
        data = ownArray ? raw : Arrays.copyOf(raw, n);
      }
    } else {
      lastRaw = false;
      if (reuse != null) {
        long header = lz4Header(raw, 0, n, h, what);
        length = (int) (header >>> 32);
        data = room(reuse, length);
        decompressInto(raw, 0, n, h, what, header, data);
      } else {
        data = decompress(raw, n, h, what);
        length = data.length;
      }
    }
    return Block.parse(data, length, path, h.offset(), what);
  }

  /** {@code holder[0]}, replaced first by a larger array when it holds fewer than {@code n} bytes. */
  private static byte[] room(byte[][] holder, int n) {
    byte[] b = holder[0];
    if (b == null || b.length < n) {
      b = new byte[Math.max(n, 8 << 10)];
      holder[0] = b;
    }
    return b;
  }

  private int checkedSize(BlockHandle h, String what) {
    if (h.size() > maxBlockBytes) {
      throw new CorruptionException(path, h.offset(), what + " claims " + h.size() + " bytes");
    }
    return (int) h.size();
  }

  /**
   * Checks the checksum of the block {@code raw[0, n)} read with its trailer; returns its
   * compression type (raw or LZ4).
   */
  private byte verify(byte[] raw, int n, BlockHandle h, String what) {
    return verify(raw, 0, n, h, what);
  }

  /** As {@link #verify(byte[], int, BlockHandle, String)} for the block at {@code raw[at, at + n)}. */
  private byte verify(byte[] raw, int at, int n, BlockHandle h, String what) {
    int t = at + n;
    byte type = raw[t];
    int stored = (raw[t + 1] & 0xFF) | (raw[t + 2] & 0xFF) << 8 | (raw[t + 3] & 0xFF) << 16
        | (raw[t + 4] & 0xFF) << 24;
    if (TableFormat.blockChecksum(raw, at, n, type) != stored) {
      throw new CorruptionException(path, h.offset(), what + " of " + n
          + " bytes: checksum mismatch");
    }
    if (type != TableFormat.TYPE_RAW && type != TableFormat.TYPE_LZ4) {
      throw new CorruptionException(path, h.offset() + n, what + ": unknown compression type "
          + (type & 0xFF));
    }
    return type;
  }

  /** The LZ4 block {@code raw[0, n)} (checked), decompressed into an array of its own. */
  private byte[] decompress(byte[] raw, int n, BlockHandle h, String what) {
    return decompress(raw, 0, n, h, what);
  }

  /** As {@link #decompress(byte[], int, BlockHandle, String)} for the block at {@code raw[at, at + n)}. */
  private byte[] decompress(byte[] raw, int at, int n, BlockHandle h, String what) {
    long header = lz4Header(raw, at, n, h, what);
    byte[] out = new byte[(int) (header >>> 32)];
    decompressInto(raw, at, n, h, what, header, out);
    return out;
  }

  /**
   * The header of the LZ4 block at {@code raw[at, at + n)}: the length it decompresses to
   * (checked) in the high 32 bits, where its LZ4 data starts in {@code raw} in the low ones.
   */
  private long lz4Header(byte[] raw, int at, int n, BlockHandle h, String what) {
    // positions in the source are of raw; the file offset it names is the block's plus theirs
    ByteSource in = new ByteSource(raw, at, n, path, h.offset() - at, what);
    int length = in.varint32(maxBlockBytes, "uncompressed length");
    if (length > 255L * (at + n - in.position()) + 16) {
      // LZ4 cannot expand more than 255-fold: do not allocate what a forged length asks for
      throw new CorruptionException(path, h.offset(), what + ": " + (at + n - in.position())
          + " bytes of LZ4 data cannot hold " + length + " bytes");
    }
    return (long) length << 32 | in.position();
  }

  /** Decompresses the LZ4 block at {@code raw[at, at + n)}, of {@code header}, into {@code out}. */
  private void decompressInto(byte[] raw, int at, int n, BlockHandle h, String what, long header,
      byte[] out) {
    int from = (int) header;
    try {
      Lz4Decoder.decompress(raw, from, at + n - from, out, 0, (int) (header >>> 32));
    } catch (IllegalArgumentException e) {
      throw new CorruptionException(path, h.offset(), what + ": " + e.getMessage(), e);
    }
  }

  /** A data block, from the cache or from disk (then cached when {@code fillCache}). */
  public Block dataBlock(int i, boolean fillCache) {
    BlockHandle h = indexHandles[i];
    Block b = cache.get(number, h.offset());
    if (b == null) {
      b = readBlock(h, "data block");
      if (fillCache) {
        cache.put(number, h.offset(), b);
      }
    }
    return b;
  }

  /** Index of the first data block whose last key is at or after {@code target}. */
  public int findBlock(byte[] target) {
    return findBlock(target, 0);
  }

  /** As {@link #findBlock(byte[])}, knowing the answer is at least {@code from}. */
  private int findBlock(byte[] target, int from) {
    int lo = from;
    int hi = indexKeys.length;
    int userLength = target.length - InternalKeys.TRAILER_BYTES;
    int p = indexPrefix.length;
    int shared = Math.min(p, userLength);
    int c = Arrays.compareUnsigned(target, 0, shared, indexPrefix, 0, shared);
    if (c != 0 || userLength < p) {
      // the target is below every index key (it is shorter than their common prefix, or smaller
      // within it) or above every one
      return c > 0 ? hi : lo;
    }
    long w = word(target, userLength, p);
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int d = Long.compareUnsigned(indexWords[mid], w);
      if (d == 0) {
        d = InternalKeys.compare(indexKeys[mid], target);
      }
      if (d < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The user-key bytes all of the sorted internal keys {@code keys} start with. */
  private static byte[] commonUserPrefix(byte[][] keys) {
    if (keys.length == 0) {
      return new byte[0];
    }
    byte[] a = keys[0];
    byte[] b = keys[keys.length - 1];
    int al = a.length - InternalKeys.TRAILER_BYTES;
    int bl = b.length - InternalKeys.TRAILER_BYTES;
    int m = Arrays.mismatch(a, 0, al, b, 0, bl);
    return Arrays.copyOf(a, m < 0 ? al : m);
  }

  /**
   * Bytes {@code [from, from + 8)} of the user key {@code key[0, userLength)} as a big-endian
   * long, zeros past its end. For two user keys sharing their first {@code from} bytes, a smaller
   * word (unsigned) means a smaller key.
   */
  static long word(byte[] key, int userLength, int from) {
    long w = 0;
    int end = Math.min(userLength, from + 8);
    int i = from;
    for (; i < end; i++) {
      w = (w << 8) | (key[i] & 0xFF);
    }
    return w << (8 * (from + 8 - i));
  }

  public BlockHandle blockHandle(int i) {
    return indexHandles[i];
  }

  public Footer footer() {
    return footer;
  }

  public int blockCount() {
    return indexKeys.length;
  }

  /**
   * The newest version of {@code userKey} visible at the sequence in {@code seekKey}: the value,
   * {@link Memtable#DELETED}, or null when this table has none.
   */
  public byte[] get(byte[] userKey, long hash, byte[] seekKey, boolean fillCache) {
    if (filter != null && !filter.mightContain(hash)) {
      return null;
    }
    int i = findBlock(seekKey);
    if (i == indexKeys.length) {
      return null;
    }
    return dataBlock(i, fillCache).get(seekKey, userKey);
  }

  /**
   * The batched {@link #get}: for each unanswered key {@code i} in {@code [from, to)} (those with
   * {@code found[i] == null}), stores into {@code found[i]} its newest version visible at the
   * sequence in {@code seekKeys[i]} (value or {@link Memtable#DELETED}) when this table has one.
   * The keys must be sorted and distinct. Each key is tested against the Bloom filter; the index is
   * searched once per data block reached (a key that falls in the block of the previous key costs
   * one comparison, and the search for the next block starts after the last one), and the cache is
   * asked once per such block. The keys of a cached block are answered at once; a block the cache
   * does not hold is appended to {@code pending} with its keys, to be read (once, whatever the
   * number of keys it answers) by {@link PendingBlockReads#run}.
   *
   * @param seeker the caller's scratch space for block lookups
   * @return whether anything was appended to {@code pending} (then it must hold this table)
   */
  public boolean multiGet(byte[][] userKeys, byte[][] seekKeys, long[] hashes, byte[][] found,
      int from, int to, Block.Seeker seeker, PendingBlockReads pending) {
    int block = -1;
    Block b = null; // the block of the current run of keys when cached; null when pending
    boolean appended = false;
    for (int i = from; i < to; i++) {
      if (found[i] != null || (filter != null && !filter.mightContain(hashes[i]))) {
        continue;
      }
      if (block < 0 || InternalKeys.compare(indexKeys[block], seekKeys[i]) < 0) {
        block = findBlock(seekKeys[i], block + 1);
        if (block == indexKeys.length) {
          break; // every later key is past the last block too
        }
        b = cache.get(number, indexHandles[block].offset());
        if (b == null) {
          pending.addRead(this, block);
          appended = true;
        }
      }
      if (b == null) {
        pending.addKey(i);
      } else {
        found[i] = seeker.get(b, seekKeys[i], userKeys[i]);
      }
    }
    return appended;
  }

  /** The most bytes {@link #loadDataBlocks} reads at once (the thread's reused buffer). */
  static final int MAX_SPAN_BYTES = SCRATCH_BYTES;

  /**
   * Whether data blocks {@code i} and {@code i + 1} lie back to back in the file and together
   * with the blocks from {@code first} on span at most {@link #MAX_SPAN_BYTES}: then {@link
   * #loadDataBlocks} reads them with one read.
   */
  boolean readableWith(int first, int i) {
    BlockHandle a = indexHandles[i];
    BlockHandle b = indexHandles[i + 1];
    return b.offset() == a.offset() + a.size() + TableFormat.BLOCK_TRAILER_BYTES
        && b.offset() + b.size() + TableFormat.BLOCK_TRAILER_BYTES - indexHandles[first].offset()
            <= MAX_SPAN_BYTES;
  }

  /**
   * Data blocks {@code first..last} (back to back in the file, at most {@link #MAX_SPAN_BYTES}
   * in all: {@link #readableWith}) read from disk with one read into the thread's buffer, each
   * checked (a damaged one throws naming its offset), decompressed or copied into an array of its
   * own, and cached when {@code fillCache}: for blocks the cache was asked for and did not hold.
   */
  Block[] loadDataBlocks(int first, int last, boolean fillCache) {
    if (first == last) {
      return new Block[] {loadDataBlock(first, fillCache)};
    }
    try {
      return loadSpan(first, last, fillCache);
    } catch (InternalError e) {
      throw mappedFault(e, indexHandles[first].offset(), "data blocks " + first + " to " + last);
    }
  }

  private Block[] loadSpan(int first, int last, boolean fillCache) {
    long start = indexHandles[first].offset();
    for (int i = first; i <= last; i++) {
      checkedSize(indexHandles[i], "data block");
    }
    BlockHandle end = indexHandles[last];
    int length = (int) (end.offset() + end.size() + TableFormat.BLOCK_TRAILER_BYTES - start);
    byte[][] holder = SCRATCH.get();
    byte[] span = holder[0];
    if (span == null || span.length < length) {
      span = new byte[Math.max(length, 8 << 10)];
      holder[0] = span;
    }
    readInto(start, span, length);
    Block[] out = new Block[last - first + 1];
    for (int i = first; i <= last; i++) {
      BlockHandle h = indexHandles[i];
      int at = (int) (h.offset() - start);
      int n = (int) h.size();
      byte[] data = verify(span, at, n, h, "data block") == TableFormat.TYPE_RAW
          ? Arrays.copyOfRange(span, at, at + n) : decompress(span, at, n, h, "data block");
      Block b = Block.parse(data, data.length, path, h.offset(), "data block");
      if (fillCache) {
        cache.put(number, h.offset(), b);
      }
      out[i - first] = b;
    }
    return out;
  }

  /**
   * Data block {@code i} read from disk (its checksum checked), cached when {@code fillCache}: for
   * a block the cache was already asked for and did not hold.
   */
  Block loadDataBlock(int i, boolean fillCache) {
    BlockHandle h = indexHandles[i];
    Block b = readBlock(h, "data block");
    if (fillCache) {
      cache.put(number, h.offset(), b);
    }
    return b;
  }

  /** Data block {@code i} from the cache, or read from disk into {@code reuse[0]}. */
  private Block scanBlock(int i, byte[][] reuse) {
    BlockHandle h = indexHandles[i];
    Block b = cache.get(number, h.offset());
    return b != null ? b : readBlock(h, "data block", reuse);
  }

  /** Iterates the table; holds a reference on it until closed. */
  public InternalIterator iterator(boolean fillCache) {
    if (!retain()) {
      throw new IllegalStateException("table " + path + " is closed");
    }
    boolean[] released = {false};
    // without filling the cache, a block read from disk lives only while the iterator is on it
    // (a part is closed before the next one opens): its bytes go into one array of the iterator's
    byte[][] scan = fillCache ? null : new byte[1][];
    return new TwoLevelIterator(indexKeys.length,
        i -> new BlockIterator(fillCache ? dataBlock(i, true) : scanBlock(i, scan)),
        this::findBlock, () -> {
          if (!released[0]) {
            released[0] = true;
            release();
          }
        });
  }

  /** Reads and checks every block; returns the problems found (empty when the table is sound). */
  public List<CorruptionException> verifyChecksums() {
    List<CorruptionException> problems = new ArrayList<>();
    for (int i = 0; i < indexHandles.length; i++) {
      try {
        readBlock(indexHandles[i], "data block").decodeAll();
      } catch (CorruptionException e) {
        problems.add(e);
      }
    }
    return problems;
  }

  /** Where the data blocks end (trailer of the last included). */
  public long dataEnd() {
    BlockHandle last = indexHandles[indexHandles.length - 1];
    return last.offset() + last.size() + TableFormat.BLOCK_TRAILER_BYTES;
  }

  public TableProperties properties() {
    return properties;
  }

  long number() {
    return number;
  }

  public Path path() {
    return path;
  }

  public long fileSize() {
    return size;
  }

  /** Takes a reference; false when the reader is already closed. */
  boolean retain() {
    return refs.retain();
  }

  public void release() {
    if (refs.release()) {
      try {
        file.close();
      } catch (IOException ignored) {
        // a read-only handle: nothing is lost
      }
    }
  }
}

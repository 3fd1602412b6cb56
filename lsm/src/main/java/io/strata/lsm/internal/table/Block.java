package io.strata.lsm.internal.table;

import io.strata.CorruptionException;
import io.strata.lsm.internal.Bytes;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.memtable.Memtable;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A decoded-on-demand, immutable block (data or index; format in {@code lsm/FORMAT.md}): entries
 * then restart offsets then the restart count. Every read checks its bounds, so a damaged block
 * gives a {@link CorruptionException} naming the file and the block's offset, never an index
 * exception. Immutable and safe to share between threads (blocks live in the shared cache); except
 * a block a scan read without filling the cache, which lives in its iterator's reused array only
 * while the iterator is on it and is never shared ({@link TableReader#iterator}).
 */
public final class Block {
  private final byte[] data;
  private final int limit; // where the restart array starts
  private final int restartCount;
  private final Path file;
  private final long offset;

  private Block(byte[] data, int limit, int restartCount, Path file, long offset) {
    this.data = data;
    this.limit = limit;
    this.restartCount = restartCount;
    this.file = file;
    this.offset = offset;
  }

  /** Checks the restart array of {@code data} (the whole array is the block). */
  static Block parse(byte[] data, Path file, long offset, String what) {
    return parse(data, data.length, file, offset, what);
  }

  /**
   * Checks the restart array of the block {@code data[0, n)}; bytes after {@code n} (a block
   * read together with its trailer) are not part of it.
   */
  static Block parse(byte[] data, int n, Path file, long offset, String what) {
    if (n < 4) {
      throw new CorruptionException(file, offset, what + " of " + n + " bytes is too short");
    }
    int count = intLE(data, n - 4);
    if (count < 1 || count > (n - 4) / 4) {
      throw new CorruptionException(file, offset, what + " has an impossible restart count "
          + Integer.toUnsignedString(count) + " for " + n + " bytes");
    }
    int limit = n - 4 - 4 * count;
    int previous = -1;
    for (int i = 0; i < count; i++) {
      int r = intLE(data, limit + 4 * i);
      if (r < 0 || r > limit || r <= previous || (i == 0 && r != 0) || (r == limit && limit > 0)) {
        throw new CorruptionException(file, offset, what + " restart point " + i + " ("
            + r + ") is out of order or outside the entries");
      }
      previous = r;
    }
    return new Block(data, limit, count, file, offset);
  }

  private static int intLE(byte[] b, int p) {
    return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
  }

  /** Bytes this block holds in memory, the whole array (its charge in the cache). */
  int size() {
    return data.length;
  }

  private CorruptionException corrupt(String problem) {
    return new CorruptionException(file, offset, "block entry: " + problem);
  }

  byte[] data() {
    return data;
  }

  /** Where the entries end (and the restart array starts). */
  int limit() {
    return limit;
  }

  int restartCount() {
    return restartCount;
  }

  /** The offset of restart point {@code i}, where a whole key is stored. */
  int restartPosition(int i) {
    return intLE(data, limit + 4 * i);
  }

  /**
   * Decodes entry headers: fills {@code out} with {shared, unshared, valueLength, keyStart} and
   * returns the position after the value.
   */
  int header(int p, int[] out, int previousKeyLength) {
    int[] cursor = {p};
    long shared = varint(cursor);
    long unshared = varint(cursor);
    long valueLength = varint(cursor);
    int keyStart = cursor[0];
    if (shared > previousKeyLength) {
      throw corrupt("shares " + shared + " bytes with a previous key of " + previousKeyLength);
    }
    if (unshared > limit - keyStart || valueLength > limit - keyStart - unshared) {
      throw corrupt("key of " + unshared + " and value of " + valueLength
          + " bytes run past the entries");
    }
    if (shared + unshared < InternalKeys.TRAILER_BYTES) {
      throw corrupt("key of " + (shared + unshared) + " bytes is shorter than its trailer");
    }
    out[0] = (int) shared;
    out[1] = (int) unshared;
    out[2] = (int) valueLength;
    out[3] = keyStart;
    return keyStart + (int) unshared + (int) valueLength;
  }

  private long varint(int[] cursor) {
    long v = 0;
    int p = cursor[0];
    for (int shift = 0; shift < 35; shift += 7) {
      if (p >= limit) {
        throw corrupt("truncated varint at " + p);
      }
      byte b = data[p++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        cursor[0] = p;
        return v;
      }
    }
    throw corrupt("varint too long at " + cursor[0]);
  }

  /**
   * Point lookup: the value of the first entry at or after internal key {@code target} if that
   * entry carries {@code userKey}: the value, {@link Memtable#DELETED} for a deletion, or null.
   */
  public byte[] get(byte[] target, byte[] userKey) {
    return new Seeker().get(this, target, userKey);
  }

  /**
   * Point lookups with reused scratch space, for a batch of lookups in ascending target order
   * ({@code MultiGet}): successive lookups in the same block start their restart search where the
   * previous one ended, and nothing is allocated per lookup but the value returned.
   *
   * <p>Not thread-safe: one seeker per thread (per batch).
   */
  public static final class Seeker {
    private final int[] h = new int[4];
    private byte[] key = new byte[64];
    private Block last;
    private int lowRestart;

    /**
     * As {@link Block#get(byte[], byte[])}; a target in the same block as the previous call
     * must not be below the previous target.
     */
    public byte[] get(Block b, byte[] target, byte[] userKey) {
      if (b != last) {
        last = b;
        lowRestart = 0;
      }
      return b.find(target, userKey, this);
    }
  }

  private byte[] find(byte[] target, byte[] userKey, Seeker s) {
    // binary search: the last restart point whose key is below the target
    int lo = s.lowRestart;
    int hi = restartCount - 1;
    int[] h = s.h;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      int p = restartPosition(mid);
      header(p, h, 0);
      if (h[0] != 0) {
        throw corrupt("restart point " + mid + " shares bytes with a previous key");
      }
      if (InternalKeys.compare(data, h[3], h[1], target) < 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    s.lowRestart = lo;
    byte[] key = s.key;
    int keyLength = 0;
    int p = restartPosition(lo);
    while (p < limit) {
      int next = header(p, h, keyLength);
      int length = h[0] + h[1];
      if (length > key.length) {
        key = Arrays.copyOf(key, Math.max(length, key.length * 2));
        s.key = key;
      }
      System.arraycopy(data, h[3], key, h[0], h[1]);
      keyLength = length;
      if (InternalKeys.compare(key, keyLength, target, target.length) >= 0) {
        int userLength = keyLength - InternalKeys.TRAILER_BYTES;
        if (!Arrays.equals(key, 0, userLength, userKey, 0, userKey.length)) {
          return null;
        }
        byte kind = (byte) InternalKeys.trailer(key, keyLength);
        if (kind == InternalKeys.KIND_DELETE) {
          return Memtable.DELETED;
        }
        if (kind != InternalKeys.KIND_PUT) {
          throw corrupt("unknown entry kind " + (kind & 0xFF));
        }
        int valueStart = h[3] + h[1];
        return Arrays.copyOfRange(data, valueStart, valueStart + h[2]);
      }
      p = next;
    }
    return null;
  }

  /** Every entry, decoded; for iterators. */
  public Entries decodeAll() {
    // grows as needed: a hostile restart count must not make it allocate up front
    int capacity = Math.max(4, Math.min(restartCount * TableFormat.RESTART_INTERVAL, 1024));
    byte[][] keys = new byte[capacity][];
    int[] valueStarts = new int[capacity];
    int[] valueLengths = new int[capacity];
    int n = 0;
    int[] h = new int[4];
    byte[] previous = new byte[0];
    int p = 0;
    while (p < limit) {
      int next = header(p, h, previous.length);
      byte[] key = new byte[h[0] + h[1]];
      System.arraycopy(previous, 0, key, 0, h[0]);
      System.arraycopy(data, h[3], key, h[0], h[1]);
      if (n > 0 && InternalKeys.compare(keys[n - 1], key) >= 0) {
        throw corrupt("keys out of order at entry " + n);
      }
      if (n == keys.length) {
        keys = Arrays.copyOf(keys, n * 2);
        valueStarts = Arrays.copyOf(valueStarts, n * 2);
        valueLengths = Arrays.copyOf(valueLengths, n * 2);
      }
      keys[n] = key;
      valueStarts[n] = h[3] + h[1];
      valueLengths[n] = h[2];
      n++;
      previous = key;
      p = next;
    }
    return new Entries(data, keys, valueStarts, valueLengths, n);
  }

  /** The decoded entries of a block. Immutable once built. */
  public static final class Entries {
    private final byte[] data;
    public final byte[][] keys;
    private final int[] valueStarts;
    private final int[] valueLengths;
    public final int count;

    public Entries(byte[] data, byte[][] keys, int[] valueStarts, int[] valueLengths, int count) {
      this.data = data;
      this.keys = keys;
      this.valueStarts = valueStarts;
      this.valueLengths = valueLengths;
      this.count = count;
    }

    public byte[] value(int i) {
      return Arrays.copyOfRange(data, valueStarts[i], valueStarts[i] + valueLengths[i]);
    }
  }
}

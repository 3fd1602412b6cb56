package io.strata.lsm.internal.table;

import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.Limits;
import java.nio.file.Path;

/**
 * What a table file holds, recorded in its properties block: counts, key and sequence ranges, raw
 * and stored sizes. Immutable.
 */
public record TableProperties(
    long entries,
    long deletions,
    long dataBlocks,
    long rawKeyBytes,
    long rawValueBytes,
    long dataBytes,
    long indexBytes,
    long filterBytes,
    long minSequence,
    long maxSequence,
    byte[] smallestKey,
    byte[] largestKey,
    int indexLevels) {

  /** Properties of a table with one index level. */
  private static final int VERSION = 1;
  /** Properties of a table with a partitioned index: version 1's fields, then the index levels. */
  private static final int VERSION_PARTITIONED_INDEX = 2;

  byte[] encode() {
    ByteSink out = new ByteSink(128 + smallestKey.length + largestKey.length);
    out.put((byte) (indexLevels == 1 ? VERSION : VERSION_PARTITIONED_INDEX));
    out.putVarint(entries).putVarint(deletions).putVarint(dataBlocks);
    out.putVarint(rawKeyBytes).putVarint(rawValueBytes).putVarint(dataBytes);
    out.putVarint(indexBytes).putVarint(filterBytes);
    out.putVarint(minSequence).putVarint(maxSequence);
    out.putBytes(smallestKey).putBytes(largestKey);
    if (indexLevels != 1) {
      out.putVarint(indexLevels);
    }
    return out.toByteArray();
  }

  static TableProperties decode(byte[] b, Path file, long offset) {
    ByteSource in = new ByteSource(b, 0, b.length, file, offset, "properties block");
    int version = in.get();
    if (version != VERSION && version != VERSION_PARTITIONED_INDEX) {
      throw in.corrupt("unknown properties version " + version);
    }
    long max = Long.MAX_VALUE;
    TableProperties p = new TableProperties(
        in.varint64(max, "entries"), in.varint64(max, "deletions"), in.varint64(max, "blocks"),
        in.varint64(max, "raw key bytes"), in.varint64(max, "raw value bytes"),
        in.varint64(max, "data bytes"), in.varint64(max, "index bytes"),
        in.varint64(max, "filter bytes"),
        in.varint64(InternalKeys.MAX_SEQUENCE, "min sequence"),
        in.varint64(InternalKeys.MAX_SEQUENCE, "max sequence"),
        in.lengthPrefixed(Limits.MAX_KEY_BYTES + 8, "smallest key"),
        in.lengthPrefixed(Limits.MAX_KEY_BYTES + 8, "largest key"),
        version == VERSION ? 1 : (int) in.varint64(TableFormat.MAX_INDEX_LEVELS, "index levels"));
    if (version == VERSION_PARTITIONED_INDEX && p.indexLevels < 2) {
      throw in.corrupt("a partitioned index of " + p.indexLevels + " levels");
    }
    if (in.hasRemaining()) {
      throw in.corrupt(in.remaining() + " unexpected trailing bytes");
    }
    if (p.entries > 0 && (p.smallestKey.length < 8 || p.largestKey.length < 8)) {
      throw in.corrupt("key range of a non-empty table is missing");
    }
    return p;
  }
}

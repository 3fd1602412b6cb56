package io.strata.lsm.internal.version;

import io.strata.lsm.internal.ByteSink;
import io.strata.lsm.internal.ByteSource;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.Limits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A change to the set of live tables, as one manifest record: tables added and removed per level,
 * and the counters that must survive a restart (next file number, last sequence, first live WAL
 * segment, compaction pointers). Format in {@code lsm/FORMAT.md}. Not thread-safe.
 */
public final class VersionEdit {
  public static final int LEVELS = 7;

  private static final int TAG_LOG_NUMBER = 1;
  private static final int TAG_NEXT_FILE = 2;
  private static final int TAG_LAST_SEQUENCE = 3;
  private static final int TAG_COMPACT_POINTER = 4;
  private static final int TAG_DELETED_FILE = 5;
  private static final int TAG_NEW_FILE = 6;

  public record NewFile(int level, FileMetadata file) {}

  public record DeletedFile(int level, long number) {}

  public Long logNumber;
  public Long nextFileNumber;
  public Long lastSequence;
  public final TreeMap<Integer, byte[]> compactPointers = new TreeMap<>();
  public final List<DeletedFile> deleted = new ArrayList<>();
  public final List<NewFile> added = new ArrayList<>();

  public VersionEdit addFile(int level, FileMetadata f) {
    added.add(new NewFile(level, f));
    return this;
  }

  public VersionEdit deleteFile(int level, long number) {
    deleted.add(new DeletedFile(level, number));
    return this;
  }

  byte[] encode() {
    ByteSink out = new ByteSink(256);
    if (logNumber != null) {
      out.putVarint(TAG_LOG_NUMBER).putVarint(logNumber);
    }
    if (nextFileNumber != null) {
      out.putVarint(TAG_NEXT_FILE).putVarint(nextFileNumber);
    }
    if (lastSequence != null) {
      out.putVarint(TAG_LAST_SEQUENCE).putVarint(lastSequence);
    }
    compactPointers.forEach((level, key) ->
        out.putVarint(TAG_COMPACT_POINTER).putVarint(level).putBytes(key));
    for (DeletedFile d : deleted) {
      out.putVarint(TAG_DELETED_FILE).putVarint(d.level()).putVarint(d.number());
    }
    for (NewFile n : added) {
      FileMetadata f = n.file();
      out.putVarint(TAG_NEW_FILE).putVarint(n.level()).putVarint(f.number())
          .putVarint(f.fileSize()).putBytes(f.smallest()).putBytes(f.largest())
          .putVarint(f.minSequence()).putVarint(f.maxSequence()).putVarint(f.entries());
    }
    return out.toByteArray();
  }

  public static VersionEdit decode(byte[] record, Path file, long offset) {
    ByteSource in = new ByteSource(record, 0, record.length, file, offset, "manifest record");
    VersionEdit e = new VersionEdit();
    long maxNumber = Long.MAX_VALUE / 2;
    int maxKey = Limits.MAX_KEY_BYTES + InternalKeys.TRAILER_BYTES;
    while (in.hasRemaining()) {
      int tag = in.varint32(Integer.MAX_VALUE, "tag");
      switch (tag) {
        case TAG_LOG_NUMBER -> e.logNumber = in.varint64(maxNumber, "log number");
        case TAG_NEXT_FILE -> e.nextFileNumber = in.varint64(maxNumber, "next file number");
        case TAG_LAST_SEQUENCE ->
            e.lastSequence = in.varint64(InternalKeys.MAX_SEQUENCE, "last sequence");
        case TAG_COMPACT_POINTER -> {
          int level = in.varint32(LEVELS - 1, "level");
          e.compactPointers.put(level, internalKey(in, maxKey, "compaction pointer"));
        }
        case TAG_DELETED_FILE -> e.deleted.add(
            new DeletedFile(in.varint32(LEVELS - 1, "level"), in.varint64(maxNumber, "file")));
        case TAG_NEW_FILE -> {
          int level = in.varint32(LEVELS - 1, "level");
          long number = in.varint64(maxNumber, "file number");
          long size = in.varint64(Long.MAX_VALUE, "file size");
          byte[] smallest = internalKey(in, maxKey, "smallest key");
          byte[] largest = internalKey(in, maxKey, "largest key");
          long minSeq = in.varint64(InternalKeys.MAX_SEQUENCE, "min sequence");
          long maxSeq = in.varint64(InternalKeys.MAX_SEQUENCE, "max sequence");
          long entries = in.varint64(Long.MAX_VALUE, "entries");
          if (InternalKeys.compare(smallest, largest) > 0) {
            throw in.corrupt("table " + number + " has smallest key after largest key");
          }
          if (minSeq > maxSeq) {
            throw in.corrupt("table " + number + " has min sequence above max sequence");
          }
          e.added.add(new NewFile(level,
              new FileMetadata(number, size, smallest, largest, minSeq, maxSeq, entries)));
        }
        default -> throw in.corrupt("unknown tag " + tag);
      }
    }
    return e;
  }

  private static byte[] internalKey(ByteSource in, int max, String field) {
    byte[] k = in.lengthPrefixed(max, field);
    if (k.length < InternalKeys.TRAILER_BYTES) {
      throw in.corrupt(field + " of " + k.length + " bytes is shorter than a key trailer");
    }
    return k;
  }
}

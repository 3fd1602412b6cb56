package io.strata.lsm;

import io.strata.fs.FileSystem;
import io.strata.lsm.internal.compaction.CompactionOptions;
import io.strata.lsm.internal.table.TableOptions;
import io.strata.lsm.internal.version.VersionEdit;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link Db}. Immutable; start from {@link #defaults()} or {@link #builder()}. The
 * defaults suit a laptop without tuning.
 *
 * <ul>
 *   <li>{@code writeBufferSize} (64 MiB; at least 16 KiB): memtable size at which it is frozen and
 *       flushed to a table file while writes go on into a new one.
 *   <li>{@code blockSize} (4 KiB; 256 B to 1 MiB): uncompressed size of table data blocks.
 *   <li>{@code blockCacheBytes} (64 MiB; 0 disables it): shared cache of uncompressed blocks.
 *   <li>{@code bloomBitsPerKey} (10; 0 disables filters; at most 64): whole-table Bloom filter
 *       density, about 1% false positives at 10.
 *   <li>{@code compression} ({@link Compression#LZ4}): how data blocks are compressed, at every
 *       level unless {@code compressionPerLevel} says otherwise.
 *   <li>{@code compressionPerLevel} (empty: {@code compression} everywhere; at most 7 entries):
 *       compression by level, in the manner of RocksDB's {@code compression_per_level} under
 *       dynamic level sizing. Entry 0 is for level-0 tables (flushes); entry {@code i >= 1} is for
 *       the {@code i}-th sorted level counting from the base level (the level level-0 tables are
 *       compacted into, see {@code lsm/COMPACTION.md}): entry 1 for the base level, entry 2 for
 *       the level below it, and so on; a level above the base level (one being drained) uses
 *       entry 1. Levels past the end of the list use its last entry. So {@code List.of(NONE,
 *       LZ4)} leaves flushes uncompressed and compresses every compaction output, and {@code
 *       List.of(NONE, NONE, LZ4)} compresses only below the base level. The base level moves up
 *       as the data grows, so a level may hold tables written under different entries; each block
 *       records its own compression, and a table moved down a level without being rewritten (a
 *       trivial move) keeps its blocks as they are, unless the two levels' entries differ: then it
 *       is rewritten instead.
 *   <li>{@code backgroundThreads} (2; 1 to 64): one thread for flushes and the rest for
 *       compactions, so a flush never waits behind a compaction; with 1, both share it.
 *   <li>{@code maxOpenFiles} (1000; at least 16): table files kept open at once.
 *   <li>{@code mapTableFiles} (true): open table files are read through read-only memory
 *       mappings, so a block read from disk (its checksum still checked) is a copy out of the
 *       operating system's page cache instead of a system call; a table is unmapped when its
 *       reader closes. Only where the file system maps files (the real one does, for files under
 *       2 GiB); false reads every block with a positional read. Pages of mapped tables that reads
 *       touched count in the process's resident set size (they are the page cache's, shared and
 *       reclaimable, not heap).
 *   <li>{@code targetFileSize} (64 MiB; at least 16 KiB): size at which compaction starts a new
 *       output table (a table never splits the versions of one key, so it may run over).
 *   <li>{@code maxBytesForLevelBase} (256 MiB; at least 16 KiB): the most the base level (the
 *       level level-0 tables are compacted into) may hold; see {@code lsm/COMPACTION.md}.
 *   <li>{@code levelSizeMultiplier} (10; 2 to 1000): each level's target is this many times the
 *       target of the level above.
 *   <li>{@code level0CompactionTrigger} (4; at least 1): level-0 tables at which they are
 *       compacted into the base level.
 *   <li>{@code level0SlowdownTrigger} (20; at least the compaction trigger): level-0 tables at
 *       which every write is delayed by a millisecond, so compaction can catch up.
 *   <li>{@code level0StopTrigger} (36; above the slowdown trigger): level-0 tables at which
 *       writes wait until compaction has reduced them.
 *   <li>{@code compactionPriority} ({@link CompactionPriority#ROUND_ROBIN}): which table of an
 *       oversized level is compacted first.
 *   <li>{@code maxManifestBytes} (64 MiB; at least 1 KiB): size at which the manifest (the log
 *       of table additions and removals, replayed at open) rolls over: the next flush or
 *       compaction writes a new manifest holding a snapshot of the current state and switches
 *       {@code CURRENT} to it atomically, and the old one is deleted. A manifest is also kept
 *       until it is at least twice the size of its own snapshot, so a store whose snapshot alone
 *       passes the limit is not rewritten at every change.
 *   <li>{@code listener} ({@link EventListener#NONE}): told of every flush and compaction.
 *   <li>{@code fileSystem} ({@link FileSystem#real()}): where all file access goes; tests pass a
 *       crash-simulating or fault-injecting one.
 * </ul>
 */
public final class Options {
  private static final Options DEFAULTS = builder().build();

  private final long writeBufferSize;
  private final int blockSize;
  private final long blockCacheBytes;
  private final int bloomBitsPerKey;
  private final Compression compression;
  private final List<Compression> compressionPerLevel;
  private final int backgroundThreads;
  private final int maxOpenFiles;
  private final boolean mapTableFiles;
  private final long targetFileSize;
  private final long maxBytesForLevelBase;
  private final int levelSizeMultiplier;
  private final int level0CompactionTrigger;
  private final int level0SlowdownTrigger;
  private final int level0StopTrigger;
  private final CompactionPriority compactionPriority;
  private final EventListener listener;
  private final FileSystem fileSystem;
  private final long maxManifestBytes;

  private Options(Builder b) {
    this.writeBufferSize = b.writeBufferSize;
    this.blockSize = b.blockSize;
    this.blockCacheBytes = b.blockCacheBytes;
    this.bloomBitsPerKey = b.bloomBitsPerKey;
    this.compression = b.compression;
    this.compressionPerLevel = b.compressionPerLevel;
    this.backgroundThreads = b.backgroundThreads;
    this.maxOpenFiles = b.maxOpenFiles;
    this.mapTableFiles = b.mapTableFiles;
    this.targetFileSize = b.targetFileSize;
    this.maxBytesForLevelBase = b.maxBytesForLevelBase;
    this.levelSizeMultiplier = b.levelSizeMultiplier;
    this.level0CompactionTrigger = b.level0CompactionTrigger;
    this.level0SlowdownTrigger = b.level0SlowdownTrigger;
    this.level0StopTrigger = b.level0StopTrigger;
    this.compactionPriority = b.compactionPriority;
    this.listener = b.listener;
    this.fileSystem = b.fileSystem;
    this.maxManifestBytes = b.maxManifestBytes;
  }

  public static Options defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder()
        .writeBufferSize(writeBufferSize)
        .blockSize(blockSize)
        .blockCacheBytes(blockCacheBytes)
        .bloomBitsPerKey(bloomBitsPerKey)
        .compression(compression)
        .compressionPerLevel(compressionPerLevel)
        .backgroundThreads(backgroundThreads)
        .maxOpenFiles(maxOpenFiles)
        .mapTableFiles(mapTableFiles)
        .targetFileSize(targetFileSize)
        .maxBytesForLevelBase(maxBytesForLevelBase)
        .levelSizeMultiplier(levelSizeMultiplier)
        .level0CompactionTrigger(level0CompactionTrigger)
        .level0SlowdownTrigger(level0SlowdownTrigger)
        .level0StopTrigger(level0StopTrigger)
        .compactionPriority(compactionPriority)
        .maxManifestBytes(maxManifestBytes)
        .listener(listener)
        .fileSystem(fileSystem);
  }

  public long writeBufferSize() {
    return writeBufferSize;
  }

  public int blockSize() {
    return blockSize;
  }

  public long blockCacheBytes() {
    return blockCacheBytes;
  }

  public int bloomBitsPerKey() {
    return bloomBitsPerKey;
  }

  /** The compression of every level that {@link #compressionPerLevel()} does not set. */
  public Compression compression() {
    return compression;
  }

  /** Compression by level as set (see the class comment); empty when {@link #compression()} rules. */
  public List<Compression> compressionPerLevel() {
    return compressionPerLevel;
  }

  /**
   * The compression of the tables written at depth {@code depth}: 0 for level-0 tables (flushes),
   * {@code i >= 1} for the {@code i}-th sorted level from the base level down (see {@link
   * #compressionPerLevel()}).
   *
   * @throws IllegalArgumentException when {@code depth} is not 0..6
   */
  Compression compressionAtDepth(int depth) {
    if (depth < 0 || depth >= VersionEdit.LEVELS) {
      throw new IllegalArgumentException("depth must be 0.." + (VersionEdit.LEVELS - 1) + ", was " + depth);
    }
    if (compressionPerLevel.isEmpty()) {
      return compression;
    }
    return compressionPerLevel.get(Math.min(depth, compressionPerLevel.size() - 1));
  }

  public int backgroundThreads() {
    return backgroundThreads;
  }

  public int maxOpenFiles() {
    return maxOpenFiles;
  }

  /** Whether table files are read through memory mappings (see the class comment). */
  public boolean mapTableFiles() {
    return mapTableFiles;
  }

  public long targetFileSize() {
    return targetFileSize;
  }

  public long maxBytesForLevelBase() {
    return maxBytesForLevelBase;
  }

  public int levelSizeMultiplier() {
    return levelSizeMultiplier;
  }

  public int level0CompactionTrigger() {
    return level0CompactionTrigger;
  }

  public int level0SlowdownTrigger() {
    return level0SlowdownTrigger;
  }

  public int level0StopTrigger() {
    return level0StopTrigger;
  }

  public CompactionPriority compactionPriority() {
    return compactionPriority;
  }

  public long maxManifestBytes() {
    return maxManifestBytes;
  }

  /** The settings that shape a table file, for the table writers (real block limit). */
  TableOptions tableOptions() {
    return TestKnobs.NONE.tableOptions(this);
  }

  /** The settings that pick, size and cut compactions (real block limit). */
  CompactionOptions compactionOptions() {
    return TestKnobs.NONE.compactionOptions(this);
  }

  public EventListener listener() {
    return listener;
  }

  public FileSystem fileSystem() {
    return fileSystem;
  }

  @Override
  public String toString() {
    return "Options{writeBufferSize=" + writeBufferSize + ", blockSize=" + blockSize
        + ", blockCacheBytes=" + blockCacheBytes + ", bloomBitsPerKey=" + bloomBitsPerKey
        + ", compression=" + compression + ", compressionPerLevel=" + compressionPerLevel
        + ", backgroundThreads=" + backgroundThreads
        + ", maxOpenFiles=" + maxOpenFiles + ", mapTableFiles=" + mapTableFiles
        + ", targetFileSize=" + targetFileSize
        + ", maxBytesForLevelBase=" + maxBytesForLevelBase + ", levelSizeMultiplier="
        + levelSizeMultiplier + ", level0CompactionTrigger=" + level0CompactionTrigger
        + ", level0SlowdownTrigger=" + level0SlowdownTrigger + ", level0StopTrigger="
        + level0StopTrigger + ", compactionPriority=" + compactionPriority
        + ", maxManifestBytes=" + maxManifestBytes + ", fileSystem=" + fileSystem + "}";
  }

  /** Builds {@link Options}; each setter checks its argument. */
  public static final class Builder {
    private long writeBufferSize = 64L << 20;
    private int blockSize = 4096;
    private long blockCacheBytes = 64L << 20;
    private int bloomBitsPerKey = 10;
    private Compression compression = Compression.LZ4;
    private List<Compression> compressionPerLevel = List.of();
    private int backgroundThreads = 2;
    private int maxOpenFiles = 1000;
    private boolean mapTableFiles = true;
    private long targetFileSize = 64L << 20;
    private long maxBytesForLevelBase = 256L << 20;
    private int levelSizeMultiplier = 10;
    private int level0CompactionTrigger = 4;
    private int level0SlowdownTrigger = 20;
    private int level0StopTrigger = 36;
    private CompactionPriority compactionPriority = CompactionPriority.ROUND_ROBIN;
    private EventListener listener = EventListener.NONE;
    private FileSystem fileSystem = FileSystem.real();
    private long maxManifestBytes = 64L << 20;

    private Builder() {}

    public Builder writeBufferSize(long bytes) {
      check(bytes >= 16 << 10 && bytes <= 1L << 40, "writeBufferSize", bytes, "16 KiB..1 TiB");
      this.writeBufferSize = bytes;
      return this;
    }

    public Builder blockSize(int bytes) {
      check(bytes >= 256 && bytes <= 1 << 20, "blockSize", bytes, "256 B..1 MiB");
      this.blockSize = bytes;
      return this;
    }

    public Builder blockCacheBytes(long bytes) {
      check(bytes >= 0, "blockCacheBytes", bytes, ">= 0");
      this.blockCacheBytes = bytes;
      return this;
    }

    public Builder bloomBitsPerKey(int bits) {
      check(bits >= 0 && bits <= 64, "bloomBitsPerKey", bits, "0..64");
      this.bloomBitsPerKey = bits;
      return this;
    }

    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    /**
     * Compression by level, overriding {@link #compression} for every level while not empty:
     * entry 0 for level-0 tables, entry {@code i >= 1} for the {@code i}-th sorted level from the
     * base level down, the last entry for the levels past the end of the list (see {@link
     * Options}). An empty list (the default) puts back {@link #compression} everywhere.
     *
     * @throws NullPointerException when the list or one of its entries is null
     * @throws IllegalArgumentException when the list has more than 7 entries (one per level)
     */
    public Builder compressionPerLevel(List<Compression> perLevel) {
      Objects.requireNonNull(perLevel, "compressionPerLevel");
      if (perLevel.size() > VersionEdit.LEVELS) {
        throw new IllegalArgumentException("compressionPerLevel must have at most " + VersionEdit.LEVELS
            + " entries (one per level), had " + perLevel.size());
      }
      for (int i = 0; i < perLevel.size(); i++) {
        if (perLevel.get(i) == null) {
          throw new NullPointerException("compressionPerLevel[" + i + "] is null");
        }
      }
      this.compressionPerLevel = List.copyOf(perLevel);
      return this;
    }

    public Builder backgroundThreads(int threads) {
      check(threads >= 1 && threads <= 64, "backgroundThreads", threads, "1..64");
      this.backgroundThreads = threads;
      return this;
    }

    public Builder maxOpenFiles(int files) {
      check(files >= 16, "maxOpenFiles", files, ">= 16");
      this.maxOpenFiles = files;
      return this;
    }

    /** Whether table files are read through read-only memory mappings (true by default). */
    public Builder mapTableFiles(boolean map) {
      this.mapTableFiles = map;
      return this;
    }

    public Builder targetFileSize(long bytes) {
      check(bytes >= 16 << 10 && bytes <= 1L << 40, "targetFileSize", bytes, "16 KiB..1 TiB");
      this.targetFileSize = bytes;
      return this;
    }

    public Builder maxBytesForLevelBase(long bytes) {
      check(bytes >= 16 << 10 && bytes <= 1L << 50, "maxBytesForLevelBase", bytes,
          "16 KiB..1 PiB");
      this.maxBytesForLevelBase = bytes;
      return this;
    }

    public Builder levelSizeMultiplier(int multiplier) {
      check(multiplier >= 2 && multiplier <= 1000, "levelSizeMultiplier", multiplier, "2..1000");
      this.levelSizeMultiplier = multiplier;
      return this;
    }

    /** Level-0 tables at which they are compacted; 1 to 1000. */
    public Builder level0CompactionTrigger(int tables) {
      check(tables >= 1 && tables <= 1000, "level0CompactionTrigger", tables, "1..1000");
      this.level0CompactionTrigger = tables;
      return this;
    }

    /** Level-0 tables at which writes slow down; 1 to 1000, at least the compaction trigger. */
    public Builder level0SlowdownTrigger(int tables) {
      check(tables >= 1 && tables <= 1000, "level0SlowdownTrigger", tables, "1..1000");
      this.level0SlowdownTrigger = tables;
      return this;
    }

    /** Level-0 tables at which writes stop; 2 to 1000, above the slowdown trigger. */
    public Builder level0StopTrigger(int tables) {
      check(tables >= 2 && tables <= 1000, "level0StopTrigger", tables, "2..1000");
      this.level0StopTrigger = tables;
      return this;
    }

    public Builder compactionPriority(CompactionPriority priority) {
      this.compactionPriority = Objects.requireNonNull(priority, "compactionPriority");
      return this;
    }

    /** Manifest size at which it rolls over to a new one; 1 KiB to 1 TiB. */
    public Builder maxManifestBytes(long bytes) {
      check(bytes >= 1 << 10 && bytes <= 1L << 40, "maxManifestBytes", bytes, "1 KiB..1 TiB");
      this.maxManifestBytes = bytes;
      return this;
    }

    public Builder listener(EventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Builder fileSystem(FileSystem fileSystem) {
      this.fileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
      return this;
    }

    /**
     * @throws IllegalArgumentException when the level-0 triggers are out of order: compaction
     *     trigger &lt;= slowdown trigger &lt; stop trigger
     */
    public Options build() {
      if (level0SlowdownTrigger < level0CompactionTrigger) {
        throw new IllegalArgumentException("level0SlowdownTrigger (" + level0SlowdownTrigger
            + ") must be at least level0CompactionTrigger (" + level0CompactionTrigger + ")");
      }
      if (level0StopTrigger <= level0SlowdownTrigger) {
        throw new IllegalArgumentException("level0StopTrigger (" + level0StopTrigger
            + ") must be above level0SlowdownTrigger (" + level0SlowdownTrigger + ")");
      }
      return new Options(this);
    }

    private static void check(boolean ok, String name, long value, String range) {
      if (!ok) {
        throw new IllegalArgumentException(name + " must be " + range + ", was " + value);
      }
    }
  }
}

package io.strata.wal;

/**
 * Settings of a {@link Wal}. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * <ul>
 *   <li>{@code segmentSize} (default 64 MiB, at least 64 KiB): a new segment file starts once the
 *       current one would grow past this size (a single larger record gets a segment of its own).
 *   <li>{@code recoveryMode} (default {@link RecoveryMode#TOLERATE_TORN_TAIL}): how replay on open
 *       treats damage.
 *   <li>{@code maxRecordBytes} (default and most {@link #MAX_RECORD_BYTES}, {@code 2^31 - 9}; at
 *       least 1): the largest record {@link Wal#append} accepts; a larger one is refused with an
 *       {@link IllegalArgumentException} and the log stays usable. Replay reads records up to
 *       {@link #MAX_RECORD_BYTES} whatever this is set to, so lowering it never makes an existing
 *       log unreadable.
 * </ul>
 */
public final class WalOptions {
  /** Smallest segment size accepted. */
  public static final long MIN_SEGMENT_SIZE = 64 * 1024;

  /**
   * The largest record any log writer accepts and every reader reassembles, {@code 2^31 - 9}
   * bytes: the largest byte array every Java virtual machine can allocate.
   */
  public static final int MAX_RECORD_BYTES = LogFormat.MAX_RECORD_BYTES;

  private static final WalOptions DEFAULTS = builder().build();

  private final long segmentSize;
  private final RecoveryMode recoveryMode;
  private final int maxRecordBytes;

  private WalOptions(Builder b) {
    this.segmentSize = b.segmentSize;
    this.recoveryMode = b.recoveryMode;
    this.maxRecordBytes = b.maxRecordBytes;
  }

  public static WalOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public long segmentSize() {
    return segmentSize;
  }

  public RecoveryMode recoveryMode() {
    return recoveryMode;
  }

  /** The largest record {@link Wal#append} accepts. */
  public int maxRecordBytes() {
    return maxRecordBytes;
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder().segmentSize(segmentSize).recoveryMode(recoveryMode)
        .maxRecordBytes(maxRecordBytes);
  }

  @Override
  public String toString() {
    return "WalOptions{segmentSize=" + segmentSize + ", recoveryMode=" + recoveryMode
        + ", maxRecordBytes=" + maxRecordBytes + "}";
  }

  /** Builds {@link WalOptions}; not thread-safe. */
  public static final class Builder {
    private long segmentSize = 64L * 1024 * 1024;
    private RecoveryMode recoveryMode = RecoveryMode.TOLERATE_TORN_TAIL;
    private int maxRecordBytes = MAX_RECORD_BYTES;

    private Builder() {}

    public Builder segmentSize(long bytes) {
      if (bytes < MIN_SEGMENT_SIZE) {
        throw new IllegalArgumentException(
            "segmentSize must be at least " + MIN_SEGMENT_SIZE + " bytes, was " + bytes);
      }
      this.segmentSize = bytes;
      return this;
    }

    public Builder recoveryMode(RecoveryMode mode) {
      this.recoveryMode = java.util.Objects.requireNonNull(mode, "recoveryMode");
      return this;
    }

    /** The largest record accepted, 1 to {@link #MAX_RECORD_BYTES} bytes. */
    public Builder maxRecordBytes(long bytes) {
      if (bytes < 1 || bytes > MAX_RECORD_BYTES) {
        throw new IllegalArgumentException("maxRecordBytes must be 1.." + MAX_RECORD_BYTES
            + " bytes, was " + bytes);
      }
      this.maxRecordBytes = (int) bytes;
      return this;
    }

    public WalOptions build() {
      return new WalOptions(this);
    }
  }
}

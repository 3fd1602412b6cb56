package io.strata.wal;

/**
 * Settings of a {@link Wal}. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * <ul>
 *   <li>{@code segmentSize} (default 64 MiB, at least 64 KiB): a new segment file starts once the
 *       current one would grow past this size (a single larger record gets a segment of its own).
 *   <li>{@code recoveryMode} (default {@link RecoveryMode#TOLERATE_TORN_TAIL}): how replay on open
 *       treats damage.
 * </ul>
 */
public final class WalOptions {
  /** Smallest segment size accepted. */
  public static final long MIN_SEGMENT_SIZE = 64 * 1024;

  private static final WalOptions DEFAULTS = builder().build();

  private final long segmentSize;
  private final RecoveryMode recoveryMode;

  private WalOptions(Builder b) {
    this.segmentSize = b.segmentSize;
    this.recoveryMode = b.recoveryMode;
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

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder().segmentSize(segmentSize).recoveryMode(recoveryMode);
  }

  @Override
  public String toString() {
    return "WalOptions{segmentSize=" + segmentSize + ", recoveryMode=" + recoveryMode + "}";
  }

  /** Builds {@link WalOptions}; not thread-safe. */
  public static final class Builder {
    private long segmentSize = 64L * 1024 * 1024;
    private RecoveryMode recoveryMode = RecoveryMode.TOLERATE_TORN_TAIL;

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

    public WalOptions build() {
      return new WalOptions(this);
    }
  }
}

package io.strata.lsm;

/**
 * How a read or cursor sees the store. Immutable.
 *
 * <ul>
 *   <li>{@code snapshot} (default none: the latest state when the read starts);
 *   <li>{@code lowerBound} (inclusive) and {@code upperBound} (exclusive) limit a cursor's range
 *       (default unbounded); ignored by point reads;
 *   <li>{@code fillCache} (default true): whether blocks read from disk go into the block cache
 *       (turn off for one-off scans so they do not evict hot blocks).
 * </ul>
 */
public final class ReadOptions {
  private static final ReadOptions DEFAULTS = builder().build();

  private final Snapshot snapshot;
  private final byte[] lowerBound;
  private final byte[] upperBound;
  private final boolean fillCache;

  private ReadOptions(Builder b) {
    this.snapshot = b.snapshot;
    this.lowerBound = b.lowerBound;
    this.upperBound = b.upperBound;
    this.fillCache = b.fillCache;
  }

  public static ReadOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The snapshot to read at, or null for the latest state. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /** Inclusive lower bound of a cursor (a copy), or null. */
  public byte[] lowerBound() {
    return lowerBound == null ? null : lowerBound.clone();
  }

  /** Exclusive upper bound of a cursor (a copy), or null. */
  public byte[] upperBound() {
    return upperBound == null ? null : upperBound.clone();
  }

  byte[] lowerBoundRef() {
    return lowerBound;
  }

  byte[] upperBoundRef() {
    return upperBound;
  }

  public boolean fillCache() {
    return fillCache;
  }

  /** Builds {@link ReadOptions}. */
  public static final class Builder {
    private Snapshot snapshot;
    private byte[] lowerBound;
    private byte[] upperBound;
    private boolean fillCache = true;

    private Builder() {}

    public Builder snapshot(Snapshot snapshot) {
      this.snapshot = snapshot;
      return this;
    }

    /** Inclusive; null for none. The array is copied. */
    public Builder lowerBound(byte[] key) {
      this.lowerBound = key == null ? null : key.clone();
      return this;
    }

    /** Exclusive; null for none. The array is copied. */
    public Builder upperBound(byte[] key) {
      this.upperBound = key == null ? null : key.clone();
      return this;
    }

    public Builder fillCache(boolean fillCache) {
      this.fillCache = fillCache;
      return this;
    }

    public ReadOptions build() {
      return new ReadOptions(this);
    }
  }
}

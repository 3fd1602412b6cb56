package io.strata.lsm;

/**
 * How a write is made durable. Immutable.
 *
 * <ul>
 *   <li>{@code sync} (default false): when true, {@link Db#write} returns only once the batch is on
 *       stable storage and survives a power loss. When false, the batch is handed to the operating
 *       system before {@code write} returns: it survives a crash of the process, and a power loss
 *       loses at most a suffix of the most recent writes.
 * </ul>
 */
public final class WriteOptions {
  private static final WriteOptions DEFAULTS = new WriteOptions(false);
  private static final WriteOptions SYNC = new WriteOptions(true);

  private final boolean sync;

  private WriteOptions(boolean sync) {
    this.sync = sync;
  }

  /** Not synced. */
  public static WriteOptions defaults() {
    return DEFAULTS;
  }

  /** Synced: shorthand for {@code builder().sync(true).build()}. */
  public static WriteOptions sync() {
    return SYNC;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether writes are synced to stable storage before they return. */
  public boolean isSync() {
    return sync;
  }

  @Override
  public String toString() {
    return "WriteOptions{sync=" + sync + "}";
  }

  /** Builds {@link WriteOptions}. */
  public static final class Builder {
    private boolean sync;

    private Builder() {}

    public Builder sync(boolean sync) {
      this.sync = sync;
      return this;
    }

    public WriteOptions build() {
      return sync ? SYNC : DEFAULTS;
    }
  }
}

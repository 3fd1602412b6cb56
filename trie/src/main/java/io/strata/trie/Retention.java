package io.strata.trie;

/**
 * How long a {@link StateStore} keeps committed roots readable.
 *
 * <ul>
 *   <li>{@link #archive()} (the default): every root ever committed stays readable; nothing is
 *       deleted.
 *   <li>{@link #blocks(int) blocks(n)}: every root recorded at the {@code n} most recent block
 *       heights (heights {@code > latestBlock - n}, forks included) stays readable and provable;
 *       the nodes no such root reaches are deleted in the background (see {@code
 *       trie/PRUNING.md}).
 * </ul>
 *
 * <p>Thread-safety: immutable.
 */
public final class Retention {
  private static final Retention ARCHIVE = new Retention(0);

  private final int blocks;

  private Retention(int blocks) {
    this.blocks = blocks;
  }

  /** Keep every root ever committed (the default). */
  public static Retention archive() {
    return ARCHIVE;
  }

  /**
   * Keep the roots of the {@code n} most recent heights, forks included.
   *
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public static Retention blocks(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("Retention.blocks(n): n must be >= 1, got " + n);
    }
    return new Retention(n);
  }

  /** Whether nothing is ever pruned. */
  public boolean isArchive() {
    return blocks == 0;
  }

  /** The number of heights kept, or 0 for {@link #archive()}. */
  public int blocks() {
    return blocks;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Retention r && r.blocks == blocks;
  }

  @Override
  public int hashCode() {
    return blocks;
  }

  @Override
  public String toString() {
    return blocks == 0 ? "Retention.archive()" : "Retention.blocks(" + blocks + ")";
  }
}

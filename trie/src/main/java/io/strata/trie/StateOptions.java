package io.strata.trie;

import io.strata.lsm.Options;
import java.util.Objects;

/**
 * Options of a {@link StateStore}. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: the key-value store's own defaults ({@link Options#defaults()}), a 192 MiB node
 * cache, synced commits (a returned commit survives a power loss), plain keys (not secure), hash
 * the 16 subtrees of the root branch in parallel when at least 2,000 updates are waiting to be
 * hashed, split commits into key-value batches of at most 64 MiB, and archive retention (every
 * root ever committed stays readable); under a window without leaf links, a flush lag of 16
 * blocks with at most 256 MiB of committed nodes held in memory ({@link Builder#flushLag}).
 *
 * <p>Thread-safety: immutable, safe to share; a {@link Builder} belongs to one thread.
 */
public final class StateOptions {
  private static final StateOptions DEFAULTS = new Builder().build();

  private final Options dbOptions;
  private final long nodeCacheBytes;
  private final boolean syncCommits;
  private final boolean secure;
  private final int parallelHashThreshold;
  private final int commitBatchBytes;
  private final Retention retention;
  private final LeafLinks leafLinks;
  private final int flushLag;
  private final long dirtyBytes;

  private StateOptions(Builder b) {
    dbOptions = b.dbOptions;
    nodeCacheBytes = b.nodeCacheBytes;
    syncCommits = b.syncCommits;
    secure = b.secure;
    parallelHashThreshold = b.parallelHashThreshold;
    commitBatchBytes = b.commitBatchBytes;
    retention = b.retention;
    leafLinks = b.leafLinks;
    flushLag = b.flushLag;
    dirtyBytes = b.dirtyBytes;
  }

  /** The defaults listed above. */
  public static StateOptions defaults() {
    return DEFAULTS;
  }

  /** The defaults, with secure keys: every key is hashed with Keccak-256 before use. */
  public static StateOptions secure() {
    return new Builder().secure(true).build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.dbOptions = dbOptions;
    b.nodeCacheBytes = nodeCacheBytes;
    b.syncCommits = syncCommits;
    b.secure = secure;
    b.parallelHashThreshold = parallelHashThreshold;
    b.commitBatchBytes = commitBatchBytes;
    b.retention = retention;
    b.leafLinks = leafLinks;
    b.flushLag = flushLag;
    b.dirtyBytes = dirtyBytes;
    return b;
  }

  /** Options of the key-value store {@link StateStore#open} opens (unused by {@code on(Db)}). */
  public Options dbOptions() {
    return dbOptions;
  }

  /**
   * Upper bound of the decoded-node cache, in bytes of heap as estimated from the nodes' object
   * layout ({@code Node.weight}: a loaded branch of 16 hash references takes about 2.4 KB with its
   * entry, so the 65,536 full branches 4 nibbles deep in a 1M-account trie take about 156 MB).
   * Inner nodes keep up to three quarters of it when leaves compete. Besides it, the references in
   * the top three nibbles of a trie being read keep the nodes they load (at most 4,369 nodes per
   * root, about 2.3 MB of branches), so reads pass the upper levels without a cache lookup; 0
   * turns both off.
   */
  public long nodeCacheBytes() {
    return nodeCacheBytes;
  }

  /** Whether a commit fsyncs before returning. */
  public boolean syncCommits() {
    return syncCommits;
  }

  /** Whether keys are hashed with Keccak-256 before use, as in Ethereum's state tries. */
  public boolean isSecure() {
    return secure;
  }

  /** Updates waiting to be hashed from which the root's subtrees are hashed in parallel. */
  public int parallelHashThreshold() {
    return parallelHashThreshold;
  }

  /** Largest key-value batch a commit writes; larger commits are split, root last. */
  public int commitBatchBytes() {
    return commitBatchBytes;
  }

  /** How long committed roots stay readable (default {@link Retention#archive()}). */
  public Retention retention() {
    return retention;
  }

  /** Which tries a committed root's leaves refer to (default {@link LeafLinks#none()}). */
  public LeafLinks leafLinks() {
    return leafLinks;
  }

  /**
   * Under a window without leaf links: how many of the oldest heights leave together (0: nodes
   * are written by every commit). See {@link Builder#flushLag(int)}.
   */
  public int flushLag() {
    return flushLag;
  }

  /** With a flush lag: the budget of nodes held in memory, bytes. See {@link Builder#dirtyBytes}. */
  public long dirtyBytes() {
    return dirtyBytes;
  }

  @Override
  public String toString() {
    return "StateOptions{nodeCacheBytes=" + nodeCacheBytes + ", syncCommits=" + syncCommits
        + ", secure=" + secure + ", parallelHashThreshold=" + parallelHashThreshold
        + ", commitBatchBytes=" + commitBatchBytes + ", retention=" + retention
        + ", leafLinks=" + leafLinks + ", flushLag=" + flushLag + ", dirtyBytes=" + dirtyBytes + ", db="
        + dbOptions + "}";
  }

  /** Builds {@link StateOptions}. Not thread-safe. */
  public static final class Builder {
    private Options dbOptions = Options.defaults();
    private long nodeCacheBytes = 192L << 20;
    private boolean syncCommits = true;
    private boolean secure;
    private int parallelHashThreshold = 2_000;
    private int commitBatchBytes = 64 << 20;
    private Retention retention = Retention.archive();
    private LeafLinks leafLinks = LeafLinks.none();
    private int flushLag = 16;
    private long dirtyBytes = 256L << 20;

    private Builder() {}

    /**
     * With a flush lag: the most bytes (keys and encodings) of committed nodes held in memory,
     * default 256 MiB (at 1M accounts and 1,000-update blocks a window of 128 with a lag of 16
     * holds about 180 MB). Above it the pruning thread writes the nodes of the oldest blocks
     * still journaled (and drops their journal records) until the layer is back under it; those
     * nodes then reach the table files even if they die later, as without a lag. 0 or more.
     */
    public Builder dirtyBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("dirtyBytes must be >= 0, got " + bytes);
      }
      this.dirtyBytes = bytes;
      return this;
    }

    /**
     * For a store with {@link Retention#blocks(int)} and no leaf links: {@code blocks} above 0
     * makes each commit write only a journal record of its block's changes (synced like the
     * nodes were: the commit is as durable) and keep its nodes in memory; the oldest roots then
     * leave the window {@code blocks} at a time, and only the nodes that outlive them are
     * written, so nodes that die inside the window never reach a table file ({@code
     * trie/COMMIT.md}, step D). Memory: the nodes of about {@code window + blocks} blocks. On
     * open the journal is replayed, each block checked against its recorded root; {@link
     * StateStore#close()} writes every node held in memory. Default 16 (measured: at 1M
     * accounts and a window of 128, 1.15x the committed updates/s of 0 and 0.78x its disk);
     * 0: every commit writes its nodes. Ignored in archive mode and with links (commits write
     * their nodes), which also write on open what a crashed session left in the journal. 0 to
     * 1,024.
     */
    public Builder flushLag(int blocks) {
      if (blocks < 0 || blocks > 1_024) {
        throw new IllegalArgumentException("flushLag must be in [0, 1024], got " + blocks);
      }
      this.flushLag = blocks;
      return this;
    }

    /**
     * How long committed roots stay readable: {@link Retention#archive()} (default, nothing is
     * deleted) or {@link Retention#blocks(int)} (a window of heights, pruned in the background).
     */
    public Builder retention(Retention retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * Which tries a leaf refers to ({@link LeafLinks#ethereumAccounts()} for Ethereum's world
     * state): a windowed store keeps the tries that retained roots link to and prunes the others.
     * Must stay the same for the life of a store. Default {@link LeafLinks#none()}.
     */
    public Builder leafLinks(LeafLinks links) {
      this.leafLinks = Objects.requireNonNull(links, "links");
      return this;
    }

    /** Options of the key-value store opened by {@link StateStore#open(java.nio.file.Path,
     * StateOptions)}. */
    public Builder dbOptions(Options options) {
      this.dbOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Node cache bound in bytes, 0 or more (0: no cache). */
    public Builder nodeCacheBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("nodeCacheBytes must be >= 0, got " + bytes);
      }
      this.nodeCacheBytes = bytes;
      return this;
    }

    /** Whether commits fsync (default true). */
    public Builder syncCommits(boolean sync) {
      this.syncCommits = sync;
      return this;
    }

    /** Whether keys are hashed with Keccak-256 before use (default false). */
    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    /** Pending updates from which hashing goes parallel, 1 or more; Integer.MAX_VALUE: never. */
    public Builder parallelHashThreshold(int updates) {
      if (updates < 1) {
        throw new IllegalArgumentException("parallelHashThreshold must be >= 1, got " + updates);
      }
      this.parallelHashThreshold = updates;
      return this;
    }

    /** Largest batch a commit writes at once, 1 MiB to 1 GiB (default 64 MiB). */
    public Builder commitBatchBytes(int bytes) {
      if (bytes < (1 << 20) || bytes > (1 << 30)) {
        throw new IllegalArgumentException(
            "commitBatchBytes must be in [1 MiB, 1 GiB], got " + bytes);
      }
      this.commitBatchBytes = bytes;
      return this;
    }

    public StateOptions build() {
      return new StateOptions(this);
    }
  }
}

package io.strata.trie;

/**
 * Figures of a {@link StateStore} since it was opened. Immutable.
 *
 * @param commits commits that wrote something
 * @param nodesWritten trie nodes committed (each once per commit that created it; with a flush
 *     lag they are held in memory first, and those that die there are never written)
 * @param bytesWritten bytes of keys and values handed to the key-value store (nodes and block
 *     mappings)
 * @param nodeCacheHits node loads answered by the decoded-node cache
 * @param nodeCacheMisses node loads that read the key-value store
 * @param nodeCacheBytes estimated bytes held by the decoded-node cache
 * @param retainedRoots roots retained now (distinct versions above the horizon; 0 in archive
 *     mode, where every root is kept and none is counted)
 * @param rootsPruned versions whose pruning completed since the store was opened
 * @param nodesDeleted node records deleted by pruning since the store was opened
 * @param bytesDeleted bytes of node records (keys and values) deleted by pruning
 * @param pruningBacklog heights that have left the window and wait to be pruned
 * @param pruningNanos time spent in pruning steps, nanoseconds
 * @param linkedTriesCommitted linked tries (issue 19) that commits wrote nodes for
 * @param linkedTriesPruned linked tries that left the window: no retained root refers to them
 * @param dirtyNodes with a flush lag ({@link StateOptions#flushLag()}): committed nodes held in
 *     memory now, not yet written (0 otherwise)
 * @param dirtyBytes their keys and encodings, bytes
 * @param nodesDroppedUnwritten nodes that died while held in memory: never written to a table
 */
public record StateStats(
    long commits,
    long nodesWritten,
    long bytesWritten,
    long nodeCacheHits,
    long nodeCacheMisses,
    long nodeCacheBytes,
    long retainedRoots,
    long rootsPruned,
    long nodesDeleted,
    long bytesDeleted,
    long pruningBacklog,
    long pruningNanos,
    long linkedTriesCommitted,
    long linkedTriesPruned,
    long dirtyNodes,
    long dirtyBytes,
    long nodesDroppedUnwritten) {

  /** The figures of a store without a flush lag. */
  public StateStats(long commits, long nodesWritten, long bytesWritten, long nodeCacheHits,
      long nodeCacheMisses, long nodeCacheBytes, long retainedRoots, long rootsPruned,
      long nodesDeleted, long bytesDeleted, long pruningBacklog, long pruningNanos,
      long linkedTriesCommitted, long linkedTriesPruned) {
    this(commits, nodesWritten, bytesWritten, nodeCacheHits, nodeCacheMisses, nodeCacheBytes,
        retainedRoots, rootsPruned, nodesDeleted, bytesDeleted, pruningBacklog, pruningNanos,
        linkedTriesCommitted, linkedTriesPruned, 0, 0, 0);
  }

  /** The figures of an archive store (no pruning), as before retention windows existed. */
  public StateStats(long commits, long nodesWritten, long bytesWritten, long nodeCacheHits,
      long nodeCacheMisses, long nodeCacheBytes) {
    this(commits, nodesWritten, bytesWritten, nodeCacheHits, nodeCacheMisses, nodeCacheBytes, 0,
        0, 0, 0, 0, 0, 0, 0);
  }
}

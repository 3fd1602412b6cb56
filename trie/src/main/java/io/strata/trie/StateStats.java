package io.strata.trie;

/**
 * Figures of a {@link StateStore} since it was opened. Immutable.
 *
 * @param commits commits that wrote something
 * @param nodesWritten trie nodes written (each once per commit that created it)
 * @param bytesWritten bytes of keys and values handed to the key-value store (nodes and block
 *     mappings)
 * @param nodeCacheHits node loads answered by the decoded-node cache
 * @param nodeCacheMisses node loads that read the key-value store
 * @param nodeCacheBytes estimated bytes held by the decoded-node cache
 */
public record StateStats(
    long commits,
    long nodesWritten,
    long bytesWritten,
    long nodeCacheHits,
    long nodeCacheMisses,
    long nodeCacheBytes) {}

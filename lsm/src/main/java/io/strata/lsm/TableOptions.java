package io.strata.lsm;

/**
 * What a table writer needs to know: the settings of the {@code Db}'s options that shape a
 * table file.
 *
 * @param blockSize uncompressed size at which a data block is cut
 * @param compression how blocks are compressed
 * @param bloomBitsPerKey Bloom filter density; 0 writes no filter
 * @param maxBlockBytes the largest block readers accept ({@link TableFormat#MAX_BLOCK_BYTES}
 *     outside tests)
 */
record TableOptions(int blockSize, Compression compression, int bloomBitsPerKey,
    int maxBlockBytes) {}

package io.strata.lsm.internal.table;

import io.strata.lsm.Compression;
import io.strata.lsm.Db;

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
public record TableOptions(int blockSize, Compression compression, int bloomBitsPerKey,
    int maxBlockBytes) {}

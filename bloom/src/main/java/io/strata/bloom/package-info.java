/**
 * A cache-line-blocked Bloom filter ({@link io.strata.bloom.BloomFilter}; format in {@code
 * bloom/FORMAT.md}): every key's bits in one 64-byte cache line, hashed with XXH3 from
 * zero-allocation-hashing. No other Strata dependency; the artifact is the automatic module
 * {@code io.strata.bloom}.
 */
package io.strata.bloom;

package io.strata.lsm;

/** How table blocks are compressed. */
public enum Compression {
  /** Blocks are stored as they are. */
  NONE,
  /** LZ4 (lz4-java), kept only when it saves at least 12.5% of a block. */
  LZ4
}

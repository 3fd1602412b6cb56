package io.strata.lsm;

/** How table blocks are compressed. */
public enum Compression {
  /** Blocks are stored as they are. */
  NONE,
  /**
   * LZ4 (the LZ4 block format, by Strata's own encoder and decoder), kept only when it saves at
   * least 12.5% of a block.
   */
  LZ4
}

package io.strata.trie;

import java.util.Arrays;

/**
 * A node's key in the store ({@link StoreKeys#node}: namespace, position, hash) as a map key:
 * equality by bytes, hash code from the node hash's first bytes. Immutable; the array is never
 * handed out to callers outside the trie package.
 */
final class NodeKey {
  final byte[] bytes;
  private final int hash;

  NodeKey(byte[] bytes) {
    this.bytes = bytes;
    int n = bytes.length;
    this.hash = (bytes[n - 32] & 0xff) << 24 | (bytes[n - 31] & 0xff) << 16
        | (bytes[n - 30] & 0xff) << 8 | (bytes[n - 29] & 0xff) ^ n * 31;
  }

  /**
   * Spreads a hash code over the low bits, for the open-addressing tables keyed by node keys
   * ({@link DirtyNodes}, {@link CountTable}): their slot is {@code mix(hashCode()) & mask}.
   */
  static int mix(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  static NodeKey of(byte[] position, byte[] hash) {
    return new NodeKey(StoreKeys.node(position, hash));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return Hash.hex(bytes);
  }
}

package io.strata.trie;

import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * Keccak-256 (the original Keccak padding Ethereum uses, not SHA3-256) from BouncyCastle.
 *
 * <p>Thread-safety: static methods, safe from any thread; each thread uses its own digest.
 */
final class Keccak {
  private static final ThreadLocal<KeccakDigest> DIGEST =
      ThreadLocal.withInitial(() -> new KeccakDigest(256));

  private Keccak() {}

  /** Keccak-256 of {@code data[off, off + len)}. */
  static byte[] hash(byte[] data, int off, int len) {
    KeccakDigest d = DIGEST.get();
    d.update(data, off, len);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  static byte[] hash(byte[] data) {
    return hash(data, 0, data.length);
  }
}

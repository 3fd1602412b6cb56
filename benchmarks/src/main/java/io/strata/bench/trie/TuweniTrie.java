package io.strata.bench.trie;

import kotlinx.coroutines.Dispatchers;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.trie.MerklePatriciaTrie;

/**
 * Apache Tuweni's in-memory Merkle Patricia trie, driven synchronously: its async calls run on
 * the unconfined dispatcher, that is in the calling thread, so no thread hand-off is measured.
 */
public final class TuweniTrie {
  static {
    // Tuweni computes Keccak-256 through the JCA: register BouncyCastle's provider for it
    if (java.security.Security.getProvider("BC") == null) {
      java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
    }
  }

  private final MerklePatriciaTrie<Bytes> trie = MerklePatriciaTrie.storingBytes();

  public void put(byte[] key, byte[] value) {
    try {
      trie.putAsync(Dispatchers.getUnconfined(), Bytes.wrap(key), Bytes.wrap(value)).join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public byte[] get(byte[] key) {
    try {
      Bytes v = trie.getAsync(Dispatchers.getUnconfined(), Bytes.wrap(key)).get();
      return v == null ? null : v.toArrayUnsafe();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public byte[] rootHash() {
    return trie.rootHash().toArrayUnsafe();
  }
}

package io.strata.trie;

import java.util.List;

/**
 * Which tries a leaf of a committed root refers to (issue 19): a function from a leaf's key and
 * value to the roots of the tries that value names, such as the storage root in an Ethereum
 * account. A windowed store keeps every trie a retained root's leaves link to fully readable and
 * provable, and prunes linked tries no retained root refers to (see {@code trie/PRUNING.md},
 * section 4). Archive stores keep everything and use links only to check {@link
 * StateStore#commit(long, Trie, java.util.Collection)}.
 *
 * <p>The key is the leaf's full path as bytes (in a secure trie the Keccak-256 of the original
 * key). Implementations must be pure (the same answer for the same bytes, always) and
 * thread-safe; they never see a value that is not stored, and must not throw: a value they do not
 * understand links nothing.
 */
@FunctionalInterface
public interface LeafLinks {
  /** The roots this leaf's value refers to (empty for none); the empty trie's root is ignored. */
  List<Hash> links(byte[] key, byte[] value);

  /** No links (the default): each root stands alone. */
  static LeafLinks none() {
    return NoLinks.INSTANCE;
  }

  /**
   * Ethereum accounts: a value that decodes as the RLP list {@code [nonce, balance, storageRoot,
   * codeHash]} (four items, the last two 32-byte strings) links its storage root unless that is
   * the empty trie's. Any other value links nothing (it is not an error: a trie may hold other
   * things).
   */
  static LeafLinks ethereumAccounts() {
    return EthereumAccountLinks.INSTANCE;
  }
}

/** {@link LeafLinks#none()}. */
final class NoLinks implements LeafLinks {
  static final NoLinks INSTANCE = new NoLinks();

  private NoLinks() {}

  @Override
  public List<Hash> links(byte[] key, byte[] value) {
    return List.of();
  }

  @Override
  public String toString() {
    return "LeafLinks.none()";
  }
}

/** {@link LeafLinks#ethereumAccounts()}: decodes the account RLP, links its storage root. */
final class EthereumAccountLinks implements LeafLinks {
  static final EthereumAccountLinks INSTANCE = new EthereumAccountLinks();

  private EthereumAccountLinks() {}

  @Override
  public List<Hash> links(byte[] key, byte[] value) {
    try {
      Rlp.Item it = Rlp.item(value, 0, value.length, new Rlp.Item());
      if (!it.list || it.end != value.length) {
        return List.of();
      }
      int p = it.off;
      byte[] storage = null;
      int n = 0;
      while (p < it.end) {
        Rlp.Item x = Rlp.item(value, p, it.end, new Rlp.Item());
        if (x.list || (n >= 2 && x.len != 32)) {
          return List.of();
        }
        if (n == 2) {
          storage = x.bytes(value);
        }
        n++;
        p = x.end;
      }
      if (n != 4) {
        return List.of();
      }
      Hash h = Hash.wrap(storage);
      return h.equals(Hash.EMPTY_TRIE) ? List.of() : List.of(h);
    } catch (RlpException | IndexOutOfBoundsException e) {
      return List.of();
    }
  }

  @Override
  public String toString() {
    return "LeafLinks.ethereumAccounts()";
  }
}

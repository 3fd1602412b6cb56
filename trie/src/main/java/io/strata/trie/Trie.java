package io.strata.trie;

import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An immutable Ethereum Merkle Patricia trie: a map from byte-string keys to non-empty byte-string
 * values with a Keccak-256 root hash that is byte-for-byte Ethereum's. {@link #put} and {@link
 * #remove} return new tries that share every unchanged node with this one; {@link #update} applies
 * many changes at the cost of one copy per touched node. Hashes are computed lazily, when {@link
 * #rootHash()}, {@link #prove} or a commit asks, and cached in the nodes.
 *
 * <p>A trie made by {@link #empty()} lives in memory. A trie from {@link StateStore#emptyTrie()} or
 * {@link StateStore#trie(Hash)} belongs to that store: it loads nodes from it on demand (reads may
 * then throw {@link MissingNodeException} or {@link io.strata.CorruptionException}) and can be
 * committed to it.
 *
 * <p>Secure tries ({@link #emptySecure()}, {@link StateOptions#secure()}) hash every key with
 * Keccak-256 before use, as Ethereum's account and storage tries do; {@link #entries} then walks in
 * hashed-key order and yields the hashed keys.
 *
 * <p>Keys are up to {@value #MAX_KEY_BYTES} bytes; values 1 to {@value #MAX_VALUE_BYTES} bytes (an
 * empty value removes the key, as in Ethereum). Arrays are copied in and out.
 *
 * <p>Thread-safety: immutable; safe to share between threads and to read from many at once.
 */
public final class Trie {
  /** Longest key accepted. */
  public static final int MAX_KEY_BYTES = 1024;
  /** Longest value accepted. */
  public static final int MAX_VALUE_BYTES = 16 << 20;

  private static final Trie EMPTY = new Trie(null, null, false, 0, StateOptions.defaults()
      .parallelHashThreshold());
  private static final Trie EMPTY_SECURE = new Trie(null, null, true, 0, StateOptions.defaults()
      .parallelHashThreshold());

  final Node root;
  final StateStore store;
  final boolean secure;
  /** Updates since the last hashed version: decides whether hashing goes parallel. */
  final int pendingUpdates;
  final int parallelThreshold;
  private volatile Hash hash;

  Trie(Node root, StateStore store, boolean secure, int pendingUpdates, int parallelThreshold) {
    this.root = root;
    this.store = store;
    this.secure = secure;
    this.pendingUpdates = pendingUpdates;
    this.parallelThreshold = parallelThreshold;
  }

  /** The empty in-memory trie. */
  public static Trie empty() {
    return EMPTY;
  }

  /**
   * The empty in-memory trie with these options: secure or not, and when hashing goes parallel
   * (the other options concern stores and are ignored).
   */
  public static Trie empty(StateOptions options) {
    java.util.Objects.requireNonNull(options, "options");
    return new Trie(null, null, options.isSecure(), 0, options.parallelHashThreshold());
  }

  /** The empty in-memory secure trie (keys hashed with Keccak-256). */
  public static Trie emptySecure() {
    return EMPTY_SECURE;
  }

  NodeResolver resolver() {
    return store == null ? NodeResolver.NONE : store.resolver();
  }

  /** Whether keys are hashed before use. */
  public boolean isSecure() {
    return secure;
  }

  /** Whether the trie holds no key. */
  public boolean isEmpty() {
    return root == null;
  }

  /** The value of {@code key}, or null when absent. */
  public byte[] get(byte[] key) {
    byte[] path = path(key, "key");
    byte[] v = get(root, path, resolver());
    return v == null ? null : v.clone();
  }

  static byte[] get(Node n, byte[] path, NodeResolver resolver) {
    int pos = 0;
    while (n != null) {
      if (n instanceof HashNode h) {
        n = resolver.resolve(h);
      }
      if (n instanceof LeafNode leaf) {
        return Nibbles.equalsTail(path, pos, leaf.path) ? leaf.value : null;
      }
      if (n instanceof ExtensionNode ext) {
        if (!Nibbles.startsWith(path, pos, ext.path)) {
          return null;
        }
        pos += ext.path.length;
        n = ext.child;
      } else {
        BranchNode br = (BranchNode) n;
        if (pos == path.length) {
          return br.value;
        }
        n = br.children[path[pos++]];
      }
    }
    return null;
  }

  /** A trie with {@code key} set to {@code value}; an empty value removes the key. */
  public Trie put(byte[] key, byte[] value) {
    byte[] path = path(key, "key");
    byte[] v = checkValue(value);
    TrieMutator m = new TrieMutator(null, resolver());
    Node r = v.length == 0 ? m.delete(root, path, 0) : m.insert(root, path, 0, v);
    return with(r, 1);
  }

  /** A trie without {@code key} (this trie if it has no such key). */
  public Trie remove(byte[] key) {
    byte[] path = path(key, "key");
    Node r = new TrieMutator(null, resolver()).delete(root, path, 0);
    return with(r, 1);
  }

  /**
   * Applies the changes {@code changes} makes through a {@link TrieUpdater} and returns the
   * resulting trie; this trie is unchanged. The updater ends when {@code changes} returns or
   * throws (what it throws is passed on, and no trie results): every later call on it throws
   * {@link IllegalStateException}.
   */
  public Trie update(Consumer<TrieUpdater> changes) {
    Objects.requireNonNull(changes, "changes");
    TrieUpdater u = new TrieUpdater(this);
    try {
      changes.accept(u);
    } catch (RuntimeException | Error e) {
      u.end();
      throw e;
    }
    return u.finish();
  }

  /**
   * A new updater starting from this trie, for any number of puts and removes; {@link
   * TrieUpdater#build()} returns the result once and ends the updater (every later call on it
   * throws {@link IllegalStateException}). This trie is unchanged; call {@code updater()} again
   * for another round of changes.
   */
  public TrieUpdater updater() {
    return new TrieUpdater(this);
  }

  Trie with(Node newRoot, int updates) {
    if (newRoot == root) {
      return this;
    }
    long p = (hash != null ? 0L : (long) pendingUpdates) + updates;
    return new Trie(newRoot, store, secure, (int) Math.min(Integer.MAX_VALUE, p), parallelThreshold);
  }

  /** Whether the root hash is computed already (then {@link #rootHash()} costs nothing). */
  boolean isHashed() {
    return hash != null;
  }

  /** The Keccak-256 root hash; {@link Hash#EMPTY_TRIE} for the empty trie. */
  public Hash rootHash() {
    Hash h = hash;
    if (h == null) {
      h = Hasher.rootHash(root, pendingUpdates >= parallelThreshold, store != null);
      hash = h;
    }
    return h;
  }

  /**
   * Hashes several tries at once and returns their root hashes, in the collection's order: the
   * tries not hashed yet are hashed in parallel on Strata's hashing pool (one thread per
   * processor), as {@link StateStore#commit(long, Trie, java.util.Collection)} does for a block's account
   * trie and its linked storage tries, which hash independently. With fewer than two unhashed
   * tries, or one processor, they are hashed on the calling thread. On return every trie is
   * hashed: {@link #rootHash()} costs nothing, and each root equals the one {@link #rootHash()}
   * alone would have computed. A trie may appear more than once, and the tries may share nodes.
   *
   * <p>Thread-safety: may be called from any thread, concurrently with other hashing of the same
   * tries (tries are immutable; shared nodes get equal cached references). The calling thread
   * waits for the pool.
   *
   * @throws NullPointerException if {@code tries} or one of its elements is null
   */
  public static java.util.List<Hash> hashAll(java.util.Collection<Trie> tries) {
    Objects.requireNonNull(tries, "tries");
    java.util.List<Trie> list = new java.util.ArrayList<>(tries.size());
    for (Trie t : tries) {
      list.add(Objects.requireNonNull(t, "an element of tries"));
    }
    Hasher.hashAll(list);
    java.util.List<Hash> roots = new java.util.ArrayList<>(list.size());
    for (Trie t : list) {
      roots.add(t.rootHash());
    }
    return java.util.List.copyOf(roots);
  }

  /**
   * A proof of the value of {@code key}, or of its absence: the encodings of the nodes on the path
   * from the root. For a secure trie, verify it with {@link Proof#verifySecure}.
   */
  public Proof prove(byte[] key) {
    byte[] path = path(key, "key");
    rootHash();
    return Proof.build(root, path, resolver());
  }

  /**
   * The entries with keys at or after {@code fromKey}, in unsigned lexicographic key order,
   * loading nodes as the iteration reaches them. For a secure trie keys and {@code fromKey} are
   * the 32-byte Keccak-256 hashes of the original keys, and the order is theirs. The iterator
   * belongs to one thread; entries hold copies.
   */
  public Iterator<Map.Entry<byte[], byte[]>> entries(byte[] fromKey) {
    Objects.requireNonNull(fromKey, "fromKey");
    return new EntryIterator(root, Nibbles.of(fromKey), resolver());
  }

  /**
   * The entries with keys from {@code origin} to {@code limit} (both included) in key order, with
   * the edge proofs that tie them to this trie's root: the nodes on the path of {@code origin}
   * (a proof of absence when no key equals it) and of the last entry's key, each node once.
   * Stops after {@code maxEntries} entries, or once the entries' keys and values reach {@code
   * maxBytes} bytes; at least one entry when any key follows {@code origin}: when no key lies in
   * the range but keys follow {@code limit}, the range holds the first of them (a range without
   * entries proves that nothing follows the origin). Check it with {@link RangeProof#verify}.
   *
   * <p>For a secure trie keys, {@code origin} and {@code limit} are hashed keys (the trie's
   * paths), as in snap sync: the range is a range of hashes.
   *
   * @param origin the first key; null for the smallest key (no edge proof of it is then needed)
   * @param limit the last key; null for no upper bound
   * @throws IllegalArgumentException if {@code maxEntries} or {@code maxBytes} is below 1, a
   *     bound is longer than {@value #MAX_KEY_BYTES} bytes, or {@code limit} precedes {@code
   *     origin}
   */
  public RangeProof proveRange(byte[] origin, byte[] limit, int maxEntries, long maxBytes) {
    return RangeProver.prove(this, origin == null ? null : origin.clone(),
        limit == null ? null : limit.clone(), maxEntries, maxBytes);
  }

  /**
   * The keys whose values differ from this trie to {@code to}, in key order, with the value here
   * ({@code oldValue}) and there ({@code newValue}), null where absent. Subtrees with equal hashes
   * are skipped without being read, so the cost grows with the change, not with the size. The
   * tries may live in memory or in any stores. For secure tries the keys are the hashes. The
   * iterator belongs to one thread and loads nodes as it reaches them.
   *
   * @throws IllegalArgumentException if one trie is secure and the other is not
   */
  public Iterator<StateChange> diff(Trie to) {
    Objects.requireNonNull(to, "to");
    if (to.secure != secure) {
      throw new IllegalArgumentException("to: a " + (to.secure ? "secure" : "plain")
          + " trie cannot be compared with a " + (secure ? "secure" : "plain") + " one");
    }
    rootHash();
    to.rootHash();
    return new DiffIterator(root, resolver(), to.root, to.resolver());
  }

  /** The path of {@code key}: its nibbles, of its hash in a secure trie. */
  byte[] path(byte[] key, String name) {
    Objects.requireNonNull(key, name);
    if (key.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          name + " of " + key.length + " bytes is longer than " + MAX_KEY_BYTES);
    }
    return Nibbles.of(secure ? Keccak.hash(key) : key);
  }

  static byte[] checkValue(byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "value of " + value.length + " bytes is longer than " + MAX_VALUE_BYTES);
    }
    return value.clone();
  }

  @Override
  public String toString() {
    return "Trie{" + (secure ? "secure, " : "") + (store == null ? "in memory" : "in a store")
        + (hash == null ? "" : ", root " + hash) + "}";
  }
}

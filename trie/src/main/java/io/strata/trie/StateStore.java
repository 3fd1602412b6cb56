package io.strata.trie;

import io.strata.CorruptionException;
import io.strata.lsm.Db;
import io.strata.StrataException;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Versioned trie state in a Strata key-value store: every committed trie node is stored under its
 * Keccak-256 hash, so a commit writes only the nodes that are new, every committed root stays
 * readable, and versions share all unchanged nodes. A root can be recorded under a block number.
 *
 * <p>Layout (byte by byte in {@code trie/FORMAT.md}): node hash (32 bytes) to node RLP; one-byte
 * and nine-byte metadata keys for the format version, block numbers and the latest block. The
 * store expects the key-value store to hold nothing else.
 *
 * <p>Reads load nodes lazily through a decoded-node cache bounded in bytes, and check each node:
 * stored bytes that do not hash to the node's key give {@link CorruptionException}; an absent node
 * gives {@link MissingNodeException}. Never a wrong value.
 *
 * <p>Commits: {@link #commit(Trie)} hashes the trie and writes every node not yet stored, children
 * before parents, the root and the block mapping in the last batch (one batch unless the commit is
 * larger than {@link StateOptions#commitBatchBytes()}), fsynced when {@link
 * StateOptions#syncCommits()}. Once a commit returns, the root and all nodes below it are there;
 * after a crash during a commit, earlier roots are intact and the new root is either fully there
 * or absent.
 *
 * <p>State sync: {@link #importRange} fills the store from verified {@link RangeProof}s of a
 * root, {@link #finishImport} completes it; {@link #diff} lists what changed between two roots.
 *
 * <p>Thread-safety: all methods may be called from any thread; commits (and the node writes of
 * imports) are serialized among themselves by {@code commitLock}, reads run concurrently with
 * them. {@code imports} (a concurrent map) holds the syncs under way; each synchronizes itself.
 * {@link #close()} must not race other calls.
 */
public final class StateStore implements AutoCloseable, NodeResolver {
  private static final System.Logger LOG = System.getLogger(StateStore.class.getName());

  private final Db db;
  private final boolean ownsDb;
  private final Path dir;
  private final StateOptions options;
  private final NodeCache cache;
  private final WriteOptions writeOptions;
  private final Object commitLock = new Object();
  private final LongAdder commits = new LongAdder();
  private final LongAdder nodesWritten = new LongAdder();
  private final LongAdder bytesWritten = new LongAdder();
  /** State syncs under way, by root (see {@link RangeImporter}). */
  private final ConcurrentHashMap<Hash, RangeImporter> imports = new ConcurrentHashMap<>();
  private volatile long latestBlock;
  private volatile boolean closed;

  private StateStore(Db db, boolean ownsDb, Path dir, StateOptions options) {
    this.db = db;
    this.ownsDb = ownsDb;
    this.dir = dir == null ? Path.of("(trie store on a caller's Db)") : dir;
    this.options = options;
    this.cache = new NodeCache(options.nodeCacheBytes());
    this.writeOptions = options.syncCommits() ? WriteOptions.sync() : WriteOptions.defaults();
    byte[] version = db.get(StoreKeys.FORMAT);
    if (version == null) {
      db.write(new WriteBatch().put(StoreKeys.FORMAT, new byte[] {StoreKeys.VERSION}),
          writeOptions);
    } else if (version.length != 1 || version[0] != StoreKeys.VERSION) {
      throw new StrataException("trie store format version " + Hash.hex(version)
          + " is not the supported version " + StoreKeys.VERSION + " in " + this.dir);
    }
    byte[] latest = db.get(StoreKeys.LATEST_BLOCK);
    if (latest != null && latest.length != 8) {
      throw new CorruptionException(this.dir, -1, "latest-block record is " + latest.length
          + " bytes, expected 8");
    }
    latestBlock = latest == null ? -1 : StoreKeys.getLong(latest, 0);
  }

  /** Opens (creating if needed) a store in {@code dir} with the default options. */
  public static StateStore open(Path dir) {
    return open(dir, StateOptions.defaults());
  }

  /** Opens (creating if needed) a store in {@code dir}; the store owns and closes its Db. */
  public static StateStore open(Path dir, StateOptions options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    Db db = Db.open(dir, options.dbOptions());
    try {
      return new StateStore(db, true, dir, options);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** A store on an open Db the caller owns (closing the store does not close it). */
  public static StateStore on(Db db) {
    return on(db, StateOptions.defaults());
  }

  /** A store on an open Db the caller owns, with these options (their Db options are unused). */
  public static StateStore on(Db db, StateOptions options) {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(options, "options");
    return new StateStore(db, false, null, options);
  }

  /** The options this store was opened with. */
  public StateOptions options() {
    return options;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the state store is closed");
    }
  }

  /** The empty trie of this store (secure if the store's options say so). */
  public Trie emptyTrie() {
    checkOpen();
    return new Trie(null, this, options.isSecure(), 0, options.parallelHashThreshold());
  }

  /**
   * The trie with root {@code root}, as committed to this store; nodes load as they are reached.
   *
   * @throws MissingNodeException if the store does not hold the root node
   */
  public Trie trie(Hash root) {
    Objects.requireNonNull(root, "root");
    checkOpen();
    if (root.equals(Hash.EMPTY_TRIE)) {
      return emptyTrie();
    }
    Node n = load(root, true);
    return new Trie(n, this, options.isSecure(), 0, options.parallelHashThreshold());
  }

  @Override
  public Node resolve(HashNode ref) {
    checkOpen();
    return load(ref.hash, false);
  }

  @Override
  public RuntimeException corrupt(String problem) {
    return new CorruptionException(dir, -1, problem);
  }

  private Node load(Hash h, boolean isRoot) {
    Node n = cache.get(h);
    if (n != null) {
      return n;
    }
    byte[] enc = db.get(h.bytes());
    if (enc == null) {
      throw new MissingNodeException(h, isRoot
          ? "no trie with this root was committed to this store"
          : "a node below a committed root is not in the store");
    }
    byte[] actual = Keccak.hash(enc);
    if (!h.equalsBytes(actual)) {
      throw new CorruptionException(dir, -1, "trie node " + h + ": its " + enc.length
          + " stored bytes hash to " + Hash.wrap(actual) + ", expected the node's key");
    }
    try {
      n = NodeDecoder.decode(enc, 0, enc.length);
    } catch (RlpException e) {
      throw new CorruptionException(dir, -1, "trie node " + h + ": its " + enc.length
          + " stored bytes hash correctly but are not a trie node: " + e.getMessage());
    }
    n.ref = enc.length < 32 ? enc : h.bytes();
    n.stored = true;
    cache.put(h, n);
    return n;
  }

  /**
   * Writes every node of {@code trie} not yet in the store and returns its root. Committing a trie
   * already committed writes nothing.
   *
   * @throws IllegalArgumentException if the trie does not belong to this store
   */
  public Hash commit(Trie trie) {
    return commit(-1, trie, false);
  }

  /**
   * Like {@link #commit(Trie)}, and records {@code blockNumber} to the root in the same batch (a
   * block committed again is overwritten).
   *
   * @throws IllegalArgumentException if {@code blockNumber} is negative or the trie does not
   *     belong to this store
   */
  public Hash commit(long blockNumber, Trie trie) {
    if (blockNumber < 0) {
      throw new IllegalArgumentException("blockNumber must be >= 0, got " + blockNumber);
    }
    return commit(blockNumber, trie, true);
  }

  private Hash commit(long blockNumber, Trie trie, boolean recordBlock) {
    Objects.requireNonNull(trie, "trie");
    checkOpen();
    if (trie.store != this) {
      throw new IllegalArgumentException("trie: belongs to " + (trie.store == null
          ? "no store (in memory)" : "another store") + "; start from this store's emptyTrie()"
          + " or trie(root)");
    }
    Hash root = trie.rootHash();
    synchronized (commitLock) {
      List<Node> written = new ArrayList<>();
      List<WriteBatch> batches = new ArrayList<>();
      WriteBatch batch = new WriteBatch();
      batches.add(batch);
      long bytes = 0;
      Node r = trie.root;
      if (r != null && !r.stored) {
        bytes += collect(r, root, batches, written);
      }
      batch = batches.get(batches.size() - 1);
      if (recordBlock) {
        byte[] key = StoreKeys.block(blockNumber);
        batch.put(key, root.bytes());
        bytes += key.length + Hash.LENGTH;
        if (blockNumber > latestBlock) {
          batch.put(StoreKeys.LATEST_BLOCK, StoreKeys.longBytes(blockNumber));
          bytes += 9;
        }
      }
      if (batch.count() == 0 && batches.size() == 1) {
        return root;
      }
      for (int i = 0; i < batches.size(); i++) {
        WriteBatch b = batches.get(i);
        if (b.count() > 0) {
          // the last batch carries the root; syncing it makes every earlier one durable too
          db.write(b, i == batches.size() - 1 ? writeOptions : WriteOptions.defaults());
        }
      }
      for (Node n : written) {
        n.stored = true;
      }
      if (recordBlock && blockNumber > latestBlock) {
        latestBlock = blockNumber;
      }
      commits.increment();
      nodesWritten.add(written.size());
      bytesWritten.add(bytes);
      LOG.log(System.Logger.Level.DEBUG, "committed root {0}: {1} nodes, {2} bytes", root,
          written.size(), bytes);
      return root;
    }
  }

  /**
   * Writes the unstored nodes below each of {@code tops} (the nodes a verified range rebuilt, see
   * {@link RangeImporter}), children first, through the same collection as a commit, without a
   * sync: the root node comes last, in {@link #finishImport}'s synced commit, which makes these
   * writes durable too.
   */
  void writeImportedNodes(List<Node> tops) {
    checkOpen();
    synchronized (commitLock) {
      List<Node> written = new ArrayList<>();
      List<WriteBatch> batches = new ArrayList<>();
      batches.add(new WriteBatch());
      long bytes = 0;
      for (Node n : tops) {
        if (n != null && !n.stored && n.ref.length == 32) {
          bytes += collect(n, null, batches, written);
        }
      }
      for (WriteBatch b : batches) {
        if (b.count() > 0) {
          db.write(b, WriteOptions.defaults());
        }
      }
      for (Node n : written) {
        n.stored = true;
      }
      nodesWritten.add(written.size());
      bytesWritten.add(bytes);
    }
  }

  /**
   * The keys whose values differ between the tries under {@code from} and {@code to}, in key
   * order, with their old and new values (null where absent); for a secure store the keys are
   * the 32-byte hashes. Subtrees with equal hashes are skipped without being read, so the cost
   * grows with the change, not with the state. Any two readable roots, forks included. The
   * iterator belongs to one thread and loads nodes as it goes.
   *
   * @throws MissingNodeException if either root was never committed to this store
   */
  public Iterator<StateChange> diff(Hash from, Hash to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    return trie(from).diff(trie(to));
  }

  /**
   * Verifies one range of a state sync against {@code root} ({@link RangeProof#verify}) and
   * stores the trie nodes it determines; a range that fails changes nothing. Ranges of one root
   * may come in any order, overlap and repeat; several roots may be imported at once. Once the
   * ranges cover every key, {@link #finishImport} writes the root. Until then {@link #trie} does
   * not open {@code root} (unless the store held it already). A secure store takes ranges of
   * hashed (32-byte) keys. The progress is kept in memory only; the scheme and its memory bound
   * are described in {@code trie/FORMAT.md} ("State sync").
   *
   * @param origin the origin the range was proven from (null: the smallest key); the range
   *     after one whose last key is {@code k} starts at {@code k ‖ 0x00} in a plain store (keys
   *     of any length lie between {@code k} and {@code k + 1}), at {@code k + 1} or {@code k ‖
   *     0x00} in a secure one
   * @return whether the trie holds keys after the range
   * @throws InvalidProofException if the range does not prove its entries against {@code root}
   */
  public boolean importRange(Hash root, byte[] origin, RangeProof range) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(range, "range");
    checkOpen();
    return imports.computeIfAbsent(root, r -> new RangeImporter(this, r, options.isSecure()))
        .importRange(origin == null ? null : origin.clone(), range);
  }

  /**
   * Finishes the state sync of {@code root}: checks that the ranges imported cover the whole key
   * space, writes the root node (a synced commit when commits are synced) and returns the trie,
   * which from now on is like any committed one ({@code commit(block, trie)} records it under a
   * block, writing no node).
   *
   * @throws IllegalStateException if no range of {@code root} was imported, or while a part of
   *     the key space is not covered (the message names the first gap); the import then goes on
   */
  public Trie finishImport(Hash root) {
    Objects.requireNonNull(root, "root");
    checkOpen();
    RangeImporter session = imports.get(root);
    if (session == null) {
      throw new IllegalStateException("root: no import of " + root + " is under way");
    }
    Trie t = session.finish();
    imports.remove(root, session);
    return t;
  }

  /** Adds the unstored nodes of the subtree to the batches, children first; returns the bytes. */
  private long collect(Node n, Hash rootHash, List<WriteBatch> batches, List<Node> written) {
    long bytes = 0;
    if (n instanceof BranchNode br) {
      for (Node c : br.children) {
        if (c != null && !c.stored && c.ref.length == 32) {
          bytes += collect(c, null, batches, written);
        }
      }
    } else if (n instanceof ExtensionNode ext) {
      Node c = ext.child;
      if (!c.stored && c.ref.length == 32) {
        bytes += collect(c, null, batches, written);
      }
    }
    int len = n.encodedLength();
    byte[] enc = new byte[len];
    n.encode(enc, 0);
    byte[] key = rootHash != null ? rootHash.bytes() : n.ref;
    WriteBatch batch = batches.get(batches.size() - 1);
    if (batch.approximateSize() + len + 64 > options.commitBatchBytes() && batch.count() > 0) {
      batch = new WriteBatch();
      batches.add(batch);
    }
    batch.put(key, enc);
    written.add(n);
    return bytes + key.length + len;
  }

  /** The root recorded for {@code blockNumber}, if any. */
  public Optional<Hash> rootAt(long blockNumber) {
    if (blockNumber < 0) {
      throw new IllegalArgumentException("blockNumber must be >= 0, got " + blockNumber);
    }
    checkOpen();
    byte[] v = db.get(StoreKeys.block(blockNumber));
    if (v == null) {
      return Optional.empty();
    }
    if (v.length != Hash.LENGTH) {
      throw new CorruptionException(dir, -1, "root of block " + blockNumber + " is " + v.length
          + " bytes, expected 32");
    }
    return Optional.of(Hash.wrap(v));
  }

  /** The highest block number recorded by {@link #commit(long, Trie)}, if any. */
  public OptionalLong latestBlock() {
    checkOpen();
    long b = latestBlock;
    return b < 0 ? OptionalLong.empty() : OptionalLong.of(b);
  }

  /** Figures since the store was opened. */
  public StateStats stats() {
    return new StateStats(commits.sum(), nodesWritten.sum(), bytesWritten.sum(), cache.hits(),
        cache.misses(), cache.bytes());
  }

  /**
   * Writes a consistent copy of this store into {@code target}, which must not exist, while
   * commits go on: {@link Db#checkpoint(Path)} of the Db underneath, which holds the trie nodes
   * and the block records alike. A commit running meanwhile is in the copy with its root and block
   * record or not at all (they are in its last batch); open the copy with {@link #open(Path)}.
   *
   * @throws IllegalArgumentException when {@code target} exists
   */
  public void checkpoint(Path target) {
    checkOpen();
    db.checkpoint(target);
  }

  /** The key-value store underneath. */
  public Db db() {
    return db;
  }

  /** Closes the store, and its Db when it opened it. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ownsDb) {
      db.close();
    }
  }
}

package io.strata.trie;

import io.strata.CorruptionException;
import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.ReadOptions;
import io.strata.StrataException;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Versioned trie state in a Strata key-value store. Every committed node is stored under its
 * position and Keccak-256 hash, a commit writes only the nodes that are new, and versions share
 * every unchanged node. Roots are recorded under block numbers, several per height (forks), one
 * of them canonical.
 *
 * <p>Layout (byte by byte in {@code trie/FORMAT.md}, format version 2): every key starts with the
 * two-byte namespace {@code 0x00 0x74}, so the trie's keys never meet a caller's own keys in a Db
 * shared through {@link #on(Db)} as long as the caller's keys do not start with those bytes.
 *
 * <p>Retention ({@link StateOptions#retention()}): in archive mode (the default) every root ever
 * committed stays readable. With {@link Retention#blocks(int) blocks(n)} the roots of the {@code n}
 * most recent heights stay readable and provable, forks included, and the nodes no such root
 * reaches are deleted by a background thread; the mechanism, its invariants and its crash safety
 * are in {@code trie/PRUNING.md}.
 *
 * <p>Reads load nodes lazily through a decoded-node cache bounded in bytes and check each node:
 * stored bytes that do not hash to the node's key give {@link CorruptionException}; an absent node
 * gives {@link MissingNodeException}; a root that left the window gives {@link
 * PrunedStateException}. Never a wrong value.
 *
 * <p>Commits: the nodes, the version record and the block pointers go in one batch (several when
 * larger than {@link StateOptions#commitBatchBytes()}, the records in the last), fsynced when
 * {@link StateOptions#syncCommits()}. Once a commit returns, the root and all nodes below it are
 * there; after a crash during a commit, earlier roots are intact and the new root is either fully
 * there or absent.
 *
 * <p>State sync: {@link #importRange} fills the store from verified {@link RangeProof}s of a
 * root, {@link #finishImport} completes it; {@link #diff} lists what changed between two roots.
 *
 * <p>Thread-safety: all methods may be called from any thread. {@code imports} (a concurrent map)
 * holds the syncs under way; each synchronizes itself. {@code lock} (fair) serializes
 * commits, rewinds, pruning steps and the node writes of imports, and guards the version table ({@code forest}, {@code
 * canonical}, {@code horizon}, {@code nextSeq}); node reads take no lock. The pruning thread of a
 * windowed store runs one step at a time under {@code lock}. {@link #close()} must not race other
 * calls. One {@code StateStore} per Db at a time.
 */
public final class StateStore implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(StateStore.class.getName());
  /** Heights that may wait for pruning before a commit prunes itself (PRUNING.md, section 6). */
  static final int MAX_BACKLOG = 16;
  private static final int PRUNED_ROOTS_REMEMBERED = 65_536;

  private final Db db;
  private final boolean ownsDb;
  private final Path dir;
  private final StateOptions options;
  private final NodeCache cache;
  private final WriteOptions writeOptions;
  private final Resolver resolver = new Resolver();
  /**
   * Whether references in the top levels keep the nodes they resolve to ({@link
   * HashNode#resolved}); not when the node cache is off (then every read loads).
   */
  private final boolean pinNodes;
  /** 0 in archive mode, else the number of heights kept. Constant after construction. */
  private final int window;

  /** The commit lock (package-private: tests hold it to check what must not wait for it). */
  final ReentrantLock lock = new ReentrantLock(true);
  private final Condition work = lock.newCondition();
  // guarded by lock
  private long nextSeq;
  /** Written under lock; read without it by {@link #trie} and {@link #isRetained}. */
  private volatile long horizon = -1;
  private final TreeMap<Long, Hash> canonical = new TreeMap<>();
  /** Roots pruned since open, for the message of PrunedStateException; its own lock. */
  private final Map<Hash, Long> pruned = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, Long> eldest) {
          return size() > PRUNED_ROOTS_REMEMBERED;
        }
      });
  private final PruningForest forest;
  /**
   * With a flush lag: committed nodes not yet written ({@link DirtyNodes}); null otherwise. Also
   * set, without a lag, while an open replays a crashed session's journal, and kept when the Db
   * is read-only (the replayed nodes then live in memory only).
   */
  private volatile DirtyNodes dirty;
  /**
   * Whether the store's format record says version 2 (written before journal records existed):
   * the first journaled commit raises it to 3 in its batch, so that a build that knows no journal
   * refuses the store instead of missing the nodes only the journal holds.
   */
  private boolean formatWithoutJournal;
  /** Whether commits defer their nodes (a window, no links, {@link StateOptions#flushLag()} > 0). */
  private final boolean deferNodes;
  /**
   * The root node, as the caller's trie held it, of the last windowed commit, and its hash
   * (guarded by lock). When that root is the next commit's anchor, the diff walks use these
   * in-memory nodes instead of loading the anchor back by hash: the blocks' paths were resolved
   * into them by the update, so the walks read nothing from the store (issue 13's profile).
   * Pins at most one trie's in-memory nodes, which the caller usually still holds.
   */
  private Node lastRootNode;
  private Hash lastRootHash;
  private Thread pruner;
  private volatile Throwable pruneFailure;

  private final LongAdder commits = new LongAdder();
  private final LongAdder nodesWritten = new LongAdder();
  private final LongAdder bytesWritten = new LongAdder();
  private final LongAdder linkedCommitted = new LongAdder();
  /** Archive mode over a windowed store: the mode record the first write sets (guarded by lock). */
  private byte[] pendingMode;
  /** State syncs under way, by root (see {@link RangeImporter}). */
  private final ConcurrentHashMap<Hash, RangeImporter> imports = new ConcurrentHashMap<>();
  private volatile long latestBlock;
  private volatile boolean closed;
  /** Set by {@link #close}: the pruning thread ends (an advance under way ends early, whole). */
  private volatile boolean stopping;

  private StateStore(Db db, boolean ownsDb, Path dir, StateOptions options) {
    this.db = db;
    this.ownsDb = ownsDb;
    this.dir = dir == null ? Path.of("(trie store on a caller's Db)") : dir;
    this.options = options;
    this.cache = new NodeCache(options.nodeCacheBytes());
    this.pinNodes = options.nodeCacheBytes() > 0;
    this.writeOptions = options.syncCommits() ? WriteOptions.sync() : WriteOptions.defaults();
    this.window = options.retention().blocks();
    byte[] version = db.get(StoreKeys.FORMAT);
    WriteBatch init = new WriteBatch();
    if (version == null) {
      byte[] v1 = db.get(StoreKeys.V1_FORMAT);
      if (v1 != null && v1.length == 1 && v1[0] == 1) {
        throw new StrataException("trie store in " + this.dir + " has format version 1, written"
            + " by Strata before retention windows; this version reads only format "
            + StoreKeys.VERSION + " (nodes keyed by position and hash, its own key namespace)."
            + " Rebuild the store from its source: there is no migration before 1.0");
      }
      init.put(StoreKeys.FORMAT, new byte[] {StoreKeys.VERSION});
    } else if (version.length != 1 || version[0] != StoreKeys.VERSION
        && version[0] != StoreKeys.VERSION_WITHOUT_JOURNAL) {
      throw new StrataException("trie store format version " + Hash.hex(version)
          + " is not a supported version (" + StoreKeys.VERSION_WITHOUT_JOURNAL + " or "
          + StoreKeys.VERSION + ") in " + this.dir);
    }
    formatWithoutJournal = version != null && version[0] == StoreKeys.VERSION_WITHOUT_JOURNAL;
    latestBlock = readLong(StoreKeys.LATEST_BLOCK, "latest-block", -1);
    nextSeq = readLong(StoreKeys.NEXT_SEQUENCE, "next-sequence", 0);
    horizon = readLong(StoreKeys.HORIZON, "horizon", -1);
    byte[] mode = db.get(StoreKeys.MODE);
    int storedWindow = 0;
    int epoch = 0;
    boolean storedInMemory = false;
    if (mode != null) {
      if (mode.length != 8 && mode.length != 9) {
        throw new CorruptionException(this.dir, -1, "retention-mode record is " + mode.length
            + " bytes, expected 8 or 9");
      }
      storedWindow = StoreKeys.getInt(mode, 0);
      epoch = StoreKeys.getInt(mode, 4);
      storedInMemory = mode.length == 9 && mode[8] == 1;
    }
    boolean inMemory = options.leafLinks() instanceof NoLinks;
    boolean adopt = false;
    if (window == 0) {
      if (mode == null) {
        init.put(StoreKeys.MODE, mode(0, 0));
      } else if (storedWindow != 0) {
        // leaving a window: the counts of its epoch are ignored from the first archive write on
        // (PRUNING.md, 7); an open that only reads (an inspection tool) changes nothing
        pendingMode = mode(0, epoch + 1);
      }
      forest = null;
    } else {
      if (storedWindow == 0) {
        epoch++;
        adopt = mode != null || latestBlock >= 0;
        init.put(StoreKeys.MODE, mode(window, epoch, inMemory));
      } else if (storedInMemory && !inMemory) {
        // counts go back to disk: none of this epoch's records is current, start a fresh epoch
        // (every member joins again and its anchor is chosen again)
        epoch++;
        init.put(StoreKeys.MODE, mode(window, epoch, false));
      } else if (storedWindow != window || storedInMemory != inMemory) {
        init.put(StoreKeys.MODE, mode(window, epoch, inMemory));
      }
      forest = new PruningForest(db, this.dir, resolver, cache, options.leafLinks(), epoch);
      if (forest.inMemory && options.flushLag() > 0) {
        dirty = new DirtyNodes();
        forest.dirty = dirty;
        forest.flushLag = options.flushLag();
        forest.rejournal = this::journalAgainst;
        forest.advanceWrite = writeOptions;
        forest.dirtyBudget = options.dirtyBytes();
      }
      if (latestBlock - window > horizon) {
        horizon = latestBlock - window;
        init.put(StoreKeys.HORIZON, StoreKeys.longBytes(horizon));
      }
      loadVersions(adopt, epoch, init);
      forest.loadUnfinished();
      forest.findLeftoverCounts();
    }
    deferNodes = dirty != null;
    replayJournals(init);
    if (init.count() > 0) {
      db.write(init, writeOptions);
    }
    if (forest != null) {
      pruner = new Thread(this::pruneLoop, "strata-trie-pruner");
      pruner.setDaemon(true);
      pruner.start();
    }
  }

  private static byte[] mode(int window, int epoch) {
    byte[] m = new byte[8];
    StoreKeys.putInt(m, 0, window);
    StoreKeys.putInt(m, 4, epoch);
    return m;
  }

  /** The mode record of a window; a ninth byte 1 when its counts live in memory. */
  private static byte[] mode(int window, int epoch, boolean inMemory) {
    byte[] m = mode(window, epoch);
    if (!inMemory) {
      return m;
    }
    byte[] w = Arrays.copyOf(m, 9);
    w[8] = 1;
    return w;
  }

  private long readLong(byte[] key, String what, long absent) {
    byte[] v = db.get(key);
    if (v == null) {
      return absent;
    }
    if (v.length != 8) {
      throw new CorruptionException(dir, -1, what + " record is " + v.length
          + " bytes, expected 8");
    }
    return StoreKeys.getLong(v, 0);
  }

  /**
   * Loads the version table of a windowed store. Versions at or below the horizon after a switch
   * from archive are forgotten (their nodes stay, uncounted); the others become members, and
   * those whose join is not counted in this epoch join again at the next pruning step.
   */
  private void loadVersions(boolean adopt, int epoch, WriteBatch init) {
    byte[] from = StoreKeys.family(StoreKeys.VERSION_RECORD);
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(from)
        .upperBound(StoreKeys.after(from)).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        byte[] k = c.key();
        byte[] v = c.value();
        if (k.length != 19 || v.length != Version.VALUE_BYTES) {
          throw new CorruptionException(dir, -1, "version record " + Hash.hex(k) + " of "
              + v.length + " bytes, expected a 19-byte key and " + Version.VALUE_BYTES
              + " bytes");
        }
        long height = StoreKeys.getLong(k, 3);
        long seq = StoreKeys.getLong(k, 11);
        if (adopt && height <= horizon) {
          init.delete(k);
          continue;
        }
        Version ver = new Version(seq, height, Hash.wrap(java.util.Arrays.copyOf(v, 32)),
            StoreKeys.getLong(v, 32));
        // counts in memory are rebuilt on every open: every member joins again
        ver.joined = !forest.inMemory && StoreKeys.getInt(v, 40) == epoch;
        if (StoreKeys.getInt(v, 44) != epoch) {
          ver.anchor = Long.MIN_VALUE; // chosen again below
        }
        forest.members.put(seq, ver);
      }
    }
    byte[] cf = StoreKeys.family(StoreKeys.CANONICAL);
    long lowest = horizon + 1;
    for (Version ver : forest.members.values()) {
      lowest = Math.min(lowest, ver.height); // members waiting to leave: their pointers too
    }
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(StoreKeys.canonical(
        Math.max(0, lowest)))
        .upperBound(StoreKeys.after(cf)).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        byte[] k = c.key();
        byte[] v = c.value();
        if (k.length != 11 || v.length != Hash.LENGTH) {
          throw new CorruptionException(dir, -1, "block record " + Hash.hex(k) + " of "
              + v.length + " bytes, expected an 11-byte key and 32 bytes");
        }
        canonical.put(StoreKeys.getLong(k, 3), Hash.wrap(v));
      }
    }
    byte[] lfEpoch = java.util.Arrays.copyOf(StoreKeys.linked(epoch, Hash.EMPTY_TRIE), 7);
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(lfEpoch)
        .upperBound(StoreKeys.after(lfEpoch)).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        byte[] k = c.key();
        byte[] v = c.value();
        if (k.length != 39 || v.length != 41) {
          throw new CorruptionException(dir, -1, "linked-trie record " + Hash.hex(k) + " of "
              + v.length + " bytes, expected a 39-byte key and 41 bytes");
        }
        PruningForest.Linked l = new PruningForest.Linked(
            Hash.wrap(java.util.Arrays.copyOfRange(k, 7, 39)));
        l.links = StoreKeys.getLong(v, 0);
        forest.anchorLinked(l, v[8] == 1 ? Hash.wrap(java.util.Arrays.copyOfRange(v, 9, 41))
            : null);
        l.member = l.links > 0;
        forest.linked.put(l.root, l);
      }
    }
    forest.publish();
    for (Version ver : forest.members.values()) {
      if (ver.anchor == Long.MIN_VALUE) {
        ver.joined = false;
        ver.anchor = forest.chooseAnchor(ver.height, Long.MIN_VALUE, canonical, ver.seq);
        init.put(ver.key(), ver.value(epoch, !forest.inMemory));
      }
    }
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
    } catch (RuntimeException | Error e) {
      try {
        db.close();
      } catch (RuntimeException | Error closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * A store on an open Db the caller owns (closing the store does not close it). The store owns
   * every key of that Db that starts with {@code 0x00 0x74}; the caller's keys must not.
   */
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
   * @throws PrunedStateException if the root left this store's retention window
   * @throws MissingNodeException if the store does not hold the root node
   */
  public Trie trie(Hash root) {
    Objects.requireNonNull(root, "root");
    checkOpen();
    if (root.equals(Hash.EMPTY_TRIE)) {
      return emptyTrie();
    }
    if (forest != null) {
      checkRetained(root);
    }
    Node n = load(Nibbles.EMPTY, root, true);
    return new Trie(n, this, options.isSecure(), 0, options.parallelHashThreshold());
  }

  /** Refuses a root that left the window; takes no lock (reads the published members). */
  private void checkRetained(Hash root) {
    long h = horizon;
    if (forest.retainedRoot(root, h) || forest.linkedMember(root)) {
      return;
    }
    Long block = forest.waitingRoot(root, h);
    if (block == null) {
      block = pruned.get(root);
    }
    if (block != null) {
      throw new PrunedStateException(root, OptionalLong.of(block), "block " + block
          + " is at or below the pruning horizon " + h + " (this store keeps " + window
          + " heights; the oldest retained is " + (h + 1) + ")");
    }
  }

  /** Whether {@code root} is readable: retained by the window, or (archive) committed. */
  public boolean isRetained(Hash root) {
    Objects.requireNonNull(root, "root");
    checkOpen();
    if (root.equals(Hash.EMPTY_TRIE)) {
      return true;
    }
    if (forest != null) {
      if (forest.retainedRoot(root, horizon) || forest.linkedMember(root)) {
        return true;
      }
      lock.lock();
      try {
        if (forest.joinsPending()) {
          forest.step(horizon, canonical, pruned, false); // links of recent commits count
        }
        return forest.linkedMember(root);
      } finally {
        lock.unlock();
      }
    }
    return cache.get(NodeKey.of(Nibbles.EMPTY, root.bytes())) != null
        || db.get(StoreKeys.node(Nibbles.EMPTY, root.bytes())) != null;
  }

  /** The resolver tries of this store load nodes through (package-private: not an API). */
  NodeResolver resolver() {
    return resolver;
  }

  private final class Resolver implements NodeResolver {
    @Override
    public Node resolve(HashNode ref) {
      checkOpen();
      Node n = ref.resolved;
      if (n != null) {
        return n;
      }
      n = load(ref.position(), ref.hash, false);
      if (pinNodes && ref.pins()) {
        ref.resolved = n;
      }
      return n;
    }

    @Override
    public RuntimeException corrupt(String problem) {
      return new CorruptionException(dir, -1, problem);
    }
  }

  private Node load(byte[] position, Hash h, boolean isRoot) {
    byte[] key = StoreKeys.node(position, h.bytes());
    NodeKey nk = new NodeKey(key);
    Node n = cache.get(nk);
    if (n != null) {
      return n;
    }
    DirtyNodes d = dirty;
    if (d != null) {
      // held in memory: committed by this process (its hash was computed from these bytes)
      try {
        n = d.decode(nk, position, h);
      } catch (RlpException e) {
        throw new CorruptionException(dir, -1, "trie node " + h + " held in memory is not a trie"
            + " node: " + e.getMessage());
      }
      if (n != null) {
        n.stored = true;
        cache.put(nk, n);
        return n;
      }
    }
    byte[] enc = db.get(key);
    if (enc == null) {
      throw new MissingNodeException(h, isRoot
          ? "no trie with this root was committed to this store"
          : "a node below a committed root is not in the store (at nibble path of length "
              + position.length + ")");
    }
    byte[] actual = Keccak.hash(enc);
    if (!h.equalsBytes(actual)) {
      throw new CorruptionException(dir, -1, "trie node " + h + ": its " + enc.length
          + " stored bytes hash to " + Hash.wrap(actual) + ", expected the node's key");
    }
    try {
      n = NodeDecoder.decode(enc, 0, enc.length, position);
    } catch (RlpException e) {
      throw new CorruptionException(dir, -1, "trie node " + h + ": its " + enc.length
          + " stored bytes hash correctly but are not a trie node: " + e.getMessage());
    }
    n.encodedSize = enc.length;
    n.ref = enc.length < 32 ? enc : h.bytes();
    n.stored = true;
    cache.put(nk, n);
    return n;
  }

  /**
   * Writes every node of {@code trie} not yet in the store and returns its root. Committing a trie
   * already committed writes nothing. Archive mode only.
   *
   * @throws IllegalArgumentException if the trie does not belong to this store
   * @throws IllegalStateException under {@link Retention#blocks(int)}: a root without a block
   *     height has no place in the window (use {@link #commit(long, Trie)})
   */
  public Hash commit(Trie trie) {
    Objects.requireNonNull(trie, "trie");
    checkOpen();
    if (forest != null) {
      throw new IllegalStateException("commit(Trie) without a block number is refused under "
          + options.retention() + ": a root without a height has no place in the retention"
          + " window and would be pruned at once; use commit(blockNumber, trie)");
    }
    checkOwner(trie);
    Hash root = trie.rootHash();
    lock.lock();
    try {
      NodeSet set = Committer.unstored(trie.root, root);
      if (set.size() == 0) {
        return root;
      }
      Records r = new Records();
      if (pendingMode != null) {
        r.put(StoreKeys.MODE, pendingMode);
      }
      write(set, r, -1);
      pendingMode = null;
      set.markStored();
      count(set, root);
      return root;
    } finally {
      lock.unlock();
    }
  }

  private void checkOwner(Trie trie) {
    if (trie.store != this) {
      throw new IllegalArgumentException("trie: belongs to " + (trie.store == null
          ? "no store (in memory)" : "another store") + "; start from this store's emptyTrie()"
          + " or trie(root)");
    }
  }

  /**
   * Like {@link #commit(Trie)}, and records the root at {@code blockNumber} in the same batch.
   * Committing a root at a height that holds a different root adds a fork there: both stay
   * readable (under a window: while the height is retained) and the newest becomes the canonical
   * root of that height ({@link #rootAt}). The latest block becomes {@code blockNumber} when it is
   * higher.
   *
   * @throws IllegalArgumentException if {@code blockNumber} is negative, at or below the pruning
   *     horizon of a windowed store, or the trie does not belong to this store
   */
  public Hash commit(long blockNumber, Trie trie) {
    Objects.requireNonNull(trie, "trie");
    return commit(blockNumber, trie, List.of());
  }

  /**
   * One atomic, durable commit of a block whose state is {@code root} plus the tries its leaves
   * link to ({@link StateOptions#leafLinks()}): {@code linked} holds the linked tries this block
   * created or changed (an unchanged one may be passed too; it writes nothing). Under a window,
   * every trie a retained root links to stays readable and provable, and linked tries no
   * retained root refers to are pruned. Otherwise as {@link #commit(long, Trie)}.
   *
   * @throws IllegalArgumentException if a linked trie with nodes to write is not referred to by
   *     any leaf of {@code root} that this block changed (naming its root), if a changed leaf
   *     links a trie the store does not hold and {@code linked} does not bring, or as {@link
   *     #commit(long, Trie)}
   */
  public Hash commit(long blockNumber, Trie root, java.util.Collection<Trie> linked) {
    Objects.requireNonNull(linked, "linked");
    Trie trie = root;
    if (blockNumber < 0) {
      throw new IllegalArgumentException("blockNumber must be >= 0, got " + blockNumber);
    }
    Objects.requireNonNull(trie, "root");
    checkOpen();
    checkOwner(trie);
    List<Trie> all = new ArrayList<>(linked.size() + 1);
    all.add(trie);
    for (Trie l : linked) {
      checkOwner(Objects.requireNonNull(l, "linked element"));
      all.add(l);
    }
    Hasher.hashAll(all); // the account trie and its linked tries hash independently: in parallel
    Hash rootHash = trie.rootHash();
    lock.lock();
    try {
      rethrowPruneFailure();
      if (forest != null && blockNumber <= horizon) {
        throw new IllegalArgumentException("blockNumber " + blockNumber + " is at or below the"
            + " pruning horizon: the oldest retained height is " + (horizon + 1));
      }
      Records records = new Records();
      boolean known = forest != null ? knownInWindow(blockNumber, rootHash) : knownInArchive(
          blockNumber, rootHash);
      NodeSet set;
      Version added = null;
      if (known) {
        set = new NodeSet();
      } else if (forest != null) {
        long anchorSeq = forest.chooseAnchor(blockNumber, horizon, canonical, Long.MAX_VALUE);
        Version anchor = anchorSeq < 0 ? null : forest.members.get(anchorSeq);
        Node anchorRoot = anchor == null || anchor.root.equals(Hash.EMPTY_TRIE) ? null
            : anchor.root.equals(lastRootHash) ? lastRootNode : new HashNode(anchor.root);
        try {
          set = Committer.against(trie.root, rootHash, anchorRoot,
              anchor == null ? Hash.EMPTY_TRIE : anchor.root, resolver);
        } catch (PrunedStateException e) {
          throw e;
        } catch (MissingNodeException e) {
          throw new MissingNodeException(e.hash(), "the trie refers to a node that is no longer"
              + " stored: it was built on a root that has left the retention window ("
              + e.getMessage() + ")");
        }
        added = new Version(nextSeq, blockNumber, rootHash, anchorSeq);
        added.joinSet = set;
        // (without links no linked trie has nodes to write: linkedNodes below refuses them)
        boolean journal = deferNodes && anchor != null;
        List<byte[]> gone = journal ? new ArrayList<>() : null;
        if (anchorRoot != null && !forest.followsLinks()) {
          recordLeaveSet(added, anchorRoot, anchor.root, trie.root, rootHash, gone);
        }
        records.put(added.key(), added.value(forest.epoch, !forest.inMemory));
        if (journal) {
          records.put(StoreKeys.journal(nextSeq), journalOf(anchor.root, anchor.seq, rootHash,
              blockNumber, set, gone).encode());
          added.journaled = true;
          if (formatWithoutJournal) {
            records.put(StoreKeys.FORMAT, new byte[] {StoreKeys.VERSION});
          }
        }
      } else {
        set = Committer.unstored(trie.root, rootHash);
        records.put(StoreKeys.version(blockNumber, nextSeq), archiveVersionValue(rootHash));
      }
      Version anchorOfLinks = added != null && added.anchor >= 0
          ? forest.members.get(added.anchor) : null;
      NodeSet linkedNodes = linkedNodes(set, linked, anchorOfLinks, added);
      if (linkedNodes.size() > 0) {
        linkedNodes.addAll(set);
        if (added != null) {
          added.joinSet = null; // the join is counted with its links, by a diff walk
        }
        set = linkedNodes;
      }
      if (!known) {
        records.put(StoreKeys.NEXT_SEQUENCE, StoreKeys.longBytes(nextSeq + 1));
      }
      records.put(StoreKeys.canonical(blockNumber), rootHash.bytes());
      byte[] modeChange = pendingMode;
      if (modeChange != null) {
        records.put(StoreKeys.MODE, modeChange);
      }
      if (blockNumber > latestBlock) {
        records.put(StoreKeys.LATEST_BLOCK, StoreKeys.longBytes(blockNumber));
      }
      long newHorizon = horizon;
      if (forest != null && blockNumber - window > horizon) {
        newHorizon = blockNumber - window;
        records.put(StoreKeys.HORIZON, StoreKeys.longBytes(newHorizon));
      }
      if (added != null && added.journaled) {
        write(new NodeSet(), records, -1); // the nodes stay in memory; the journal is durable
        formatWithoutJournal = false;
        dirty.putAll(set.keys, set.values);
      } else {
        write(set, records, forest != null && !known ? nextSeq : -1);
      }
      set.markStored();
      if (forest != null && trie.root != null) {
        lastRootNode = trie.root;
        lastRootHash = rootHash;
      }
      pendingMode = null;
      if (!known) {
        nextSeq++;
      }
      if (blockNumber > latestBlock) {
        latestBlock = blockNumber;
      }
      if (forest != null) {
        canonical.put(blockNumber, rootHash);
        if (added != null) {
          forest.members.put(added.seq, added);
          forest.publish();
        }
        pruned.remove(rootHash);
        horizon = newHorizon;
        work.signalAll();
        while (forest.backlog(horizon) > MAX_BACKLOG + forest.flushLag) {
          awaitAdvance();
          forest.run(horizon, canonical, pruned, false);
        }
      }
      count(set, rootHash);
      return rootHash;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The nodes of the linked tries to write with a commit whose own nodes are {@code set}: each
   * linked trie a changed leaf refers to, against the trie the same key linked in the anchor
   * version (or in full); checks that every linked trie with nodes to write is referred to and
   * every trie a changed leaf links is held by the store or brought along.
   */
  private NodeSet linkedNodes(NodeSet set, java.util.Collection<Trie> linked, Version anchor,
      Version added) {
    LeafLinks links = options.leafLinks();
    NodeSet out = new NodeSet();
    if (links instanceof NoLinks && linked.isEmpty()) {
      return out;
    }
    Node anchorRoot = anchor == null || anchor.root.equals(Hash.EMPTY_TRIE) ? null
        : new HashNode(anchor.root);
    Map<Hash, Hash> referenced = new java.util.HashMap<>();
    for (int i = 0; i < set.size(); i++) {
      Committer.entries(set.nodes.get(i), set.positions.get(i), (k, v) -> {
        for (Hash h : linksOf(links, k, v)) {
          Hash before = null;
          if (anchorRoot != null) {
            List<Hash> old = linksOf(links, k, Trie.get(anchorRoot, Nibbles.of(k), resolver));
            before = old.isEmpty() ? null : old.get(0);
          }
          referenced.putIfAbsent(h, before == null ? Hash.EMPTY_TRIE : before);
        }
      });
    }
    java.util.Set<Hash> brought = new java.util.HashSet<>();
    for (Trie l : linked) {
      Hash h = l.rootHash();
      brought.add(h);
      if (h.equals(Hash.EMPTY_TRIE)) {
        continue;
      }
      Hash before = referenced.get(h);
      if (before == null) {
        if (l.root == null || l.root.stored || holds(h)) {
          continue; // unchanged and already stored: nothing to write
        }
        throw new IllegalArgumentException("linked trie " + h + " is not referred to by any leaf"
            + " of the committed root that this block changed (leaf links: " + links + ")");
      }
      NodeSet ls;
      if (forest != null) {
        Node base = before.equals(Hash.EMPTY_TRIE) ? null : new HashNode(before);
        ls = Committer.against(l.root, h, base, before, resolver);
        if (added != null) {
          added.linkedJoin(h, before, ls);
        }
      } else {
        ls = Committer.unstored(l.root, h);
      }
      if (ls.size() > 0) {
        linkedCommitted.increment();
      }
      out.addAll(ls);
    }
    for (Hash h : referenced.keySet()) {
      if (!brought.contains(h) && !holds(h)) {
        throw new IllegalArgumentException("a changed leaf links trie " + h + ", which the store"
            + " does not hold: pass it among the linked tries");
      }
    }
    return out;
  }

  /** Whether the store holds the trie with this root (a live linked trie, or its root node). */
  private boolean holds(Hash root) {
    return forest != null && forest.linkedMember(root)
        || cache.get(NodeKey.of(Nibbles.EMPTY, root.bytes())) != null
        || db.get(StoreKeys.node(Nibbles.EMPTY, root.bytes())) != null;
  }

  private static List<Hash> linksOf(LeafLinks links, byte[] key, byte[] value) {
    if (value == null) {
      return List.of();
    }
    List<Hash> l = links.links(key.clone(), value.clone());
    if (l == null) {
      return List.of();
    }
    List<Hash> out = new ArrayList<>();
    for (Hash h : l) {
      if (h != null && !h.equals(Hash.EMPTY_TRIE)) {
        out.add(h);
      }
    }
    return out;
  }

  /**
   * Writes the unstored nodes below each of {@code tops} (the nodes a verified range rebuilt, see
   * {@link RangeImporter}; {@code positions} gives each top's nibble path from the root), children
   * first, through the commit's node-writing path, without a sync: the root node comes last, in
   * {@link #finishImport}'s synced write, which makes these writes durable too. The nodes are not
   * counted by a window's pruning until a commit records the imported root under a block.
   */
  void writeImportedNodes(List<Node> tops, List<byte[]> positions) {
    checkOpen();
    lock.lock();
    try {
      NodeSet set = new NodeSet();
      for (int i = 0; i < tops.size(); i++) {
        Node n = tops.get(i);
        if (n != null && !n.stored && n.ref.length == Hash.LENGTH) {
          set.addAll(Committer.unstoredAt(n, positions.get(i)));
        }
      }
      if (set.size() == 0) {
        return;
      }
      if (pendingMode != null) {
        set.add(StoreKeys.MODE, pendingMode, null, Nibbles.EMPTY);
      }
      writeUnsynced(set);
      pendingMode = null;
      set.markStored();
      nodesWritten.add(set.size());
      bytesWritten.add(set.bytes);
    } finally {
      lock.unlock();
    }
  }

  /** Writes the root node of a finished import (position: the empty path), synced. */
  void writeImportedRoot(byte[] encoding, Hash root) {
    checkOpen();
    lock.lock();
    try {
      Records r = new Records();
      r.put(StoreKeys.node(Nibbles.EMPTY, root.bytes()), encoding);
      write(new NodeSet(), r, -1);
      bytesWritten.add(encoding.length);
    } finally {
      lock.unlock();
    }
  }

  private void writeUnsynced(NodeSet set) {
    WriteBatch batch = new WriteBatch();
    for (int i = 0; i < set.size(); i++) {
      byte[] v = set.values.get(i);
      if (batch.approximateSize() + v.length + 64 > options.commitBatchBytes()
          && batch.count() > 0) {
        db.write(batch, WriteOptions.defaults());
        batch = new WriteBatch();
      }
      batch.put(set.keys.get(i), v);
    }
    if (batch.count() > 0) {
      db.write(batch, WriteOptions.defaults());
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
   * space, writes the root node (synced when commits are synced) and returns the trie, which
   * from now on is like any committed one; {@code commit(block, trie)} records it under a block
   * (in a windowed store that commit counts every node of the imported state once).
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

  private static byte[] archiveVersionValue(Hash root) {
    byte[] v = new byte[Version.VALUE_BYTES];
    System.arraycopy(root.bytes(), 0, v, 0, 32);
    StoreKeys.putLong(v, 32, -1);
    return v;
  }

  /** Whether a member at this height already has this root (then the commit adds no version). */
  private boolean knownInWindow(long height, Hash root) {
    for (Version v : forest.members.values()) {
      if (v.height == height && v.root.equals(root)) {
        return true;
      }
    }
    return false;
  }

  private boolean knownInArchive(long height, Hash root) {
    for (Hash h : versionsAt(height)) {
      if (h.equals(root)) {
        return true;
      }
    }
    return false;
  }

  /** Roots of the version records at a height, oldest first (archive mode reads the Db). */
  private List<Hash> versionsAt(long height) {
    List<Hash> out = new ArrayList<>();
    byte[] from = StoreKeys.versionsAt(height);
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(from)
        .upperBound(StoreKeys.after(from)).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        byte[] v = c.value();
        if (v.length != Version.VALUE_BYTES) {
          throw new CorruptionException(dir, -1, "version record of block " + height + " is "
              + v.length + " bytes, expected " + Version.VALUE_BYTES);
        }
        out.add(Hash.wrap(java.util.Arrays.copyOf(v, 32)));
      }
    }
    return out;
  }

  private void count(NodeSet set, Hash root) {
    commits.increment();
    nodesWritten.add(set.size());
    bytesWritten.add(set.bytes);
    LOG.log(System.Logger.Level.DEBUG, "committed root {0}: {1} nodes, {2} bytes", root,
        set.size(), set.bytes);
  }

  /** Small records a commit writes after its nodes, in its last batch. */
  private static final class Records {
    final List<byte[]> keys = new ArrayList<>();
    final List<byte[]> values = new ArrayList<>();
    int bytes;

    void put(byte[] key, byte[] value) {
      keys.add(key);
      values.add(value);
      bytes += key.length + value.length + 16;
    }
  }

  /**
   * Test hook, null in use: runs after each batch of a split commit but the last (its index), so
   * a test can stop a commit there as a crash would.
   */
  java.util.function.IntConsumer afterSplitBatchForTest;

  /**
   * Writes a node set, then the records, in batches of at most commitBatchBytes, records last.
   * When the commit of version {@code seq} (-1: not a windowed commit) is split, each batch but
   * the last also records the node keys it writes ({@link StoreKeys#unfinished}) and the last
   * deletes those records: a crash before the last batch leaves records naming every node
   * written, which the next pruning step after a reopen deletes unless a member holds them.
   */
  private void write(NodeSet set, Records records, long seq) {
    List<WriteBatch> batches = new ArrayList<>();
    IntArray firstNode = new IntArray(); // index in the set of each batch's first node
    long expected = records.bytes + 64;
    for (int i = 0; i < set.size(); i++) {
      expected += set.keys.get(i).length + set.values.get(i).length + 8;
    }
    // sized for what it will hold (up to the split size): a batch grown from the default size
    // copied itself at every doubling, 10% of a windowed block's commit at 1M accounts (JFR)
    int room = (int) Math.min(expected, options.commitBatchBytes());
    WriteBatch batch = new WriteBatch(room);
    batches.add(batch);
    firstNode.add(0);
    long listed = 0; // bytes the batch's listing of node keys will take (windowed commits)
    for (int i = 0; i < set.size(); i++) {
      byte[] v = set.values.get(i);
      byte[] k = set.keys.get(i);
      if (batch.approximateSize() + listed + v.length + 64 > options.commitBatchBytes()
          && batch.count() > 0) {
        batch = new WriteBatch(room);
        batches.add(batch);
        firstNode.add(i);
        listed = 0;
      }
      batch.put(k, v);
      if (seq >= 0) {
        listed += 2 + k.length;
      }
    }
    if (batch.approximateSize() + records.bytes > options.commitBatchBytes()
        && batch.count() > 0) {
      batch = new WriteBatch();
      batches.add(batch);
      firstNode.add(set.size());
    }
    for (int i = 0; i < records.keys.size(); i++) {
      batch.put(records.keys.get(i), records.values.get(i));
    }
    int last = batches.size() - 1;
    if (seq >= 0 && last > 0) {
      for (int i = 0; i < last; i++) {
        batches.get(i).put(StoreKeys.unfinished(seq, i),
            listing(set, firstNode.get(i), firstNode.get(i + 1)));
        batches.get(last).delete(StoreKeys.unfinished(seq, i));
      }
    }
    for (int i = 0; i < batches.size(); i++) {
      WriteBatch b = batches.get(i);
      if (b.count() > 0) {
        // the last batch carries the records; syncing it makes every earlier one durable too
        db.write(b, i == last ? writeOptions : WriteOptions.defaults());
      }
      java.util.function.IntConsumer hook = afterSplitBatchForTest;
      if (hook != null && i < last) {
        hook.accept(i);
      }
    }
  }

  /** The node keys {@code from..to} of a set, each as a 2-byte length and the key (FORMAT.md, u). */
  private static byte[] listing(NodeSet set, int from, int to) {
    int size = 0;
    for (int i = from; i < to; i++) {
      size += 2 + set.keys.get(i).length;
    }
    byte[] out = new byte[size];
    int p = 0;
    for (int i = from; i < to; i++) {
      byte[] k = set.keys.get(i);
      out[p++] = (byte) (k.length >>> 8);
      out[p++] = (byte) k.length;
      System.arraycopy(k, 0, out, p, k.length);
      p += k.length;
    }
    return out;
  }

  /**
   * Makes {@code blockNumber} the end of the canonical chain (a reorg starts here): the canonical
   * roots above it are no longer canonical ({@link #rootAt} gives nothing there) and {@link
   * #latestBlock()} becomes {@code blockNumber}. Their roots stay readable until the window
   * passes them ({@link #roots}); later commits continue from here. One atomic write.
   *
   * @throws IllegalArgumentException if {@code blockNumber} is negative, above the latest block,
   *     or below the oldest retained height
   */
  public void rewind(long blockNumber) {
    checkOpen();
    if (blockNumber < 0) {
      throw new IllegalArgumentException("blockNumber must be >= 0, got " + blockNumber);
    }
    lock.lock();
    try {
      if (blockNumber > latestBlock) {
        throw new IllegalArgumentException("rewind(" + blockNumber + "): the latest block is "
            + (latestBlock < 0 ? "none" : Long.toString(latestBlock))
            + "; a rewind goes back, never forward");
      }
      if (forest != null && blockNumber <= horizon) {
        throw new IllegalArgumentException("rewind(" + blockNumber + ") is below the window:"
            + " the oldest retained height is " + (horizon + 1));
      }
      WriteBatch b = new WriteBatch();
      List<Long> dropped = new ArrayList<>();
      if (forest != null) {
        dropped.addAll(canonical.tailMap(blockNumber, false).keySet());
      } else {
        byte[] from = StoreKeys.canonical(blockNumber + 1);
        try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(from)
            .upperBound(StoreKeys.after(StoreKeys.family(StoreKeys.CANONICAL))).build())) {
          for (c.seekToFirst(); c.isValid(); c.next()) {
            dropped.add(StoreKeys.getLong(c.key(), 3));
          }
        }
      }
      for (long h : dropped) {
        b.delete(StoreKeys.canonical(h));
      }
      b.put(StoreKeys.LATEST_BLOCK, StoreKeys.longBytes(blockNumber));
      if (pendingMode != null) {
        b.put(StoreKeys.MODE, pendingMode);
      }
      db.write(b, writeOptions);
      pendingMode = null;
      for (long h : dropped) {
        canonical.remove(h);
      }
      latestBlock = blockNumber;
    } finally {
      lock.unlock();
    }
  }

  /** The canonical root recorded for {@code blockNumber}, if any (none once pruned). */
  public Optional<Hash> rootAt(long blockNumber) {
    if (blockNumber < 0) {
      throw new IllegalArgumentException("blockNumber must be >= 0, got " + blockNumber);
    }
    checkOpen();
    byte[] v = db.get(StoreKeys.canonical(blockNumber));
    if (v == null) {
      return Optional.empty();
    }
    if (v.length != Hash.LENGTH) {
      throw new CorruptionException(dir, -1, "root of block " + blockNumber + " is " + v.length
          + " bytes, expected 32");
    }
    return Optional.of(Hash.wrap(v));
  }

  /**
   * Every retained root recorded at {@code blockNumber}: the canonical one first (when the height
   * has one), then the others, newest first. Empty for a height never committed or pruned.
   */
  public List<Hash> roots(long blockNumber) {
    if (blockNumber < 0) {
      throw new IllegalArgumentException("blockNumber must be >= 0, got " + blockNumber);
    }
    checkOpen();
    List<Hash> all;
    if (forest != null) {
      lock.lock();
      try {
        all = new ArrayList<>();
        if (blockNumber > horizon) {
          for (Version v : forest.members.values()) {
            if (v.height == blockNumber) {
              all.add(v.root);
            }
          }
        }
      } finally {
        lock.unlock();
      }
    } else {
      all = versionsAt(blockNumber);
    }
    Collections.reverse(all);
    Optional<Hash> canon = rootAt(blockNumber);
    if (canon.isPresent() && all.remove(canon.get())) {
      all.add(0, canon.get());
    }
    return Collections.unmodifiableList(all);
  }

  /** The end of the canonical chain: the highest block committed, or where a rewind left it. */
  public OptionalLong latestBlock() {
    checkOpen();
    long b = latestBlock;
    return b < 0 ? OptionalLong.empty() : OptionalLong.of(b);
  }

  /**
   * Records on {@code v} the nodes its anchor holds that it does not (the other side of the
   * commit's diff). The walk visits the anchor's nodes on the paths the block changed, which the
   * update itself loaded, so it reads from the node cache.
   */
  private void recordLeaveSet(Version v, Node anchorRoot, Hash anchorHash, Node root,
      Hash rootHash, List<byte[]> goneKeys) {
    List<byte[]> keys = new ArrayList<>();
    IntArray sizes = new IntArray();
    TrieDiff.onlyIn(anchorRoot, anchorHash, root, rootHash, resolver, (pos, node, hash) -> {
      byte[] key = StoreKeys.node(pos, hash);
      keys.add(key);
      sizes.add(key.length + node.encodedLength());
      if (goneKeys != null) {
        Committer.entries(node, pos, (k, val) -> goneKeys.add(k));
      }
    });
    v.leaveSet = keys.toArray(new byte[0][]);
    v.leaveSetSizes = sizes.toArray();
    v.leaveSetAnchor = v.anchor;
  }

  /**
   * The journal record of a commit: the entries of the nodes it wrote (puts) and the keys of
   * the entries in the anchor's nodes it no longer holds that it does not put again (deletes),
   * which replayed on the anchor give the committed trie.
   */
  private static BlockJournal journalOf(Hash anchor, long anchorSeq, Hash root, long height,
      NodeSet set, List<byte[]> gone) {
    Map<ByteKey, byte[]> puts = new java.util.LinkedHashMap<>();
    for (int i = 0; i < set.size(); i++) {
      Committer.entries(set.nodes.get(i), set.positions.get(i),
          (k, v) -> puts.put(new ByteKey(k), v));
    }
    List<byte[]> keys = new ArrayList<>(puts.size() + 16);
    List<byte[]> values = new ArrayList<>(puts.size() + 16);
    java.util.Set<ByteKey> deleted = new java.util.HashSet<>();
    for (byte[] k : gone) {
      ByteKey bk = new ByteKey(k);
      if (!puts.containsKey(bk) && deleted.add(bk)) {
        keys.add(k);
        values.add(null);
      }
    }
    for (Map.Entry<ByteKey, byte[]> e : puts.entrySet()) {
      keys.add(e.getKey().bytes());
      values.add(e.getValue());
    }
    return new BlockJournal(anchor, anchorSeq, root, height, keys, values);
  }

  /** A byte array as a map key (equality by content). */
  private record ByteKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ByteKey k && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  /**
   * The journal record of member {@code c} against {@code anchor} (after a re-anchoring): the
   * changes between their tries, found by a diff of the two.
   */
  private byte[] journalAgainst(Version c, Version anchor) {
    Node from = anchor.root.equals(Hash.EMPTY_TRIE) ? null : new HashNode(anchor.root);
    Node to = c.root.equals(Hash.EMPTY_TRIE) ? null : new HashNode(c.root);
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    DiffIterator it = new DiffIterator(from, resolver, to, resolver);
    while (it.hasNext()) {
      StateChange ch = it.next();
      keys.add(ch.key());
      values.add(ch.newValue());
    }
    return new BlockJournal(anchor.root, anchor.seq, c.root, c.height, keys, values).encode();
  }

  /** Test hook: false makes close leave the nodes in memory unwritten, as a crash would. */
  volatile boolean closeWritesNodes = true;

  /**
   * On open: replays the journal records a session with a flush lag left (after a crash; a
   * clean close leaves none). Each record's anchor must be readable (on disk, or replayed
   * first); the changes applied to it must hash to the recorded root, else the record is
   * reported as damaged. The nodes go into the dirty layer: kept there when this session defers
   * node writes too (the member is journaled, its join counted from them), else written at once
   * with the journal records deleted (or, on a read-only Db, kept in memory for reading).
   */
  private void replayJournals(WriteBatch init) {
    List<byte[]> keys = new ArrayList<>();
    List<BlockJournal> recs = new ArrayList<>();
    byte[] from = StoreKeys.family(StoreKeys.JOURNAL);
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(from)
        .upperBound(StoreKeys.after(from)).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        byte[] k = c.key();
        if (k.length != 11) {
          throw new CorruptionException(dir, -1, "journal record key " + Hash.hex(k) + " is "
              + k.length + " bytes, expected 11");
        }
        keys.add(k);
        recs.add(BlockJournal.decode(dir, k, c.value()));
      }
    }
    if (recs.isEmpty()) {
      return;
    }
    DirtyNodes layer = dirty != null ? dirty : new DirtyNodes();
    dirty = layer;
    // a record builds on its anchor version: replayed after the anchor's own record, if any
    Map<Long, Integer> bySeq = new java.util.HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      bySeq.put(StoreKeys.getLong(keys.get(i), 3), i);
    }
    boolean[] done = new boolean[recs.size()];
    int left = recs.size();
    while (left > 0) {
      boolean progress = false;
      for (int i = 0; i < recs.size(); i++) {
        Integer before = bySeq.get(recs.get(i).anchorSeq());
        if (done[i] || before != null && !done[before]) {
          continue;
        }
        replay(keys.get(i), recs.get(i), layer);
        done[i] = true;
        left--;
        progress = true;
      }
      if (!progress) {
        throw new CorruptionException(dir, -1, "journal records " + bySeq.keySet() + " build"
            + " on one another in a cycle: they are damaged");
      }
    }
    if (deferNodes) {
      for (Version v : rejournalOnOpen) {
        init.put(StoreKeys.journal(v.seq), journalAgainst(v, forest.members.get(v.anchor)));
      }
      rejournalOnOpen.clear();
      return;
    }
    if (db.isReadOnly()) {
      LOG.log(System.Logger.Level.INFO, "{0}: {1} journaled blocks replayed in memory (the Db"
          + " is read-only)", dir, recs.size());
      return;
    }
    writeAllDirty();
    for (byte[] k : keys) {
      init.delete(k);
    }
    dirty = null;
  }

  private void replay(byte[] key, BlockJournal r, DirtyNodes layer) {
    Node anchor;
    try {
      anchor = r.anchor().equals(Hash.EMPTY_TRIE) ? null : load(Nibbles.EMPTY, r.anchor(), true);
    } catch (MissingNodeException e) {
      throw new CorruptionException(dir, -1, "journal record " + Hash.hex(key) + " (block "
          + r.height() + ", root " + r.root() + ") builds on root " + r.anchor() + ", which the"
          + " store does not hold");
    }
    Node root = r.apply(anchor, resolver);
    Hash h = Hasher.rootHash(root, r.keys().size() >= options.parallelHashThreshold());
    if (!h.equals(r.root())) {
      throw new CorruptionException(dir, -1, "journal record " + Hash.hex(key) + " (block "
          + r.height() + "): its " + r.keys().size() + " changes on root " + r.anchor()
          + " give root " + h + ", not the recorded " + r.root());
    }
    NodeSet set = Committer.against(root, h, anchor, r.anchor(), resolver);
    layer.putAll(set.keys, set.values);
    if (!deferNodes) {
      return;
    }
    long seq = StoreKeys.getLong(key, 3);
    Version v = forest.members.get(seq);
    if (v == null || !v.root.equals(r.root())) {
      throw new CorruptionException(dir, -1, "journal record " + Hash.hex(key) + " (block "
          + r.height() + ", root " + r.root() + ") belongs to no version of this store"
          + (v == null ? "" : " (version " + seq + " has root " + v.root + ")"));
    }
    v.journaled = true;
    Version a = v.anchor >= 0 ? forest.members.get(v.anchor) : null;
    if (a != null && a.root.equals(r.anchor())) {
      v.joinSet = set; // its join counts from the replayed nodes, without a walk
    }
    if (a != null && !a.root.equals(r.anchor())) {
      // anchored again since (a new epoch): the record is rewritten against its anchor
      rejournalOnOpen.add(v);
    }
  }

  private final List<Version> rejournalOnOpen = new ArrayList<>();

  /**
   * Writes every node held only in memory and deletes every journal record (members' nodes are
   * then all on disk): on close, and on an open that does not defer node writes. Node batches of
   * at most commitBatchBytes, the last one (synced) deleting the journal records: a crash before
   * it leaves the journal, replayed next time.
   */
  private void writeAllDirty() {
    DirtyNodes d = dirty;
    if (d == null) {
      return;
    }
    List<NodeKey> keys = d.keys();
    // a node is at most a few hundred bytes: a batch is cut once it is within 64 KiB of the limit
    long cut = Math.max(1, options.commitBatchBytes() - (64 << 10));
    int room = (int) Math.min(options.commitBatchBytes(), d.bytes() + (64 << 10));
    WriteBatch batch = new WriteBatch(room);
    for (NodeKey k : keys) {
      if (d.putInto(k, batch) >= 0 && batch.approximateSize() >= cut) {
        db.write(batch, WriteOptions.defaults());
        batch = new WriteBatch(room);
      }
    }
    byte[] from = StoreKeys.family(StoreKeys.JOURNAL);
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(from)
        .upperBound(StoreKeys.after(from)).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        batch.delete(c.key());
      }
    }
    db.write(batch, writeOptions);
    if (forest != null) {
      for (Version v : forest.members.values()) {
        v.journaled = false;
      }
    }
    for (NodeKey k : keys) {
      d.remove(k);
    }
  }

  /**
   * Returns once no pruning work is due: every commit's join counted and every height that left
   * the window pruned. Runs the pending steps in the calling thread. Nothing to do in archive
   * mode.
   */
  public void waitForPruning() {
    checkOpen();
    if (forest == null) {
      return;
    }
    lock.lock();
    try {
      rethrowPruneFailure();
      awaitAdvance();
      while (forest.due(horizon, true)) {
        forest.run(horizon, canonical, pruned, true);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits (releasing the lock) while the pruning thread is between the steps of an advance: its
   * batch is not written yet, and a second advance must not start inside it.
   */
  private void awaitAdvance() {
    while (forest.inAdvance()) {
      work.awaitUninterruptibly();
    }
  }

  private void rethrowPruneFailure() {
    Throwable t = pruneFailure;
    if (t != null) {
      throw new StrataException("background pruning of " + dir + " failed; the store keeps its"
          + " retained roots but prunes no more until reopened: " + t, t);
    }
  }

  private void pruneLoop() {
    lock.lock();
    try {
      while (!stopping) {
        if (pruneFailure == null && (forest.due(horizon, false) || forest.overBudget())) {
          try {
            // waiting commits go in between the steps of an advance and during its write
            forest.run(horizon, canonical, pruned, false, lock, () -> stopping);
            forest.spill();
          } catch (RuntimeException | Error e) {
            pruneFailure = e;
            LOG.log(System.Logger.Level.ERROR, "pruning failed in " + dir, e);
          }
          work.signalAll(); // an advance is over: commits and waitForPruning may go on
          // let a waiting commit in between steps (the lock is fair)
          lock.unlock();
          lock.lock();
        } else {
          work.await(1, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** The store keys of the nodes held in memory, not yet written (for tests). */
  List<byte[]> dirtyKeys() {
    DirtyNodes d = dirty;
    List<byte[]> out = new ArrayList<>();
    if (d != null) {
      for (NodeKey k : d.keys()) {
        out.add(k.bytes);
      }
    }
    return out;
  }

  /** Nodes written by advances and nodes dropped before they were written (for tests). */
  long[] flushFigures() {
    if (forest == null) {
      return new long[2];
    }
    lock.lock();
    try {
      return new long[] {forest.nodesFlushed, forest.dirtyDropped};
    } finally {
      lock.unlock();
    }
  }

  /** Whether a windowed store keeps its pruning counts in memory (for tests). */
  boolean countsInMemory() {
    return forest != null && forest.inMemory;
  }

  /** Leaves since open counted from a recorded leave set, without a diff walk (for tests). */
  long leavesFromMemory() {
    if (forest == null) {
      return 0;
    }
    lock.lock();
    try {
      return forest.leavesFromMemory;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Figures since the store was opened. Never waits for a commit or a pruning step: the window's
   * figures are those of the latest commit or pruning step to finish.
   */
  public StateStats stats() {
    long retainedRoots = 0;
    long rootsPruned = 0;
    long nodesDeleted = 0;
    long bytesDeleted = 0;
    long backlog = 0;
    long nanos = 0;
    long linkedPruned = 0;
    long dropped = 0;
    DirtyNodes d = dirty;
    if (forest != null) {
      // without the lock, which a pruning step holds for milliseconds: a node calling this
      // after every block must not wait for one (the runner's blocks did, 12% of their time)
      long[] published = forest.publishedCounts(horizon);
      retainedRoots = published[0];
      backlog = published[1];
      rootsPruned = forest.rootsPruned;
      nodesDeleted = forest.nodesDeleted;
      bytesDeleted = forest.bytesDeleted;
      nanos = forest.pruningNanos;
      linkedPruned = forest.linkedPruned;
      dropped = forest.dirtyDropped;
    }
    return new StateStats(commits.sum(), nodesWritten.sum(), bytesWritten.sum(), cache.hits(),
        cache.misses(), cache.bytes(), retainedRoots, rootsPruned, nodesDeleted, bytesDeleted,
        backlog, nanos, linkedCommitted.sum(), linkedPruned, d == null ? 0 : d.size(),
        d == null ? 0 : d.bytes(), dropped);
  }

  /**
   * Writes a consistent copy of this store into {@code target}, which must not exist, while
   * commits go on: {@link Db#checkpoint(Path)} of the Db underneath, which holds the trie nodes
   * and the block records alike. A commit running meanwhile is in the copy with its root and block
   * record or not at all (they are in its last batch); a pruning step is in it whole or not at
   * all (one batch); open the copy with {@link #open(Path)}.
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

  /**
   * Closes the store, and its Db when it opened it. Pruning work still due is left for the next
   * open (it resumes there).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    lock.lock();
    try {
      if (closed || stopping) {
        return;
      }
      stopping = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
    Thread t = pruner;
    if (t != null) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    lock.lock();
    try {
      // after a failed pruning step memory may be ahead of the disk: the journal stays, and the
      // next open replays it onto the disk's state
      if (deferNodes && closeWritesNodes && pruneFailure == null && !db.isReadOnly()) {
        try {
          writeAllDirty();
        } catch (RuntimeException e) {
          // nothing is lost: the journal records are durable and the next open replays them
          LOG.log(System.Logger.Level.WARNING, dir + ": closing without writing the "
              + dirty.size() + " trie nodes held in memory (" + e.getMessage() + "); the next"
              + " open replays the journal");
        }
      }
      closed = true;
    } finally {
      lock.unlock();
    }
    if (ownsDb) {
      db.close();
    }
  }
}

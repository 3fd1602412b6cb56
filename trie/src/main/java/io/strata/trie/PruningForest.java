package io.strata.trie;

import io.strata.CorruptionException;
import io.strata.lsm.Db;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The members of a windowed store's pruning forest and the counts that make deletion exact (the
 * mechanism and its invariants are in {@code trie/PRUNING.md}, section 2): every retained version
 * is a member with an anchor; {@code count(K)} is the number of members that hold node K while
 * their anchor does not; a node record is deleted in the same batch that brings its count to 0.
 *
 * <p>A pruning {@link #step} first counts every join not yet counted (invariant 4), then lets
 * one member whose height has left the window leave, and writes everything it changed (counts,
 * node deletions, member records, the canonical pointer of a pruned height) in one {@code
 * WriteBatch}: a crash leaves the step done or not done.
 *
 * <p>Thread-safety: every method is called with the store's commit lock held, except {@link
 * #retainedRoot}, {@link #waitingRoot} and {@link #linkedMember}, which read the published view
 * of the members (a volatile array replaced after each change) and the concurrent map of linked
 * tries, so that readers never wait for a pruning step.
 */
final class PruningForest {
  private final Db db;
  private final Path dir;
  private final NodeResolver resolver;
  private final NodeCache cache;
  private final LeafLinks links;
  final int epoch;
  /**
   * Whether counts live in memory (a store that follows no links, PRUNING.md section 10): then
   * {@link #memCounts} holds {@code count(K)} over the members other than the forest root, the
   * root's own nodes are live without a count, and no count record is read or written.
   */
  final boolean inMemory;
  /** In memory mode: the counts over the non-root members (absent = 0). */
  private final CountTable memCounts = new CountTable();
  /** Members by sequence number (commit order). */
  final TreeMap<Long, Version> members = new TreeMap<>();
  /** Linked tries by root: their link counts; those with a count above 0 are members too. */
  final Map<Hash, Linked> linked = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * The members as of the last change, for readers that do not take the lock ({@link
   * #retainedRoot}); replaced (never changed) under the lock by {@link #publish()}.
   */
  private volatile Version[] view = new Version[0];

  /**
   * Records of split commits a crash interrupted ({@link StoreKeys#unfinished}), found on open:
   * their record keys and the node keys they list. The next step deletes the records and every
   * listed node no member holds (count 0 once that step's joins are counted).
   */
  private final List<byte[]> unfinishedRecords = new ArrayList<>();
  private final List<byte[]> unfinishedNodes = new ArrayList<>();

  /**
   * With a flush lag ({@link StateOptions#flushLag()}, {@code COMMIT.md} step D): the nodes not
   * yet written; null otherwise. The forest root's nodes are always on disk; a member whose
   * nodes may be only here has a journal record ({@link Version#journaled}).
   */
  DirtyNodes dirty;
  /** With {@link #dirty}: the root leaves only once this many heights wait, then they all go. */
  int flushLag;
  /** With {@link #dirty}: the journal record of a member against its (new) anchor. */
  java.util.function.BiFunction<Version, Version, byte[]> rejournal;
  /** With {@link #dirty}: whether the advance batch is synced (the store's commits are). */
  WriteOptions advanceWrite = WriteOptions.defaults();
  /** During an advance: the batch its steps share, written once at its end. */
  private WriteBatch shared;
  /** During an advance: whether a root left (then the others due may follow at once). */
  private boolean advancing;
  /** During an advance: the joins of the heirs that became the root (to write at its end). */
  private final List<NodeKey[]> heirJoins = new ArrayList<>();
  /**
   * During an advance: node keys its batch deletes on disk. A commit between its steps may write
   * such a key again (in memory); if the advance then writes it (its nodes go in batches before
   * the last one, which holds the deletes), the last batch puts it again after its delete.
   */
  private final java.util.Set<NodeKey> advanceDeletes = new java.util.HashSet<>();
  /** During an advance: members whose journal record goes (left, or nodes now on disk). */
  private final List<Version> journalsDone = new ArrayList<>();
  /** During an advance: journaled members re-anchored (their record is rewritten). */
  private final java.util.Set<Version> rejournaled = new java.util.LinkedHashSet<>();
  /** Whether the last step let a member leave. */
  private boolean lastLeft;
  /** Dirty nodes written by advances, and dropped (died before they were written). */
  // The counters change under the commit lock only; those StateStore.stats reads are volatile so
  // that it reads them without the lock (it must never wait for a pruning step).
  long nodesFlushed;
  volatile long dirtyDropped;

  volatile long rootsPruned;
  volatile long nodesDeleted;
  /** Leaves of a root counted from its heir's recorded leave set (no diff walk). */
  long leavesFromMemory;
  volatile long bytesDeleted;
  volatile long pruningNanos;
  long linkedJoined;
  /** Linked tries whose join was counted from what their commit wrote (no diff walk). */
  long linkedJoinsFromMemory;
  volatile long linkedPruned;

  /**
   * A linked trie (PRUNING.md, section 4): {@code links} counts the (key, root) links that
   * members gained over their anchors; while it is above 0 the trie is a member of the forest
   * with anchor {@code anchor} (another linked trie, or null). Stored under {@link
   * StoreKeys#linked} as links (8 bytes) ‖ 1 if anchored ‖ the anchor's root (32).
   */
  static final class Linked {
    final Hash root;
    long links;
    Hash anchor;
    /** Read without the lock by {@link #linkedMember}. */
    volatile boolean member;

    Linked(Hash root) {
      this.root = root;
    }

    byte[] value() {
      byte[] v = new byte[41];
      StoreKeys.putLong(v, 0, links);
      if (anchor != null) {
        v[8] = 1;
        System.arraycopy(anchor.bytes(), 0, v, 9, 32);
      }
      return v;
    }
  }

  PruningForest(Db db, Path dir, NodeResolver resolver, NodeCache cache, LeafLinks links,
      int epoch) {
    this.db = db;
    this.dir = dir;
    this.resolver = resolver;
    this.cache = cache;
    this.links = links;
    this.epoch = epoch;
    this.inMemory = links instanceof NoLinks;
  }

  /**
   * In memory mode: whether count records (of an earlier session that counted on disk, any
   * epoch) may be left; steps with nothing else to do delete them, {@link #SWEEP_CHUNK} a step.
   */
  private boolean sweepCounts;
  static final int SWEEP_CHUNK = 4_096;

  /** On open, in memory mode: schedules the sweep when some count record is left. */
  void findLeftoverCounts() {
    if (!inMemory) {
      return;
    }
    byte[] from = StoreKeys.family(StoreKeys.COUNT);
    try (io.strata.lsm.Cursor c = db.cursor(io.strata.lsm.ReadOptions.builder().lowerBound(from)
        .upperBound(StoreKeys.after(from)).build())) {
      c.seekToFirst();
      sweepCounts = c.isValid();
    }
  }

  /** Deletes up to {@link #SWEEP_CHUNK} leftover count records in one batch. */
  private void sweepChunk() {
    byte[] from = StoreKeys.family(StoreKeys.COUNT);
    WriteBatch batch = new WriteBatch();
    try (io.strata.lsm.Cursor c = db.cursor(io.strata.lsm.ReadOptions.builder().lowerBound(from)
        .upperBound(StoreKeys.after(from)).build())) {
      for (c.seekToFirst(); c.isValid() && batch.count() < SWEEP_CHUNK; c.next()) {
        batch.delete(c.key());
      }
    }
    if (batch.count() < SWEEP_CHUNK) {
      sweepCounts = false;
    }
    if (batch.count() > 0) {
      db.write(batch, WriteOptions.defaults());
    }
  }

  /** In memory mode: the number of node keys with a count above 0 (for tests and stats). */
  int countedKeys() {
    return memCounts.size();
  }

  /** Whether links are followed (a {@link LeafLinks} other than none). */
  boolean followsLinks() {
    return !(links instanceof NoLinks);
  }

  /** The links of one entry, the empty trie's root left out. */
  List<Hash> linksOf(byte[] key, byte[] value) {
    if (value == null) {
      return List.of();
    }
    List<Hash> l = links.links(key.clone(), value.clone());
    if (l == null || l.isEmpty()) {
      return List.of();
    }
    List<Hash> out = new ArrayList<>(l.size());
    for (Hash h : l) {
      if (h != null && !h.equals(Hash.EMPTY_TRIE) && !out.contains(h)) {
        out.add(h);
      }
    }
    return out;
  }

  /** Publishes the members for lock-free readers; call after every change of {@code members}. */
  void publish() {
    view = members.values().toArray(new Version[0]);
  }

  /** Without the lock: whether a member above {@code horizon} has this root. */
  boolean retainedRoot(Hash root, long horizon) {
    for (Version v : view) {
      if (v.height > horizon && v.root.equals(root)) {
        return true;
      }
    }
    return false;
  }

  /** Without the lock: the height of a member at or below {@code horizon} with this root. */
  Long waitingRoot(Hash root, long horizon) {
    for (Version v : view) {
      if (v.height <= horizon && v.root.equals(root)) {
        return v.height;
      }
    }
    return null;
  }

  /** Whether this root is a linked trie some retained root refers to (no lock needed). */
  boolean linkedMember(Hash root) {
    Linked l = linked.get(root);
    return l != null && l.member;
  }

  /** Whether a step has work: a join not yet counted, or a member at or below the horizon. */
  boolean due(long horizon) {
    return due(horizon, true);
  }

  /**
   * Whether a step has work; with a flush lag and {@code force} false, the root leaving counts
   * only once {@link #flushLag} heights wait.
   */
  boolean due(long horizon, boolean force) {
    if (!unfinishedRecords.isEmpty() || sweepCounts) {
      return true;
    }
    boolean lagged = dirty != null && !force && backlog(horizon) < flushLag;
    for (Version v : members.values()) {
      if (!v.joined || v.height <= horizon && !(lagged && v.anchor < 0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs pruning work: one {@link #step} without a flush lag; with one, an <em>advance</em>: steps
   * until nothing more may leave (with {@code force} false the root leaves only once {@link
   * #flushLag} heights wait, and then every height due leaves), all in one batch that also writes
   * the nodes of the new root that are still only in memory and deletes the journal records they
   * no longer need. A crash leaves the advance done or not done. Returns whether it did anything.
   */
  boolean run(long horizon, TreeMap<Long, Hash> canonical, Map<Hash, Long> pruned,
      boolean force) {
    return run(horizon, canonical, pruned, force, null, null);
  }

  /**
   * As {@link #run(long, TreeMap, Map, boolean)}; {@code between}, when given, is the commit lock
   * the caller holds, released between the steps of an advance and while its batch is written
   * (the pruning thread lets waiting commits in there: a commit meanwhile only adds a member whose
   * join the next step counts first, and writes no record the batch touches; its nodes stay in
   * memory, and the nodes the batch writes stay readable in memory until it is written); when
   * {@code stop} says so after a step, the advance ends there (what it did is written).
   */
  boolean run(long horizon, TreeMap<Long, Hash> canonical, Map<Hash, Long> pruned,
      boolean force, java.util.concurrent.locks.Lock between,
      java.util.function.BooleanSupplier stop) {
    if (dirty == null) {
      return step(horizon, canonical, pruned);
    }
    shared = new WriteBatch();
    advancing = false;
    boolean any = false;
    try {
      while (step(horizon, canonical, pruned, true, force)) {
        any = true;
        if (!lastLeft) {
          break;
        }
        if (between != null) {
          between.unlock();
          between.lock();
        }
        if (stop != null && stop.getAsBoolean()) {
          break; // the store is closing: the steps done so far are written, whole
        }
      }
      finishAdvance(shared, between);
    } finally {
      shared = null;
      advancing = false;
      heirJoins.clear();
      advanceDeletes.clear();
      journalsDone.clear();
      rejournaled.clear();
    }
    return any;
  }

  /** With {@link #dirty}: the budget of bytes held in memory ({@link StateOptions#dirtyBytes}). */
  long dirtyBudget = Long.MAX_VALUE;
  /** Members whose nodes were written early because memory was over its budget. */
  long membersSpilled;

  /**
   * The oldest journaled member whose join is counted (its node keys known) and whose anchor has
   * all its nodes on disk (not journaled), or null: written early, its own nodes then make it
   * whole on disk, so it needs no journal record even if its anchor leaves later.
   */
  private Version spillable() {
    for (Version v : members.values()) {
      if (v.journaled && v.joined && v.joinKeys != null && v.anchor >= 0) {
        Version a = members.get(v.anchor);
        if (a != null && !a.journaled) {
          return v;
        }
      }
    }
    return null;
  }

  /** Whether the nodes held in memory are over budget and some can be written early. */
  boolean overBudget() {
    return dirty != null && dirty.bytes() > dirtyBudget && spillable() != null;
  }

  /**
   * While memory is over its budget: writes the nodes the oldest journaled member holds only in
   * memory and deletes its journal record, in one batch (it then needs no replay: its own nodes
   * are on disk, the others are its anchor's, all on disk too). Invariant: a member without a
   * journal record has every node on disk. Not during an advance.
   */
  void spill() {
    while (overBudget() && shared == null) {
      Version v = spillable();
      WriteBatch batch = new WriteBatch();
      List<NodeKey> written = new ArrayList<>();
      for (NodeKey k : v.joinKeys) {
        if (dirty.putInto(k, batch) >= 0) {
          written.add(k);
        }
      }
      batch.delete(StoreKeys.journal(v.seq));
      db.write(batch, advanceWrite);
      for (NodeKey k : written) {
        dirty.remove(k);
      }
      v.journaled = false;
      nodesFlushed += written.size();
      membersSpilled++;
    }
  }

  /**
   * Bytes from which an advance cuts its batch of nodes: about 1 MiB, and with the last node's
   * room ({@link #NODE_BATCH_ROOM}) still under 1 MiB, so that the batch's array is an ordinary
   * one (G1 makes arrays of half a region or more humongous; regions are 2 MiB at these heaps).
   */
  static final int NODE_BATCH_BYTES = (1 << 20) - (64 << 10);

  /** The room a batch of nodes is created with: the cut plus a node, which is well under 4 KiB. */
  static final int NODE_BATCH_ROOM = NODE_BATCH_BYTES + (4 << 10);

  /** Whether an advance is under way (its steps may yield the lock between them). */
  boolean inAdvance() {
    return shared != null;
  }

  /** The end of an advance: survivors written, journals deleted or rewritten, one write. */
  private void finishAdvance(WriteBatch batch, java.util.concurrent.locks.Lock unlocked) {
    // the nodes go first, in batches of about 1 MiB that commits' own writes can go between;
    // before the last batch they are extra copies of live nodes (a crash there leaves them for
    // the pruning to delete when they die, as nodes a commit wrote again); the last batch holds
    // the deletes and records that must change together
    List<NodeKey> written = new ArrayList<>();
    List<WriteBatch> nodes = new ArrayList<>();
    long joined = 0;
    for (NodeKey[] keys : heirJoins) {
      joined += keys == null ? 0 : keys.length;
    }
    // sized for about 256 bytes a node (the last batch smaller): grown from the default size, a
    // batch copied itself at every doubling
    WriteBatch current = new WriteBatch((int) Math.min(NODE_BATCH_ROOM, 256 * joined + 64));
    for (NodeKey[] keys : heirJoins) {
      for (NodeKey k : keys == null ? new NodeKey[0] : keys) {
        if (dirty.putInto(k, current) >= 0) {
          written.add(k);
          if (advanceDeletes.contains(k)) {
            dirty.putInto(k, batch); // after its delete in the last batch: the put stands
          }
          if (current.approximateSize() >= NODE_BATCH_BYTES) {
            nodes.add(current);
            current = new WriteBatch(NODE_BATCH_ROOM);
          }
        }
      }
    }
    if (current.count() > 0) {
      nodes.add(current);
    }
    for (Version v : journalsDone) {
      batch.delete(StoreKeys.journal(v.seq));
      v.journaled = false;
    }
    for (Version c : rejournaled) {
      if (c.journaled && c.anchor >= 0 && members.get(c.seq) == c) {
        batch.put(StoreKeys.journal(c.seq), rejournal.apply(c, members.get(c.anchor)));
      }
    }
    if (batch.count() > 0 || !nodes.isEmpty()) {
      if (unlocked != null) {
        unlocked.unlock();
      }
      try {
        for (WriteBatch b : nodes) {
          db.write(b, WriteOptions.defaults()); // made durable by the last batch's sync
        }
        db.write(batch, advanceWrite);
      } finally {
        if (unlocked != null) {
          unlocked.lock();
        }
      }
    }
    for (NodeKey k : written) {
      dirty.remove(k);
    }
    nodesFlushed += written.size();
  }

  /** Distinct heights at or below the horizon that still have members. */
  int backlog(long horizon) {
    return (int) members.values().stream().filter(v -> v.height <= horizon)
        .mapToLong(v -> v.height).distinct().count();
  }

  /**
   * Without the lock: members above {@code horizon} and heights at or below it in the view
   * published last (after the latest commit or pruning step), as {@code {retained, backlog}}.
   */
  long[] publishedCounts(long horizon) {
    Version[] v = view;
    long retained = 0;
    java.util.Set<Long> waiting = new java.util.HashSet<>();
    for (Version x : v) {
      if (x.height > horizon) {
        retained++;
      } else {
        waiting.add(x.height);
      }
    }
    return new long[] {retained, waiting.size()};
  }

  /** Members above the horizon. */
  long retained(long horizon) {
    return members.values().stream().filter(v -> v.height > horizon).count();
  }

  /** Any member with this root (retained or waiting to leave), or null. */
  Version memberWith(Hash root) {
    for (Version v : members.descendingMap().values()) {
      if (v.root.equals(root)) {
        return v;
      }
    }
    return null;
  }

  /**
   * The anchor for a new member at {@code height}: the member holding the canonical root at the
   * highest retained height below, else the newest retained member, else none (-1).
   */
  long chooseAnchor(long height, long horizon, TreeMap<Long, Hash> canonical, long beforeSeq) {
    for (Map.Entry<Long, Hash> e = canonical.lowerEntry(height); e != null && e.getKey() > horizon;
        e = canonical.lowerEntry(e.getKey())) {
      for (Version v : members.headMap(beforeSeq, false).descendingMap().values()) {
        if (v.height == e.getKey() && v.root.equals(e.getValue())) {
          return v.seq;
        }
      }
    }
    Version best = null;
    for (Version v : members.headMap(beforeSeq, false).values()) {
      if (v.height > horizon) {
        best = v;
      }
    }
    return best == null ? -1 : best.seq;
  }

  /**
   * One key's change in a step: its count as read (from {@link #memCounts} or the store) and as
   * the step leaves it, its size when known (0 if not), and whether it is a candidate for
   * deletion (in memory mode).
   */
  private static final class Change {
    long old;
    long now;
    int size;
    /** In memory mode: it may have lost its last holder in this step ({@link Counts#candidate}). */
    boolean candidate;
    /** With {@link #candidate}: it may still be held by an anchorless member (the root). */
    boolean checkRoot;
  }

  /** Keys the last step changed: the next sizes its map to about as many. */
  private int lastChanged = 16;

  /** Counts changed in one step: the value read from the store and the new value. */
  private final class Counts {
    final Map<NodeKey, Change> changed = new HashMap<>(lastChanged * 4 / 3 + 16);
    /** Linked tries whose link count this step changed, in the order first touched. */
    final Map<Hash, Linked> linkedTouched = new java.util.LinkedHashMap<>();
    /** What the commits whose joins this step counts wrote for their linked tries, by root. */
    final Map<Hash, Version.LinkedJoin> linkedWritten = new HashMap<>();
    /** For a linked trie gained by some key: the trie that key linked before (a hint). */
    final Map<Hash, Hash> predecessor = new HashMap<>();

    void link(Hash root, int delta, Hash before) {
      Linked l = linked.computeIfAbsent(root, Linked::new);
      linkedTouched.put(root, l);
      l.links += delta;
      if (l.links < 0) {
        throw new CorruptionException(dir, -1, "link count of trie " + root
            + " would go below zero: the pruning records are damaged");
      }
      if (before != null) {
        predecessor.putIfAbsent(root, before);
      }
    }

    Change add(NodeKey k, int delta, int size) {
      Change c = changed.get(k);
      if (c == null) {
        c = new Change();
        byte[] v = null;
        if (inMemory) {
          c.old = memCounts.get(k);
        } else {
          v = db.get(StoreKeys.count(epoch, k.bytes));
        }
        if (v != null) {
          if (v.length != 8) {
            throw new CorruptionException(dir, -1, "pruning count of trie node key " + k + " is "
                + v.length + " bytes, expected 8");
          }
          c.old = StoreKeys.getLong(v, 0);
        }
        c.now = c.old;
        changed.put(k, c);
      }
      c.now += delta;
      if (size > 0) {
        c.size = size;
      }
      return c;
    }

    /**
     * In memory mode: keys that may have lost their last holder in this step; a key that ends
     * the step at count 0 is deleted only if it is one (a key the root holds has count 0 too).
     * Those with {@code checkRoot} may still be held by an anchorless member (the root) and are
     * deleted only if none holds them. {@code count += delta} too.
     */
    void candidate(NodeKey k, int delta, int size, boolean checkRoot) {
      Change c = add(k, delta, size);
      c.candidate = true;
      if (checkRoot) {
        c.checkRoot = true;
      }
    }

    void candidate(NodeKey k, int size, boolean checkRoot) {
      candidate(k, 0, size, checkRoot);
    }

    /** {@code count += delta} for each key of a recorded join. */
    void addJoin(Version v, int delta) {
      for (int i = 0; i < v.joinKeys.length; i++) {
        add(v.joinKeys[i], delta, v.joinSizes[i]);
      }
    }

    /**
     * In memory mode: {@code count += delta} for each node of trie {@code a} that trie {@code b}
     * lacks, recorded on {@code v} as its join (keys and sizes).
     */
    void join(Version v, Hash a, Hash b, int delta) {
      List<NodeKey> keys = new ArrayList<>();
      IntArray sizes = new IntArray();
      walk(a, b, (pos, node, hash) -> {
        byte[] key = StoreKeys.node(pos, hash);
        NodeKey k = new NodeKey(key);
        int size = key.length + node.encodedLength();
        add(k, delta, size);
        keys.add(k);
        sizes.add(size);
      });
      v.joinKeys = keys.toArray(new NodeKey[0]);
      v.joinSizes = sizes.toArray();
    }

    /** In memory mode: every node of {@code a} that {@code b} lacks becomes a candidate. */
    void candidates(Hash a, Hash b, boolean checkRoot) {
      walk(a, b, (pos, node, hash) -> {
        byte[] key = StoreKeys.node(pos, hash);
        candidate(new NodeKey(key), key.length + node.encodedLength(), checkRoot);
      });
    }

    private void walk(Hash a, Hash b, TrieDiff.Sink sink) {
      TrieDiff.onlyIn(rootOf(a), hashOf(a), rootOf(b), hashOf(b), resolver, sink);
    }

    /** Counts the nodes, and the links, a version holds that another lacks. */
    void diff(Version a, Version b, int delta) {
      diffTries(a == null ? null : a.root, b == null ? null : b.root, delta, followsLinks());
    }

    /**
     * {@code count += delta} for each node of trie {@code a} that trie {@code b} lacks (null:
     * the empty trie); with {@code withLinks}, also {@code links += delta} for each (key, root)
     * link of {@code a}'s entries that {@code b}'s entry at the same key lacks.
     */
    void diffTries(Hash a, Hash b, int delta, boolean withLinks) {
      Node bn = rootOf(b);
      TrieDiff.onlyIn(rootOf(a), hashOf(a), bn, hashOf(b), resolver, (pos, node, hash) -> {
        byte[] key = StoreKeys.node(pos, hash);
        add(new NodeKey(key), delta, key.length + node.encodedLength());
        if (withLinks) {
          Committer.entries(node, pos, (k, v) -> {
            List<Hash> mine = linksOf(k, v);
            if (mine.isEmpty()) {
              return;
            }
            List<Hash> theirs = bn == null ? List.of()
                : linksOf(k, Trie.get(bn, Nibbles.of(k), resolver));
            for (Hash h : mine) {
              if (!theirs.contains(h)) {
                link(h, delta, theirs.isEmpty() ? null : theirs.get(0));
              }
            }
          });
        }
      });
    }
  }

  /**
   * Linked tries by the root of their anchor: the inverse of {@link Linked#anchor}, so that a
   * leaving linked trie finds the tries anchored to it without a scan of every linked trie
   * (which made a step cost the number of linked tries times the number leaving: a windowed
   * world state of 10,000 contracts took ~50 s a block). Changed only with the commit lock
   * held, through {@link #anchorLinked}.
   */
  private final Map<Hash, java.util.Set<Linked>> linkedChildren = new HashMap<>();

  /** Sets the anchor of a linked trie, keeping {@link #linkedChildren} its inverse. */
  void anchorLinked(Linked l, Hash anchor) {
    if (l.anchor != null) {
      java.util.Set<Linked> s = linkedChildren.get(l.anchor);
      if (s != null) {
        s.remove(l);
        if (s.isEmpty()) {
          linkedChildren.remove(l.anchor);
        }
      }
    }
    l.anchor = anchor;
    if (anchor != null) {
      linkedChildren.computeIfAbsent(anchor, k -> new java.util.LinkedHashSet<>()).add(l);
    }
  }

  /** Linked tries whose count rose above 0 join, anchored to the trie their key linked before. */
  private void settleJoins(Counts counts, List<Linked> rewrittenLinked) {
    for (Linked l : new ArrayList<>(counts.linkedTouched.values())) {
      if (l.links > 0 && !l.member) {
        Hash hint = counts.predecessor.get(l.root);
        anchorLinked(l, hint != null && linkedMember(hint) && !hint.equals(l.root) ? hint : null);
        Version.LinkedJoin written = counts.linkedWritten.get(l.root);
        if (written != null && written.base().equals(l.anchor == null ? Hash.EMPTY_TRIE
            : l.anchor)) {
          // nodes(l) \ nodes(anchor): what the commit wrote for it against the same trie
          for (int i = 0; i < written.keys().length; i++) {
            counts.add(new NodeKey(written.keys()[i]), 1, written.sizes()[i]);
          }
          linkedJoinsFromMemory++;
        } else {
          counts.diffTries(l.root, l.anchor, 1, false);
        }
        l.member = true;
        linkedJoined++;
        rewrittenLinked.add(l);
      }
    }
  }

  /** Linked tries whose count fell to 0 leave the forest, re-anchoring the tries on them. */
  private void settleLeaves(Counts counts, List<Linked> rewrittenLinked) {
    for (Linked l : new ArrayList<>(counts.linkedTouched.values())) {
      if (l.links == 0 && l.member) {
        List<Linked> children = new ArrayList<>();
        for (Linked c : linkedChildren.getOrDefault(l.root, java.util.Set.of())) {
          if (c.member) {
            children.add(c);
          }
        }
        l.member = false;
        linkedPruned++;
        rewrittenLinked.add(l);
        if (l.anchor != null) {
          counts.diffTries(l.root, l.anchor, -1, false);
          for (Linked c : children) {
            reanchorLinked(c, l, l.anchor, counts, rewrittenLinked);
          }
        } else if (children.isEmpty()) {
          counts.diffTries(l.root, null, -1, false);
        } else {
          Linked heir = children.get(0);
          counts.diffTries(l.root, heir.root, -1, false);
          anchorLinked(heir, null);
          rewrittenLinked.add(heir);
          for (Linked c : children) {
            if (c != heir) {
              reanchorLinked(c, l, heir.root, counts, rewrittenLinked);
            }
          }
        }
        anchorLinked(l, null);
      }
    }
  }

  private void reanchorLinked(Linked c, Linked from, Hash to, Counts counts,
      List<Linked> rewrittenLinked) {
    counts.diffTries(c.root, to, 1, false);
    counts.diffTries(c.root, from.root, -1, false);
    anchorLinked(c, to);
    rewrittenLinked.add(c);
  }

  /**
   * One pruning step: counts every pending join, then lets the oldest member at or below the
   * horizon leave, in one batch. Returns whether it did anything.
   */
  boolean step(long horizon, TreeMap<Long, Hash> canonical, Map<Hash, Long> pruned) {
    return step(horizon, canonical, pruned, true);
  }

  /** Loads the records of split commits a crash interrupted (called once, on open). */
  void loadUnfinished() {
    byte[] from = StoreKeys.family(StoreKeys.UNFINISHED);
    try (io.strata.lsm.Cursor c = db.cursor(io.strata.lsm.ReadOptions.builder().lowerBound(from)
        .upperBound(StoreKeys.after(from)).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        byte[] v = c.value();
        List<byte[]> nodes = new ArrayList<>();
        for (int p = 0; p < v.length; ) {
          int len = p + 2 <= v.length ? (v[p] & 0xff) << 8 | (v[p + 1] & 0xff) : -1;
          if (len < 3 || p + 2 + len > v.length || v[p + 2] != StoreKeys.PREFIX[0]
              || v[p + 3] != StoreKeys.PREFIX[1] || v[p + 4] != StoreKeys.NODE) {
            throw new CorruptionException(dir, -1, "record of an unfinished split commit "
                + Hash.hex(c.key()) + " is damaged at byte " + p + " of " + v.length);
          }
          nodes.add(java.util.Arrays.copyOfRange(v, p + 2, p + 2 + len));
          p += 2 + len;
        }
        unfinishedRecords.add(c.key());
        unfinishedNodes.addAll(nodes);
      }
    }
  }

  /** Whether some member's join is not counted yet. */
  boolean joinsPending() {
    for (Version v : members.values()) {
      if (!v.joined) {
        return true;
      }
    }
    return false;
  }

  /** A step that counts the pending joins and lets nothing leave (with {@code leave} false). */
  boolean step(long horizon, TreeMap<Long, Hash> canonical, Map<Hash, Long> pruned,
      boolean leave) {
    return step(horizon, canonical, pruned, leave, true);
  }

  private boolean step(long horizon, TreeMap<Long, Hash> canonical, Map<Hash, Long> pruned,
      boolean leave, boolean force) {
    long start = System.nanoTime();
    lastLeft = false;
    Counts counts = new Counts();
    List<Version> rewritten = new ArrayList<>();
    int walkedJoins = 0;
    for (Version v : members.values()) {
      if (v.joined) {
        continue;
      }
      if (inMemory) {
        if (v.anchor >= 0 && v.joinSet == null && walkedJoins == MAX_WALKED_JOINS) {
          break; // after a reopen: the rest in later steps, commits in between; no leave yet
        }
        joinInMemory(v, counts);
        if (v.joinSet == null && v.anchor >= 0) {
          walkedJoins++;
        }
        v.joinSet = null;
        v.joined = true; // not recorded: memory counts are rebuilt on every open
        continue;
      }
      if (v.joinSet != null && !followsLinks()) {
        for (int i = 0; i < v.joinSet.size(); i++) {
          byte[] key = v.joinSet.keys.get(i);
          counts.add(new NodeKey(key), 1, key.length + v.joinSet.values.get(i).length);
        }
      } else {
        counts.diff(v, v.anchor < 0 ? null : members.get(v.anchor), 1);
      }
      if (v.linkedJoins != null) {
        counts.linkedWritten.putAll(v.linkedJoins);
        v.linkedJoins = null;
      }
      v.joinSet = null;
      v.joined = true;
      rewritten.add(v);
    }
    List<Linked> rewrittenLinked = new ArrayList<>();
    settleJoins(counts, rewrittenLinked);
    Version leaving = null;
    for (Version v : leave && !joinsPending() ? members.values() : List.<Version>of()) {
      if (v.height <= horizon && (leaving == null || v.height < leaving.height
          || v.height == leaving.height && v.seq > leaving.seq)) {
        leaving = v;
      }
    }
    if (leaving != null && dirty != null && leaving.anchor < 0 && !force && !advancing
        && backlog(horizon) < flushLag) {
      leaving = null; // the root waits until flushLag heights can leave together
    }
    WriteBatch batch = shared != null ? shared : new WriteBatch();
    if (leaving != null) {
      if (dirty != null) {
        advancing |= leaving.anchor < 0;
        if (leaving.journaled) {
          journalsDone.add(leaving);
        }
      }
      lastLeft = true;
      leave(leaving, counts, rewritten);
      batch.delete(leaving.key());
      Hash canon = canonical.get(leaving.height);
      boolean otherAtHeight = false;
      for (Version v : members.values()) {
        if (v.height == leaving.height) {
          otherAtHeight = true;
        }
      }
      if (!otherAtHeight && canon != null) {
        batch.delete(StoreKeys.canonical(leaving.height));
        canonical.remove(leaving.height);
      }
      if (memberWith(leaving.root) == null) {
        pruned.put(leaving.root, leaving.height);
      }
      rootsPruned++;
    }
    settleLeaves(counts, rewrittenLinked);
    settleJoins(counts, rewrittenLinked);
    boolean unfinished = !unfinishedRecords.isEmpty();
    if (leaving == null && rewritten.isEmpty() && rewrittenLinked.isEmpty() && !unfinished
        && counts.changed.isEmpty()) {
      if (sweepCounts && leave) {
        sweepChunk();
        return true;
      }
      return false;
    }
    if (unfinished) {
      // every join is counted above, so a listed node with count 0 is held by no member: the
      // loop below deletes it with the records, in this step's batch
      for (byte[] k : unfinishedNodes) {
        if (inMemory) {
          counts.candidate(new NodeKey(k), 0, true);
        } else {
          counts.add(new NodeKey(k), 0, 0);
        }
      }
      for (byte[] r : unfinishedRecords) {
        batch.delete(r);
      }
    }
    for (Linked l : rewrittenLinked) {
      byte[] key = StoreKeys.linked(epoch, l.root);
      if (l.links == 0) {
        batch.delete(key);
        linked.remove(l.root);
      } else {
        batch.put(key, l.value());
      }
    }
    for (Linked l : counts.linkedTouched.values()) {
      if (!rewrittenLinked.contains(l)) {
        if (l.links == 0) {
          batch.delete(StoreKeys.linked(epoch, l.root));
          linked.remove(l.root);
        } else {
          batch.put(StoreKeys.linked(epoch, l.root), l.value());
        }
      }
    }
    List<NodeKey> deleted = new ArrayList<>();
    long deletedBytes = 0;
    for (Map.Entry<NodeKey, Change> e : counts.changed.entrySet()) {
      Change change = e.getValue();
      long now = change.now;
      if (inMemory) {
        if (now < 0) {
          throw new IllegalStateException("pruning count of trie node key " + e.getKey()
              + " would go below zero (" + now + "): the in-memory pruning counts are wrong");
        }
        NodeKey k = e.getKey();
        if (now == 0 && change.candidate && !(change.checkRoot && anchorlessHolds(k))) {
          // a node that dies before it was written is dropped from memory; it may also be on
          // disk (written again by a commit while an older copy lived), then it is deleted too
          if (dirty == null || !dirty.remove(k)) {
            batch.delete(k.bytes);
            if (shared != null) {
              advanceDeletes.add(k);
            }
          } else {
            dirtyDropped++;
            if (db.get(k.bytes) != null) {
              batch.delete(k.bytes);
              if (shared != null) {
                advanceDeletes.add(k);
              }
            }
          }
          deleted.add(k);
          deletedBytes += change.size;
        }
        continue;
      }
      byte[] countKey = StoreKeys.count(epoch, e.getKey().bytes);
      if (now < 0) {
        throw new CorruptionException(dir, -1, "pruning count of trie node key " + e.getKey()
            + " would go below zero (" + now + "): the pruning records are damaged");
      }
      if (now == 0) {
        batch.delete(countKey);
        batch.delete(e.getKey().bytes);
        deleted.add(e.getKey());
        deletedBytes += change.size;
      } else if (now != change.old) {
        batch.put(countKey, StoreKeys.longBytes(now));
      }
    }
    for (Version v : rewritten) {
      if (members.containsKey(v.seq)) {
        batch.put(v.key(), v.value(epoch, !inMemory));
      }
    }
    if (shared == null && batch.count() > 0) {
      db.write(batch, WriteOptions.defaults());
    }
    if (inMemory) {
      for (Map.Entry<NodeKey, Change> e : counts.changed.entrySet()) {
        Change c = e.getValue();
        if (c.now != c.old) {
          memCounts.put(e.getKey(), Math.toIntExact(c.now)); // 0 removes the key
        }
      }
    }
    publish();
    if (unfinished) {
      unfinishedRecords.clear();
      unfinishedNodes.clear();
    }
    for (NodeKey k : deleted) {
      cache.remove(k);
    }
    bytesDeleted += deletedBytes;
    lastChanged = counts.changed.size();
    nodesDeleted += deleted.size();
    pruningNanos += System.nanoTime() - start;
    return true;
  }

  /** Removes {@code x} from the forest, re-anchoring the members anchored to it. */
  private void leave(Version x, Counts counts, List<Version> rewritten) {
    List<Version> children = new ArrayList<>();
    for (Version v : members.values()) {
      if (v.anchor == x.seq) {
        children.add(v);
      }
    }
    members.remove(x.seq); // published at the end of the step, once pruned names it
    if (x.anchor >= 0) {
      Version y = members.get(x.anchor);
      if (inMemory) {
        // its join loses its count; a node it alone held goes, unless the root holds it too
        for (int i = 0; i < x.joinKeys.length; i++) {
          counts.candidate(x.joinKeys[i], -1, x.joinSizes[i], true);
        }
        x.joinKeys = null;
        x.joinSizes = null;
      } else {
        counts.diff(x, y, -1);
      }
      for (Version c : children) {
        reanchor(c, x, y, counts, rewritten);
      }
      return;
    }
    if (children.isEmpty()) {
      if (inMemory) {
        counts.candidates(x.root, null, anchorlessOtherThan(x));
      } else {
        counts.diff(x, null, -1);
      }
      return;
    }
    Version heir = children.get(0);
    for (Version c : children) {
      if (c.height < heir.height || c.height == heir.height && c.seq > heir.seq) {
        heir = c;
      }
    }
    boolean recorded = heir.leaveSet != null && heir.leaveSetAnchor == x.seq
        && heir.anchor == x.seq && !followsLinks();
    if (inMemory) {
      // the heir becomes the root: its nodes are live without a count; x's nodes the heir
      // lacks are live only while a count holds them
      heir.anchor = -1;
      boolean check = anchorlessOtherThan(x, heir);
      if (recorded) {
        for (int i = 0; i < heir.leaveSet.length; i++) {
          counts.candidate(new NodeKey(heir.leaveSet[i]), heir.leaveSetSizes[i], check);
        }
        leavesFromMemory++;
      } else {
        counts.candidates(x.root, heir.root, check);
      }
      counts.addJoin(heir, -1);
      if (dirty != null) {
        if (heir.journaled && heir.joinKeys == null) {
          throw new IllegalStateException(heir + " becomes the root with nodes in memory but no"
              + " counted join: its nodes could not be written");
        }
        heirJoins.add(heir.joinKeys); // its nodes must be on disk once it is the root
        if (heir.journaled) {
          journalsDone.add(heir);
        }
      }
      heir.joinKeys = null;
      heir.joinSizes = null;
    } else if (recorded) {
      // nodes(x) \ nodes(heir), recorded by the heir's commit: no walk of old nodes
      for (int i = 0; i < heir.leaveSet.length; i++) {
        counts.add(new NodeKey(heir.leaveSet[i]), -1, heir.leaveSetSizes[i]);
      }
      leavesFromMemory++;
    } else {
      counts.diff(x, heir, -1);
    }
    dropLeaveSet(heir);
    heir.anchor = -1;
    rewritten.add(heir);
    for (Version c : children) {
      if (c != heir) {
        reanchor(c, x, heir, counts, rewritten);
      }
    }
  }

  /** Joins counted by a diff walk (after a reopen) per step at most, in memory mode. */
  static final int MAX_WALKED_JOINS = 4;

  /**
   * In memory mode: counts the join of {@code v}: nothing for an anchorless member (the root:
   * its nodes are live without a count), else its commit's node set or, after a reopen, a diff
   * walk against its anchor; the keys are kept on {@code v} until it leaves or becomes the root.
   */
  private void joinInMemory(Version v, Counts counts) {
    if (v.anchor < 0) {
      v.joinKeys = null;
      v.joinSizes = null;
      return;
    }
    NodeSet set = v.joinSet;
    if (set == null) {
      counts.join(v, v.root, members.get(v.anchor).root, 1);
      return;
    }
    NodeKey[] keys = new NodeKey[set.size()];
    int[] sizes = new int[set.size()];
    for (int i = 0; i < keys.length; i++) {
      byte[] key = set.keys.get(i);
      keys[i] = new NodeKey(key);
      sizes[i] = key.length + set.values.get(i).length;
      counts.add(keys[i], 1, sizes[i]);
    }
    v.joinKeys = keys;
    v.joinSizes = sizes;
  }

  /** Whether a member other than those given has no anchor (invariant 3 says: none). */
  private boolean anchorlessOtherThan(Version... except) {
    for (Version v : members.values()) {
      if (v.anchor < 0 && !java.util.Arrays.asList(except).contains(v)) {
        return true;
      }
    }
    return false;
  }

  /** The hash of a trie's root; null stands for the empty trie. */
  private static Hash hashOf(Hash root) {
    return root == null ? Hash.EMPTY_TRIE : root;
  }

  /** A trie's root node by hash, or null for the empty trie (or null). */
  private static Node rootOf(Hash root) {
    return root == null || root.equals(Hash.EMPTY_TRIE) ? null : new HashNode(root);
  }

  /** Whether an anchorless member (whose nodes need no count) holds the node with this key. */
  private boolean anchorlessHolds(NodeKey k) {
    byte[] position = StoreKeys.nodePosition(k.bytes);
    byte[] hash = StoreKeys.nodeHash(k.bytes);
    for (Version v : members.values()) {
      if (v.anchor < 0 && holdsAt(v.root, position, hash)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the trie with this root holds a stored node with {@code hash} at {@code position}. */
  private boolean holdsAt(Hash root, byte[] position, byte[] hash) {
    if (root.equals(Hash.EMPTY_TRIE)) {
      return false;
    }
    if (position.length == 0) {
      return java.util.Arrays.equals(root.bytes(), hash);
    }
    Node n = resolver.resolve(new HashNode(root));
    int depth = 0;
    while (true) {
      Node child;
      if (n instanceof BranchNode br) {
        child = br.children[position[depth]];
        depth++;
      } else if (n instanceof ExtensionNode ext) {
        if (depth + ext.path.length > position.length) {
          return false;
        }
        for (int i = 0; i < ext.path.length; i++) {
          if (ext.path[i] != position[depth + i]) {
            return false;
          }
        }
        depth += ext.path.length;
        child = ext.child;
      } else {
        return false; // a leaf has nothing below it
      }
      if (child == null || child.ref.length < Hash.LENGTH) {
        return false; // nothing there, or embedded: not stored on its own
      }
      if (depth == position.length) {
        return java.util.Arrays.equals(child.ref, hash);
      }
      n = child instanceof HashNode h ? resolver.resolve(h) : child;
    }
  }

  /** Forgets a recorded leave set (it is relative to the anchor the version had). */
  private static void dropLeaveSet(Version v) {
    v.leaveSet = null;
    v.leaveSetSizes = null;
    v.leaveSetAnchor = -1;
  }

  private void reanchor(Version c, Version from, Version to, Counts counts,
      List<Version> rewritten) {
    if (inMemory) {
      // nodes(c) \ nodes(to) gain a count before nodes(c) \ nodes(from) lose theirs; a key
      // that loses its count here is held by `to`, so it is no candidate
      NodeKey[] oldKeys = c.joinKeys;
      int[] oldSizes = c.joinSizes;
      counts.join(c, c.root, to.root, 1);
      for (int i = 0; i < oldKeys.length; i++) {
        counts.add(oldKeys[i], -1, oldSizes[i]);
      }
    } else {
      counts.diff(c, to, 1);
      counts.diff(c, from, -1);
    }
    dropLeaveSet(c);
    c.anchor = to.seq;
    rewritten.add(c);
    if (c.journaled) {
      rejournaled.add(c); // its record names its anchor: written again against the new one
    }
  }
}

package io.strata.reliability;

import io.strata.lsm.Db;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import io.strata.trie.StateStore;
import io.strata.trie.Trie;
import java.util.OptionalLong;

/**
 * Applies {@link Ops} to a store: batches to the {@link Db}, commits to a {@link StateStore} on
 * the same Db (block = latest block + 1, built on the latest committed trie), flushes and full
 * compactions. One thread at a time.
 */
final class Workload {
  private final Db db;
  private final StateStore store;
  private final boolean linked;
  private Trie trie;
  /** The world state of a linked run ({@link Ops#linked}); null otherwise. */
  private World world;

  /**
   * A workload of the campaign with this seed: its trie store has the seed's window and links
   * ({@link Ops#trieOptionsOf}); a reopened store continues from its latest block.
   */
  Workload(Db db, long seed) {
    this.db = db;
    this.store = StateStore.on(db, Ops.trieOptionsOf(seed));
    this.linked = Ops.linked(seed);
    OptionalLong latest = store.latestBlock();
    this.trie = latest.isPresent()
        ? store.trie(store.rootAt(latest.getAsLong()).orElseThrow())
        : store.emptyTrie();
    if (linked) {
      java.util.Map<String, Trie> storage = new java.util.TreeMap<>();
      for (var it = trie.entries(new byte[0]); it.hasNext(); ) {
        var e = it.next();
        io.strata.trie.Hash root = World.storageRootOf(e.getValue());
        if (!root.equals(Trie.empty().rootHash())) {
          storage.put(Ops.string(e.getKey()), store.trie(root));
        }
      }
      world = new World(trie, java.util.Map.copyOf(storage));
    }
  }

  /** Stops the trie store's pruning thread (the Db stays open). */
  void close() {
    store.close();
  }

  /** Runs {@code op}; returns when it is acknowledged (or throws what the store threw). */
  void apply(Ops.Op op) {
    switch (op.kind()) {
      case BATCH -> {
        WriteBatch b = new WriteBatch();
        for (Ops.Change c : op.changes()) {
          if (c.value() == null) {
            b.delete(Ops.bytes(c.key()));
          } else {
            b.put(Ops.bytes(c.key()), Ops.bytes(c.value()));
          }
        }
        db.write(b, op.sync() ? WriteOptions.sync() : WriteOptions.defaults());
      }
      case COMMIT -> {
        if (linked) {
          World next = world.apply(op, store::emptyTrie);
          store.commit(store.latestBlock().orElse(0) + 1, next.accounts(), next.linked());
          world = next;
          trie = next.accounts();
        } else {
          Trie next = Oracle.applyTo(trie, op);
          store.commit(store.latestBlock().orElse(0) + 1, next);
          trie = next;
        }
      }
      case FLUSH -> {
        db.flush();
        store.waitForPruning();
      }
      case COMPACT -> db.compactRange(null, null);
      default -> throw new IllegalStateException(op.kind().toString());
    }
  }
}

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
  private Trie trie;

  /** A workload with an archive trie store. */
  Workload(Db db) {
    this(db, io.strata.trie.StateOptions.defaults());
  }

  /** A workload whose trie store has these options ({@link Ops#trieOptions}). */
  Workload(Db db, io.strata.trie.StateOptions trieOptions) {
    this.db = db;
    this.store = StateStore.on(db, trieOptions);
    OptionalLong latest = store.latestBlock();
    this.trie = latest.isPresent()
        ? store.trie(store.rootAt(latest.getAsLong()).orElseThrow())
        : store.emptyTrie();
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
        Trie next = Oracle.applyTo(trie, op);
        store.commit(store.latestBlock().orElse(0) + 1, next);
        trie = next;
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

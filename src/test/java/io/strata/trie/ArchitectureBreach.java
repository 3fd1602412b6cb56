package io.strata.trie;

import io.strata.lsm.internal.memtable.Memtable;

/**
 * A deliberate breach for {@code ArchitectureTest}: the trie reaching into the engine's internals
 * (which the class path allows and the module path would not). Test sources only; nothing calls it.
 */
final class ArchitectureBreach {
  private ArchitectureBreach() {}

  static Object usesTheMemtable() {
    return Memtable.forWriteBuffer(1, 1 << 20);
  }
}

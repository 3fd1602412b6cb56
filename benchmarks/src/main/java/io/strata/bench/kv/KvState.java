package io.strata.bench.kv;

import java.nio.file.Path;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What every key-value suite shares: the engine and entry-count parameters, and a store in a fresh
 * directory that is deleted afterwards. Subclasses decide when to open and close it.
 */
@State(Scope.Benchmark)
public abstract class KvState {
  @Param({"strata", "rocksdb", "leveldb"})
  public String engine;

  @Param({"1000000"})
  public int entries;

  protected Path dir;
  protected KvEngine db;

  /** Opens an empty store in a fresh directory. */
  protected void openEmpty() {
    dir = KvEngine.freshDirectory(engine);
    db = KvEngine.open(engine, dir);
  }

  /** Opens an empty store and puts every entry once, in the order {@code order}. */
  protected void openFilled(int[] order) {
    openEmpty();
    for (int k : order) {
      db.put(Workload.key(k), Workload.value(k));
    }
  }

  protected void closeAndDelete() {
    db.close();
    KvEngine.deleteRecursively(dir);
  }
}

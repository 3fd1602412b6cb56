package io.strata.lsm.internal.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.MergingIterator;
import io.strata.lsm.internal.memtable.Memtable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * {@link MergingIterator} against a model when the entries are spread over its children the way a
 * store spreads them: mostly in one child (a compacted store under a small memtable), in long runs
 * per child (sequential writes flushed at intervals), or at random; with children left empty and
 * children that run out early. Its step compares the moved child with the runner-up only, so a
 * runner-up kept stale, a tie broken the wrong way or a direction change that forgets to recompute
 * both would show here.
 */
class MergingIteratorProperties {
  /** Which child each of {@code n} sorted entries goes to. */
  static int[] spread(SplittableRandom r, int n, int children) {
    int[] owner = new int[n];
    int mode = r.nextInt(3);
    int dominant = r.nextInt(children);
    int run = 0;
    int child = 0;
    for (int i = 0; i < n; i++) {
      if (mode == 0) { // nearly everything in one child
        owner[i] = r.nextInt(20) == 0 ? r.nextInt(children) : dominant;
      } else if (mode == 1) { // runs of 1-60 entries per child
        if (run == 0) {
          run = 1 + r.nextInt(60);
          child = r.nextInt(children);
        }
        run--;
        owner[i] = child;
      } else {
        owner[i] = r.nextInt(children);
      }
    }
    return owner;
  }

  /** Random moves both ways over the merge of 1-6 memtables, against the merged model. */
  @Property(tries = 300)
  void randomMovesFollowTheModel(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    TreeMap<byte[], byte[]> all = IteratorViewProperties.entries(r);
    int n = 1 + r.nextInt(6);
    List<TreeMap<byte[], byte[]>> parts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      parts.add(new TreeMap<>(InternalKeys.COMPARATOR));
    }
    int[] owner = spread(r, all.size(), n);
    int i = 0;
    for (Map.Entry<byte[], byte[]> e : all.entrySet()) {
      parts.get(owner[i++]).put(e.getKey(), e.getValue());
    }
    List<InternalIterator> children = new ArrayList<>();
    for (TreeMap<byte[], byte[]> p : parts) {
      children.add(IteratorViewProperties.memtable(p).iterator());
    }
    IteratorViewProperties.walk(r, new MergingIterator(children), all);
  }

  /**
   * The same internal key in several children: a scan forward meets them in child order, a scan
   * backward in the reverse order, and {@link MergingIterator#currentChild()} names each one.
   */
  @Property(tries = 300)
  void equalKeysComeInChildOrderForwardAndTheReverseBackward(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    TreeMap<byte[], byte[]> all = IteratorViewProperties.entries(r);
    int n = 2 + r.nextInt(4);
    List<Memtable> tables = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      tables.add(new Memtable(0, 4096));
    }
    int[] owner = spread(r, all.size(), n);
    List<byte[]> keys = new ArrayList<>(); // the model: (key, child) in merge order
    List<Integer> from = new ArrayList<>();
    int i = 0;
    for (byte[] stored : all.keySet()) {
      // puts only, so every copy carries a value naming its child
      byte[] k = InternalKeys.encode(InternalKeys.userKey(stored), InternalKeys.sequence(stored),
          InternalKeys.KIND_PUT);
      boolean[] in = new boolean[n];
      in[owner[i++]] = true;
      if (r.nextInt(4) == 0) {
        in[r.nextInt(n)] = true; // the same internal key in a second child
      }
      for (int c = 0; c < n; c++) {
        if (in[c]) {
          tables.get(c).add(InternalKeys.sequence(k), InternalKeys.KIND_PUT,
              InternalKeys.userKey(k), new byte[] {(byte) c});
          keys.add(k);
          from.add(c);
        }
      }
    }
    List<InternalIterator> children = new ArrayList<>();
    for (Memtable m : tables) {
      children.add(m.iterator());
    }
    try (MergingIterator it = new MergingIterator(children)) {
      int start = r.nextInt(keys.size());
      // forward from a seek to the start's key (the first of its copies)
      it.seek(keys.get(start));
      int at = IteratorViewProperties.firstAtOrAfter(keys, keys.get(start));
      for (; at < keys.size(); at++, it.next()) {
        check(it, keys.get(at), from.get(at), "forward at " + at);
      }
      assertFalse(it.isValid(), "forward past the end");
      // backward from the last entry
      it.seekToLast();
      for (at = keys.size() - 1; at >= 0; at--, it.prev()) {
        check(it, keys.get(at), from.get(at), "backward at " + at);
      }
      assertFalse(it.isValid(), "backward past the start");
    }
  }

  private static void check(MergingIterator it, byte[] key, int child, String where) {
    assertEquals(true, it.isValid(), where);
    assertArrayEquals(key, Arrays.copyOfRange(it.keyArray(), it.keyOffset(),
        it.keyOffset() + it.keyLength()), where);
    assertEquals(child, it.currentChild(), where);
    assertArrayEquals(new byte[] {(byte) child}, it.value(), where);
  }
}

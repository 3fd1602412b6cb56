package io.strata.lsm.metamorphic;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The reference: the same operations on a {@link TreeMap}, answering as a store must. Keys compare
 * as Strings here and as unsigned bytes in the store; the keys of {@link OpGenerator} are ASCII,
 * where the two orders agree.
 */
final class Model {
  private Model() {}

  static Transcript run(List<Op> ops) {
    Transcript t = new Transcript();
    TreeMap<String, String> state = new TreeMap<>();
    List<TreeMap<String, String>> snapshots = new ArrayList<>();
    for (int step = 0; step < ops.size(); step++) {
      Op op = ops.get(step);
      if (op instanceof Op.Put p) {
        state.put(p.key(), Op.value(p));
      } else if (op instanceof Op.Delete d) {
        state.remove(d.key());
      } else if (op instanceof Op.Batch b) {
        for (Op o : b.ops()) {
          if (o instanceof Op.Put p) {
            state.put(p.key(), Op.value(p));
          } else if (o instanceof Op.Delete d) {
            state.remove(d.key());
          }
        }
      } else if (op instanceof Op.Get g) {
        t.add(step, op, String.valueOf(state.get(g.key())));
      } else if (op instanceof Op.Scan s) {
        t.add(step, op, scan(state, s.from(), s.to(), s.reverse(), s.limit()));
      } else if (op instanceof Op.Seek s) {
        t.add(step, op, "seek " + state.ceilingKey(s.key())
            + " prev " + (state.ceilingKey(s.key()) == null ? "-" : state.lowerKey(s.key()))
            + " seekForPrev " + state.floorKey(s.key())
            + " next " + (state.floorKey(s.key()) == null ? "-" : state.higherKey(s.key())));
      } else if (op instanceof Op.OpenSnapshot) {
        snapshots.add(new TreeMap<>(state));
      } else if (op instanceof Op.ReadSnapshot r) {
        if (!snapshots.isEmpty()) {
          TreeMap<String, String> snap = snapshots.get(r.index() % snapshots.size());
          t.add(step, op, snap.get(r.key()) + " " + scan(snap, null, null, false, Integer.MAX_VALUE));
        }
      } else if (op instanceof Op.CloseSnapshot c) {
        if (!snapshots.isEmpty()) {
          snapshots.remove(c.index() % snapshots.size());
        }
      } else if (op instanceof Op.Reopen) {
        snapshots.clear();
      } else if (op instanceof Op.Verify) {
        t.add(step, op, "0 problems");
      }
      // Flush, CompactRange, WaitForCompactions: nothing a reader can see
    }
    t.add(ops.size(), new Op.Scan(null, null, false, Integer.MAX_VALUE),
        scan(state, null, null, false, Integer.MAX_VALUE));
    return t;
  }

  static String scan(TreeMap<String, String> state, String from, String to, boolean reverse,
      int limit) {
    NavigableMap<String, String> range = state;
    if (from != null) {
      range = range.tailMap(from, true);
    }
    if (to != null) {
      range = range.headMap(to, false);
    }
    if (reverse) {
      range = range.descendingMap();
    }
    StringBuilder out = new StringBuilder("[");
    Iterator<Map.Entry<String, String>> it = range.entrySet().iterator();
    for (int n = 0; n < limit && it.hasNext(); n++) {
      Map.Entry<String, String> e = it.next();
      out.append(n == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
    }
    return out.append(']').toString();
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * {@link CountTable} against a hash map (the model), over random sets and removals of counts on
 * a small set of keys, many of which share a hash code (equal first hash bytes and length), so
 * probes pass each other and the backward-shift deletion moves entries across the table's end;
 * through growth from the minimum size. Each operation's code picks a key and a count (0
 * removes).
 */
class CountTableProperties {
  /** Key {@code i}: a quarter of the keys share one hash code, a quarter another, the rest vary. */
  static NodeKey key(int i) {
    byte[] hash = new byte[32];
    hash[31] = (byte) i;
    hash[30] = (byte) (i >> 8);
    if (i % 4 == 0) {
      hash[0] = 9;
    } else if (i % 4 == 1) {
      hash[0] = 5;
      hash[1] = 5;
    } else {
      hash[0] = (byte) (i * 37);
      hash[1] = (byte) (i * 11);
      hash[2] = (byte) i;
    }
    return NodeKey.of(new byte[] {1, 2}, hash);
  }

  /** Applies one operation to the table and the model. */
  static void apply(CountTable t, Map<NodeKey, Integer> model, int code, int keys) {
    NodeKey k = key(Math.floorMod(code, keys));
    int count = Math.floorMod(code >> 10, 4);
    t.put(k, count);
    if (count == 0) {
      model.remove(k);
    } else {
      model.put(k, count);
    }
  }

  static void check(CountTable t, Map<NodeKey, Integer> model, int keys) {
    assertEquals(model.size(), t.size(), "size");
    for (int i = 0; i < keys; i++) {
      NodeKey k = key(i);
      assertEquals(model.getOrDefault(k, 0), t.get(k), "count of key " + i);
    }
    Set<NodeKey> held = new HashSet<>(List.of(t.keys()));
    assertEquals(model.keySet(), held, "keys held");
  }

  @Property(tries = 300)
  void followsAHashMap(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 1 << 14) Integer> ops,
      @ForAll @IntRange(min = 1, max = 200) int keys) {
    CountTable t = new CountTable();
    Map<NodeKey, Integer> model = new HashMap<>();
    for (int code : ops) {
      apply(t, model, code, keys);
      check(t, model, keys);
    }
  }

  @Test
  void aNegativeCountIsRefused() {
    CountTable t = new CountTable();
    assertThrows(IllegalArgumentException.class, () -> t.put(key(1), -1));
  }
}

package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** What a range of a sorted-map model should hold, and whether a range tells its truth. */
final class RangeModel {
  private RangeModel() {}

  static final byte[] NONE = new byte[0];

  /** The entries {@code proveRange(origin, limit, max, unlimited bytes)} must return. */
  static List<Map.Entry<byte[], byte[]>> expected(TreeMap<byte[], byte[]> model, byte[] origin,
      byte[] limit, int max) {
    NavigableMap<byte[], byte[]> from = origin == null ? model : model.tailMap(origin, true);
    List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : from.entrySet()) {
      if (out.size() == max) {
        break;
      }
      if (limit != null && Arrays.compareUnsigned(e.getKey(), limit) > 0) {
        if (out.isEmpty()) {
          out.add(e); // nothing in range: the first key after the limit
        }
        break;
      }
      out.add(e);
    }
    return out;
  }

  static void assertEntries(List<Map.Entry<byte[], byte[]>> want, RangeProof got) {
    assertEquals(want.size(), got.size(), "entries");
    List<byte[]> keys = got.keys();
    List<byte[]> values = got.values();
    for (int i = 0; i < want.size(); i++) {
      assertArrayEquals(want.get(i).getKey(), keys.get(i), "key " + i);
      assertArrayEquals(want.get(i).getValue(), values.get(i), "value " + i);
    }
  }

  /**
   * Whether a range, had it verified, told the truth: its entries are exactly the model's from
   * {@code origin} to its last key (from {@code origin} on when empty; the whole model when it
   * has no proof nodes) and {@code hasMore} says whether keys follow.
   */
  static boolean truthful(TreeMap<byte[], byte[]> model, byte[] origin, RangeProof r,
      boolean hasMore) {
    List<byte[]> keys = r.keys();
    List<byte[]> values = r.values();
    NavigableMap<byte[], byte[]> want;
    if (r.proofNodes().isEmpty()) {
      want = model;
    } else if (keys.isEmpty()) {
      want = origin == null ? model : model.tailMap(origin, true);
    } else {
      byte[] last = keys.get(keys.size() - 1);
      want = origin == null ? model.headMap(last, true)
          : Arrays.compareUnsigned(origin, last) > 0 ? new TreeMap<>()
          : model.subMap(origin, true, last, true);
    }
    if (want.size() != keys.size()) {
      return false;
    }
    int i = 0;
    for (Map.Entry<byte[], byte[]> e : want.entrySet()) {
      if (!Arrays.equals(e.getKey(), keys.get(i)) || !Arrays.equals(e.getValue(), values.get(i))) {
        return false;
      }
      i++;
    }
    boolean more = !keys.isEmpty() && model.higherKey(keys.get(keys.size() - 1)) != null;
    return hasMore == more;
  }

  /** The key right after {@code k} in byte-string order. */
  static byte[] after(byte[] k) {
    return Arrays.copyOf(k, k.length + 1);
  }
}

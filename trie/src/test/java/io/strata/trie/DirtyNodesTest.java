package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link DirtyNodes} against a hash map: batches of puts (with keys already present and keys
 * repeated within a batch), removes in random order, lookups of present and absent keys, through
 * many resizes up and down; keys that collide on their hash code (same hash prefix) probe past
 * each other and survive the backward-shift deletion of their neighbours.
 */
class DirtyNodesTest {
  private static byte[] key(Random r, boolean collide) {
    byte[] hash = new byte[32];
    r.nextBytes(hash);
    if (collide) {
      hash[0] = 7; // NodeKey's hash code comes from the first four hash bytes: equal codes
      hash[1] = 7;
      hash[2] = 7;
      hash[3] = 7;
    }
    byte[] pos = new byte[r.nextInt(6)];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = (byte) r.nextInt(16);
    }
    return StoreKeys.node(pos, hash);
  }

  @Test
  void behavesAsAMap() {
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      DirtyNodes d = new DirtyNodes();
      Map<NodeKey, byte[]> model = new HashMap<>();
      List<NodeKey> known = new ArrayList<>();
      for (int step = 0; step < 400; step++) {
        int op = r.nextInt(10);
        if (op < 4) {
          List<byte[]> keys = new ArrayList<>();
          List<byte[]> encs = new ArrayList<>();
          int n = r.nextInt(300);
          for (int i = 0; i < n; i++) {
            byte[] k = !known.isEmpty() && r.nextInt(8) == 0
                ? known.get(r.nextInt(known.size())).bytes : key(r, r.nextInt(4) == 0);
            byte[] e = new byte[1 + r.nextInt(120)];
            r.nextBytes(e);
            NodeKey nk = new NodeKey(k);
            if (model.containsKey(nk)) {
              e = model.get(nk).clone(); // a dirty key is only ever put with its own bytes
            } else {
              for (int j = 0; j < keys.size(); j++) {
                if (java.util.Arrays.equals(keys.get(j), k)) {
                  e = encs.get(j).clone();
                }
              }
            }
            keys.add(k);
            encs.add(e);
            model.putIfAbsent(nk, e);
            known.add(nk);
          }
          d.putAll(keys, encs);
        } else if (op < 8 && !model.isEmpty()) {
          int n = r.nextInt(model.size() + 1);
          List<NodeKey> ks = new ArrayList<>(model.keySet());
          java.util.Collections.shuffle(ks, r);
          for (int i = 0; i < n; i++) {
            assertEquals(true, d.remove(ks.get(i)));
            model.remove(ks.get(i));
          }
        } else {
          for (NodeKey k : known) {
            byte[] want = model.get(k);
            byte[] got = d.get(k);
            if (want == null) {
              assertNull(got, "seed " + seed + " step " + step + ": removed key found");
              assertEquals(false, d.remove(k));
            } else {
              assertArrayEquals(want, got, "seed " + seed + " step " + step);
            }
          }
        }
        assertEquals(model.size(), d.size(), "seed " + seed + " step " + step);
        long bytes = 0;
        for (Map.Entry<NodeKey, byte[]> e : model.entrySet()) {
          bytes += e.getKey().bytes.length + e.getValue().length;
        }
        assertEquals(bytes, d.bytes(), "seed " + seed + " step " + step + ": bytes");
      }
      Set<NodeKey> keys = new HashSet<>(d.keys());
      assertEquals(model.keySet(), keys, "seed " + seed + ": keys()");
    }
  }
}

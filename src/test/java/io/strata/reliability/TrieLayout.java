package io.strata.reliability;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.ReadOptions;
import io.strata.lsm.WriteBatch;
import io.strata.trie.Hash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The trie store's key layout, written from {@code trie/FORMAT.md} (version 2) independently of
 * the trie's own code: node keys by position and hash, a walk that finds the stored nodes a root
 * reaches by reading the RLP of each node, and the set of node keys a Db holds. Static methods.
 */
final class TrieLayout {
  private TrieLayout() {}

  /** The key of a node at a nibble position (trie/FORMAT.md, version 2). */
  static byte[] nodeKey(byte[] position, byte[] hash) {
    int packed = (position.length + 1) / 2;
    byte[] k = new byte[3 + packed + 2 + 32];
    k[0] = 0x00;
    k[1] = 0x74;
    k[2] = 'n';
    for (int i = 0; i < position.length; i++) {
      k[3 + i / 2] |= (byte) (i % 2 == 0 ? position[i] << 4 : position[i]);
    }
    k[3 + packed] = (byte) (position.length >>> 8);
    k[4 + packed] = (byte) position.length;
    System.arraycopy(hash, 0, k, 5 + packed, 32);
    return k;
  }

  /**
   * Puts each node under every position a walk from the first node (the root, at the empty
   * position) reaches it at: format 2 keys nodes by position and hash. The walk reads only the
   * shape (17 items: a branch, children by slot; 2 items with an even hex-prefix flag: an
   * extension, its child after the path); anything malformed stops it there, and the store must
   * then refuse what it reads.
   */
  static void putAtPositions(WriteBatch batch, List<byte[]> nodes) {
    java.util.Map<String, byte[]> byHash = new java.util.HashMap<>();
    for (byte[] n : nodes) {
      byHash.put(Hash.keccak256(n).toString(), n);
    }
    java.util.ArrayDeque<Object[]> todo = new java.util.ArrayDeque<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    todo.add(new Object[] {new byte[0], Hash.keccak256(nodes.get(0)).toBytes()});
    while (!todo.isEmpty() && seen.size() < 5_000) {
      Object[] t = todo.poll();
      byte[] pos = (byte[]) t[0];
      byte[] hash = (byte[]) t[1];
      byte[] n = byHash.get(Hash.of(hash).toString());
      if (n == null || pos.length > 256 || !seen.add(Arrays.toString(nodeKey(pos, hash)))) {
        continue;
      }
      batch.put(nodeKey(pos, hash), n);
      addChildren(pos, n, todo);
    }
  }

  /**
   * Queues the hash-referenced children of node {@code n} at {@code pos} with their positions: a
   * branch's by slot, an extension's (even hex-prefix flag) after its path; nothing for anything
   * else or malformed.
   */
  private static void addChildren(byte[] pos, byte[] n, java.util.Queue<Object[]> todo) {
    List<int[]> items = items(n);
    if (items == null) {
      return;
    }
    if (items.size() == 17) {
      for (int i = 0; i < 16; i++) {
        int[] it = items.get(i);
        if (it[0] == 0 && it[2] - it[1] == 32) {
          byte[] p = Arrays.copyOf(pos, pos.length + 1);
          p[pos.length] = (byte) i;
          todo.add(new Object[] {p, Arrays.copyOfRange(n, it[1], it[2])});
        }
      }
    } else if (items.size() == 2) {
      int[] path = items.get(0);
      int[] child = items.get(1);
      if (path[0] == 0 && path[2] > path[1] && child[0] == 0 && child[2] - child[1] == 32) {
        int flag = (n[path[1]] & 0xff) >> 4;
        if (flag == 0 || flag == 1) {
          int len = 2 * (path[2] - path[1]) - (flag == 1 ? 1 : 2);
          byte[] p = Arrays.copyOf(pos, pos.length + len);
          for (int i = 0; i < len; i++) {
            int at = i + (flag == 1 ? 1 : 2);
            int b = n[path[1] + at / 2] & 0xff;
            p[pos.length + i] = (byte) (at % 2 == 0 ? b >> 4 : b & 15);
          }
          todo.add(new Object[] {p, Arrays.copyOfRange(n, child[1], child[2])});
        }
      }
    }
  }

  /** The items of a node's outer RLP list as {isList, payload start, payload end}, or null. */
  static List<int[]> items(byte[] n) {
    try {
      int[] outer = item(n, 0);
      if (outer[0] != 1 || outer[3] != n.length) {
        return null;
      }
      List<int[]> out = new ArrayList<>();
      for (int p = outer[1]; p < outer[2]; ) {
        int[] it = item(n, p);
        out.add(it);
        p = it[3];
        if (out.size() > 17) {
          return null;
        }
      }
      return out;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** One RLP item at {@code p}: {isList, payload start, payload end, end}. */
  static int[] item(byte[] b, int p) {
    int h = b[p] & 0xff;
    if (h < 0x80) {
      return new int[] {0, p, p + 1, p + 1};
    }
    boolean list = h >= 0xc0;
    int base = list ? 0xc0 : 0x80;
    int len;
    int start;
    if (h - base <= 55) {
      len = h - base;
      start = p + 1;
    } else {
      int n = h - base - 55;
      len = 0;
      for (int i = 0; i < n; i++) {
        len = len << 8 | (b[p + 1 + i] & 0xff);
      }
      start = p + 1 + n;
    }
    if (len < 0 || start + len > b.length) {
      throw new IndexOutOfBoundsException("item past the end");
    }
    return new int[] {list ? 1 : 0, start, start + len, start + len};
  }


  /** The node keys (as {@code Arrays.toString}) reachable from these roots, read from the Db. */
  static Set<String> reachable(Db db, Iterable<Hash> roots) {
    Set<String> out = new HashSet<>();
    java.util.ArrayDeque<Object[]> todo = new java.util.ArrayDeque<>();
    for (Hash r : roots) {
      if (!r.equals(Hash.keccak256(new byte[] {(byte) 0x80}))) {
        todo.add(new Object[] {new byte[0], r.toBytes()});
      }
    }
    while (!todo.isEmpty()) {
      Object[] t = todo.poll();
      byte[] pos = (byte[]) t[0];
      byte[] hash = (byte[]) t[1];
      byte[] key = nodeKey(pos, hash);
      if (!out.add(Arrays.toString(key))) {
        continue;
      }
      byte[] n = db.get(key);
      if (n == null) {
        continue; // missing: the caller compares with what is stored
      }
      addChildren(pos, n, todo);
    }
    return out;
  }

  /** Every node key the Db holds (as {@code Arrays.toString}). */
  static Set<String> stored(Db db) {
    Set<String> out = new HashSet<>();
    byte[] from = {0x00, 0x74, 'n'};
    try (Cursor c = db.cursor(ReadOptions.builder().lowerBound(from)
        .upperBound(new byte[] {0x00, 0x74, 'o'}).build())) {
      for (c.seekToFirst(); c.isValid(); c.next()) {
        out.add(Arrays.toString(c.key()));
      }
    }
    return out;
  }
}

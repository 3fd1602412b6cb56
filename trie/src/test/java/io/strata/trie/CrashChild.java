package io.strata.trie;

import java.nio.file.Path;
import java.util.Random;

/**
 * The child of {@link CrashTest}: opens the store, continues from its latest block, and commits
 * block after block (synced), writing {@code ACK n} to the file {@code args[2]} when the commit of
 * block n has returned (one write call each, so the line is in the operating system before the
 * next commit starts; lines on standard output were seen to go missing when the process was
 * killed). The contents of every block follow from the seed and the block number alone, so the
 * parent can rebuild them.
 */
public final class CrashChild {
  static final int GENESIS_KEYS = 2_000;
  static final int UPDATES = 50;

  private CrashChild() {}

  public static void main(String[] args) throws java.io.IOException {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    try (StateStore store = StateStore.open(dir);
        java.io.FileOutputStream acks = new java.io.FileOutputStream(args[2])) {
      long next = store.latestBlock().isPresent() ? store.latestBlock().getAsLong() + 1 : 0;
      Trie t = next == 0 ? store.emptyTrie() : store.trie(store.rootAt(next - 1).orElseThrow());
      while (true) {
        t = apply(t, seed, next);
        store.commit(next, t);
        acks.write(("ACK " + next + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        next++;
      }
    }
  }

  /** Applies block {@code n}'s changes (the same for a given seed, wherever they are applied). */
  static Trie apply(Trie t, long seed, long n) {
    Random r = new Random(seed * 1_000_003L + n);
    return t.update(u -> {
      int count = n == 0 ? GENESIS_KEYS : UPDATES;
      for (int i = 0; i < count; i++) {
        byte[] key = key(n == 0 ? i : r.nextInt(GENESIS_KEYS * 2));
        if (n > 0 && r.nextInt(3) == 0) {
          u.remove(key);
        } else {
          byte[] v = new byte[1 + r.nextInt(60)];
          r.nextBytes(v);
          u.put(key, v);
        }
      }
    });
  }

  static byte[] key(int i) {
    return Hash.keccak256(new byte[] {(byte) (i >> 24), (byte) (i >> 16), (byte) (i >> 8),
        (byte) i}).toBytes();
  }
}

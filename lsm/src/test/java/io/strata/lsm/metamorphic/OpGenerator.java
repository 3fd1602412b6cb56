package io.strata.lsm.metamorphic;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random operation lists from a seed: the same seed gives the same list. Keys come from a small
 * alphabet with prefixes of each other, so overwrites, deletes of live keys and scans across
 * them are common; one value in five is 200 to 3,000 bytes, so a 16 KiB write buffer fills every
 * few dozen steps and flushes, multi-block tables and compactions happen in every run.
 */
final class OpGenerator {
  static final List<String> KEYS = List.of("", "a", "aa", "ab", "abc", "b", "b0", "ba", "c",
      "d", "da", "dab", "e", "f", "g", "h", "k", "m", "p", "zz");

  private final Random random;

  private OpGenerator(long seed) {
    this.random = new Random(seed);
  }

  /** {@code count} operations drawn from {@code seed}. */
  static List<Op> generate(long seed, int count) {
    OpGenerator g = new OpGenerator(seed);
    List<Op> ops = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ops.add(g.next());
    }
    return ops;
  }

  private String key() {
    return KEYS.get(random.nextInt(KEYS.size()));
  }

  private String keyOrNull() {
    return random.nextInt(4) == 0 ? null : key();
  }

  private Op.Put put() {
    int length = random.nextInt(5) == 0 ? 200 + random.nextInt(2800) : random.nextInt(41);
    return new Op.Put(key(), length, random.nextInt(10_000));
  }

  private Op next() {
    int r = random.nextInt(100);
    if (r < 34) {
      return put();
    } else if (r < 44) {
      return new Op.Delete(key());
    } else if (r < 50) {
      List<Op> ops = new ArrayList<>();
      for (int n = 1 + random.nextInt(8); n > 0; n--) {
        ops.add(random.nextInt(3) == 0 ? new Op.Delete(key()) : put());
      }
      return new Op.Batch(ops, random.nextInt(10) == 0);
    } else if (r < 60) {
      return new Op.Get(key());
    } else if (r < 67) {
      String from = keyOrNull();
      String to = keyOrNull();
      if (from != null && to != null && from.compareTo(to) >= 0) { // bounds in order, or open
        String low = to;
        to = from.equals(to) ? null : from;
        from = low;
      }
      return new Op.Scan(from, to, random.nextBoolean(), 1 + random.nextInt(30));
    } else if (r < 73) {
      return new Op.Seek(key());
    } else if (r < 76) {
      return new Op.OpenSnapshot();
    } else if (r < 81) {
      return new Op.ReadSnapshot(random.nextInt(6), key());
    } else if (r < 83) {
      return new Op.CloseSnapshot(random.nextInt(6));
    } else if (r < 88) {
      return new Op.Flush();
    } else if (r < 91) {
      return new Op.CompactRange(keyOrNull(), keyOrNull());
    } else if (r < 95) {
      return new Op.WaitForCompactions();
    } else if (r < 98) {
      return new Op.Reopen();
    } else {
      return new Op.Verify();
    }
  }
}

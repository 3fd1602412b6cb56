package io.strata.lsm.metamorphic;

import java.util.List;

/**
 * One step of a metamorphic run. Writes and maintenance steps answer nothing; reads answer what
 * they saw, and that answer must not depend on the configuration the store runs under.
 */
sealed interface Op {

  /** A put of a value derived from the key, its length and a seed ({@link #value}). */
  record Put(String key, int valueLength, int seed) implements Op {}

  record Delete(String key) implements Op {}

  /** Puts and deletes written as one atomic batch, synced when {@code sync}. */
  record Batch(List<Op> ops, boolean sync) implements Op {}

  record Get(String key) implements Op {}

  /**
   * A scan from {@code from} (inclusive) to {@code to} (exclusive; null bounds are open), forward
   * or backward, of at most {@code limit} entries.
   */
  record Scan(String from, String to, boolean reverse, int limit) implements Op {}

  /** seek, seekForPrev, and a step both ways from each. */
  record Seek(String key) implements Op {}

  record OpenSnapshot() implements Op {}

  /** A get and a whole scan at the open snapshot {@code index} modulo their number. */
  record ReadSnapshot(int index, String key) implements Op {}

  record CloseSnapshot(int index) implements Op {}

  record Flush() implements Op {}

  record CompactRange(String from, String to) implements Op {}

  record WaitForCompactions() implements Op {}

  /** Close (releasing every snapshot) and open again. */
  record Reopen() implements Op {}

  /** verifyChecksums: the number of problems it reports. */
  record Verify() implements Op {}

  /** The value a {@link Put} writes: readable, deterministic, {@code valueLength} characters. */
  static String value(Put p) {
    StringBuilder s = new StringBuilder(p.key()).append('#').append(p.seed()).append(':');
    while (s.length() < p.valueLength()) {
      s.append((char) ('a' + (s.length() * 31 + p.seed()) % 26));
    }
    return s.toString();
  }
}

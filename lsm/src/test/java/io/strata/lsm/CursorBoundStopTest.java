package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.lsm.internal.InternalIterator;
import io.strata.lsm.internal.InternalKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded cursor stops at its bound even when every entry past the bound is newer than its
 * snapshot (issue 14): the bound is checked on every internal entry, not only on visible ones.
 */
class CursorBoundStopTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** A sorted list of internal keys that counts the steps taken over it. */
  static final class CountingIterator implements InternalIterator {
    final List<byte[]> keys;
    int pos = -1;
    int steps;

    CountingIterator(List<byte[]> keys) {
      this.keys = keys;
      keys.sort(InternalKeys.COMPARATOR);
    }

    @Override public boolean isValid() {
      return pos >= 0 && pos < keys.size();
    }

    @Override public void seekToFirst() {
      pos = 0;
    }

    @Override public void seekToLast() {
      pos = keys.size() - 1;
    }

    @Override public void seek(byte[] target) {
      pos = 0;
      while (pos < keys.size() && InternalKeys.compare(keys.get(pos), target) < 0) {
        pos++;
      }
    }

    @Override public void seekForPrev(byte[] target) {
      pos = keys.size() - 1;
      while (pos >= 0 && InternalKeys.compare(keys.get(pos), target) > 0) {
        pos--;
      }
    }

    @Override public void next() {
      steps++;
      pos++;
    }

    @Override public void prev() {
      steps++;
      pos--;
    }

    @Override public byte[] key() {
      return keys.get(pos);
    }

    @Override public byte[] value() {
      return b("v");
    }

    @Override public void close() {
    }
  }

  /** "b" and "c" visible at sequence 10; 1,000 keys above "m" (and 1,000 below "a") written later. */
  private static CountingIterator entries() {
    List<byte[]> keys = new ArrayList<>();
    keys.add(InternalKeys.encode(b("b"), 5, InternalKeys.KIND_PUT));
    keys.add(InternalKeys.encode(b("c"), 6, InternalKeys.KIND_PUT));
    for (int i = 0; i < 1000; i++) {
      keys.add(InternalKeys.encode(b(String.format("n%04d", i)), 100 + i, InternalKeys.KIND_PUT));
      keys.add(InternalKeys.encode(b(String.format("0%04d", i)), 2000 + i, InternalKeys.KIND_PUT));
    }
    return new CountingIterator(keys);
  }

  @Test
  void forwardStopsAtTheUpperBound() {
    try (Db db = Db.open(dir)) {
      CountingIterator it = entries();
      DbCursor c = new DbCursor(db, null, it, 10, b("a"), b("m"));
      c.seekToFirst();
      assertEquals("b", new String(c.key(), UTF_8));
      int before = it.steps;
      c.next();
      assertEquals("c", new String(c.key(), UTF_8));
      c.next();
      assertFalse(c.isValid());
      assertTrue(it.steps - before <= 3, "walked " + (it.steps - before) + " entries past the bound");
    }
  }

  @Test
  void backwardStopsAtTheLowerBound() {
    try (Db db = Db.open(dir)) {
      CountingIterator it = entries();
      DbCursor c = new DbCursor(db, null, it, 10, b("a"), b("m"));
      c.seekToLast();
      assertEquals("c", new String(c.key(), UTF_8));
      int before = it.steps;
      c.prev();
      assertEquals("b", new String(c.key(), UTF_8));
      c.prev();
      assertFalse(c.isValid());
      assertTrue(it.steps - before <= 3, "walked " + (it.steps - before) + " entries past the bound");
    }
  }

  /** The same through the public API: a snapshot's bounded cursor answers exactly its entries. */
  @Test
  void snapshotCursorAnswersItsEntries() {
    try (Db db = Db.open(dir)) {
      db.put(b("b"), b("1"));
      db.put(b("c"), b("2"));
      try (Snapshot s = db.snapshot()) {
        for (int i = 0; i < 1000; i++) {
          db.put(b(String.format("n%04d", i)), b("x"));
          db.put(b(String.format("0%04d", i)), b("x"));
        }
        ReadOptions ro = ReadOptions.builder().snapshot(s).lowerBound(b("a")).upperBound(b("m")).build();
        List<String> fwd = new ArrayList<>();
        try (Cursor c = db.cursor(ro)) {
          for (c.seekToFirst(); c.isValid(); c.next()) {
            fwd.add(new String(c.key(), UTF_8));
          }
        }
        List<String> back = new ArrayList<>();
        try (Cursor c = db.cursor(ro)) {
          for (c.seekToLast(); c.isValid(); c.prev()) {
            back.add(new String(c.key(), UTF_8));
          }
        }
        assertEquals(List.of("b", "c"), fwd);
        assertEquals(List.of("c", "b"), back);
      }
    }
  }
}

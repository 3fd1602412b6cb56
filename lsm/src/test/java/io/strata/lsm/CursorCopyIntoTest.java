package io.strata.lsm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Cursor#keyInto} and {@link Cursor#valueInto}: the entry's bytes copied into the caller's
 * buffer, from the memtable and from table files, both ways; a buffer too small gets an exception
 * naming the sizes and keeps its bytes. (Their agreement with {@code key()} and {@code value()} on
 * random histories is checked by {@code DbModelProperties}.)
 */
class CursorCopyIntoTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void copiesEachEntryFromTheMemtableAndFromTablesBothWays() {
    try (Db db = Db.open(dir)) {
      db.put(b("a"), b("one"));
      db.put(b("bb"), b("a longer value"));
      db.flush();
      db.put(b("ccc"), b("")); // in the memtable, empty value
      byte[] buf = new byte[32];
      try (Cursor c = db.cursor(ReadOptions.defaults())) {
        StringBuilder forward = new StringBuilder();
        for (c.seekToFirst(); c.isValid(); c.next()) {
          forward.append(entry(c, buf)).append(';');
        }
        assertEquals("a=one;bb=a longer value;ccc=;", forward.toString());
        StringBuilder backward = new StringBuilder();
        for (c.seekToLast(); c.isValid(); c.prev()) {
          backward.append(entry(c, buf)).append(';');
        }
        assertEquals("ccc=;bb=a longer value;a=one;", backward.toString());
      }
    }
  }

  private static String entry(Cursor c, byte[] buf) {
    int k = c.keyInto(buf, 5);
    assertEquals(c.keyLength(), k);
    String key = new String(buf, 5, k, UTF_8);
    int v = c.valueInto(buf, 1);
    assertEquals(c.valueLength(), v);
    return key + "=" + new String(buf, 1, v, UTF_8);
  }

  @Test
  void aBufferTooSmallIsRefusedAndKeepsItsBytes() {
    try (Db db = Db.open(dir)) {
      db.put(b("key"), b("value"));
      try (Cursor c = db.cursor(ReadOptions.defaults())) {
        c.seekToFirst();
        byte[] buf = new byte[6];
        Arrays.fill(buf, (byte) 7);
        IndexOutOfBoundsException e =
            assertThrows(IndexOutOfBoundsException.class, () -> c.valueInto(buf, 2));
        assertTrue(e.getMessage().contains("value of 5 bytes")
            && e.getMessage().contains("array of 6 bytes from offset 2"), e.getMessage());
        assertArrayEquals(new byte[] {7, 7, 7, 7, 7, 7}, buf, "nothing copied");
        assertThrows(IndexOutOfBoundsException.class, () -> c.keyInto(buf, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> c.keyInto(buf, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> c.keyInto(buf, 7));
        assertThrows(NullPointerException.class, () -> c.keyInto(null, 0));
        assertEquals(3, c.keyInto(buf, 3), "exactly fits");
        assertEquals("key", new String(buf, 3, 3, UTF_8));
      }
    }
  }

  @Test
  void anInvalidOrClosedCursorRefuses() {
    try (Db db = Db.open(dir)) {
      Cursor c = db.cursor(ReadOptions.defaults());
      c.seekToFirst(); // empty store: not on an entry
      byte[] buf = new byte[8];
      assertThrows(IllegalStateException.class, () -> c.valueInto(buf, 0));
      assertThrows(IllegalStateException.class, c::keyLength);
      db.put(b("k"), b("v"));
      c.close();
      assertThrows(IllegalStateException.class, () -> c.keyInto(buf, 0));
      assertThrows(IllegalStateException.class, c::valueLength);
    }
  }
}

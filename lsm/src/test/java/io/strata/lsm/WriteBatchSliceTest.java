package io.strata.lsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WriteBatch#put(byte[], byte[], int, int)}: exactly the range is stored; bad ranges refused. */
class WriteBatchSliceTest {
  @TempDir Path dir;

  @Test
  void storesTheRangeAndRefusesRangesOutsideTheArray() {
    byte[] buf = {9, 1, 2, 3, 9, 9};
    WriteBatch b = new WriteBatch();
    b.put(new byte[] {'a'}, buf, 1, 3);
    b.put(new byte[] {'b'}, buf, 6, 0);
    b.put(new byte[] {'c'}, new byte[] {1, 2, 3});
    assertEquals(new WriteBatch().put(new byte[] {'a'}, new byte[] {1, 2, 3})
        .put(new byte[] {'b'}, new byte[0]).put(new byte[] {'c'}, new byte[] {1, 2, 3})
        .approximateSize(), b.approximateSize());
    try (Db db = Db.open(dir)) {
      db.write(b, WriteOptions.defaults());
      assertArrayEquals(new byte[] {1, 2, 3}, db.get(new byte[] {'a'}));
      assertArrayEquals(new byte[0], db.get(new byte[] {'b'}));
      assertArrayEquals(new byte[] {1, 2, 3}, db.get(new byte[] {'c'}));
    }
    WriteBatch c = new WriteBatch();
    assertThrows(IndexOutOfBoundsException.class, () -> c.put(new byte[] {'a'}, buf, 4, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> c.put(new byte[] {'a'}, buf, -1, 2));
    assertThrows(NullPointerException.class, () -> c.put(new byte[] {'a'}, null, 0, 0));
    assertEquals(0, c.count());
  }
}

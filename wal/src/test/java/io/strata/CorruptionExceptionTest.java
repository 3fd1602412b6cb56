package io.strata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CorruptionExceptionTest {

  @Test
  void damageInAFileNamesFileOffsetAndCheck() {
    Path file = Path.of("db", "000007.sst");
    IOException cause = new IOException("short read");
    CorruptionException e = new CorruptionException(file, 4096, "block checksum mismatch", cause);
    assertInstanceOf(StrataException.class, e);
    assertEquals(file, e.file());
    assertEquals(4096, e.offset());
    assertEquals("block checksum mismatch", e.problem());
    assertNull(e.subject());
    assertSame(cause, e.getCause());
    assertEquals(file + " at offset 4096: block checksum mismatch", e.getMessage());
  }

  @Test
  void damageFoundByKeyNamesStoreAndSubjectWithoutOffset() {
    Path store = Path.of("state");
    CorruptionException e =
        new CorruptionException(store, "trie node 0xab12", "stored bytes hash to 0xcd34");
    assertEquals(store, e.file());
    assertEquals(-1, e.offset());
    assertEquals("trie node 0xab12", e.subject());
    assertEquals("stored bytes hash to 0xcd34", e.problem());
    assertEquals(store + ": trie node 0xab12: stored bytes hash to 0xcd34", e.getMessage());
  }
}

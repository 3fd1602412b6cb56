package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.fs.FileSystem;
import io.strata.fs.ForwardingFileSystem;
import io.strata.fs.ReadableFile;
import io.strata.lsm.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that fails to open, with an exception or an Error, releases its Db and its lock. */
class OpenFailureTest {
  @TempDir Path dir;

  /**
   * The real file system, except that reading a table file from inside {@code StateStore}'s
   * constructor (after its Db opened) throws an {@link OutOfMemoryError}.
   */
  private static final class FailingReads extends ForwardingFileSystem {
    FailingReads() {
      super(FileSystem.real());
    }

    private static boolean insideStoreConstructor() {
      return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
          .walk(s -> s.anyMatch(f -> f.getDeclaringClass() == StateStore.class
              && f.getMethodName().equals("<init>")));
    }

    @Override
    public ReadableFile openForRead(Path file) throws IOException {
      if (file.getFileName().toString().endsWith(".sst") && insideStoreConstructor()) {
        throw new OutOfMemoryError("injected while the store opens");
      }
      return super.openForRead(file);
    }
  }

  @Test
  void anErrorWhileTheStoreReadsItsRecordsReleasesTheDirectory() {
    byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    byte[] value = "v".repeat(40).getBytes(StandardCharsets.UTF_8);
    Hash root;
    try (StateStore store = StateStore.open(dir)) {
      root = store.commit(1, store.emptyTrie().put(key, value));
      store.db().compactRange(null, null); // the records now live in a table file
    }
    StateOptions failing = StateOptions.builder()
        .dbOptions(Options.builder().fileSystem(new FailingReads()).build()).build();
    OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> StateStore.open(dir, failing));
    assertEquals("injected while the store opens", e.getMessage());
    // the failed open closed its Db: the directory's lock is free again
    try (StateStore store = StateStore.open(dir)) {
      assertEquals(root, store.rootAt(1).orElseThrow());
    }
  }
}

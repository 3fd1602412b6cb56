package io.strata.trie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.fs.FileLock;
import io.strata.fs.FileSystem;
import io.strata.fs.ReadableFile;
import io.strata.fs.WritableFile;
import io.strata.lsm.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that fails to open, with an exception or an Error, releases its Db and its lock. */
class OpenFailureTest {
  @TempDir Path dir;

  /**
   * The real file system, except that reading a table file from inside {@code StateStore}'s
   * constructor (after its Db opened) throws an {@link OutOfMemoryError}.
   */
  private static final class FailingReads implements FileSystem {
    private final FileSystem real = FileSystem.real();

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
      return real.openForRead(file);
    }

    @Override
    public WritableFile create(Path file) throws IOException {
      return real.create(file);
    }

    @Override
    public WritableFile createLog(Path file) throws IOException {
      return real.createLog(file);
    }

    @Override
    public WritableFile openForAppend(Path file) throws IOException {
      return real.openForAppend(file);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
      real.rename(source, target);
    }

    @Override
    public boolean delete(Path file) throws IOException {
      return real.delete(file);
    }

    @Override
    public List<String> list(Path d) throws IOException {
      return real.list(d);
    }

    @Override
    public void createDirectories(Path d) throws IOException {
      real.createDirectories(d);
    }

    @Override
    public boolean exists(Path path) throws IOException {
      return real.exists(path);
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
      real.syncDirectory(d);
    }

    @Override
    public FileLock lock(Path file) throws IOException {
      return real.lock(file);
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

package io.strata.wal;

import static io.strata.wal.LogFiles.DIR;
import static io.strata.wal.LogFiles.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.ForwardingFileSystem;
import io.strata.fs.MemFileSystem;
import io.strata.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} (or any unchecked exception) from the file under the log leaves the log in its
 * defined failed state, exactly as an {@link IOException} does: nothing more is appended, no
 * fsync is retried as if it could succeed, and a reopen replays what was written before.
 */
class ErrorsTest {

  /** A file system whose next append or sync, once armed, throws an error instead. */
  private static final class ErrorOnce extends ForwardingFileSystem {
    final MemFileSystem mem;
    volatile Supplier<? extends Throwable> onAppend;
    volatile Supplier<? extends Throwable> onSync;
    final AtomicInteger syncs = new AtomicInteger();

    private static void raise(Throwable t) throws IOException {
      if (t instanceof Error) {
        throw (Error) t;
      }
      if (t instanceof RuntimeException) {
        throw (RuntimeException) t;
      }
      throw (IOException) t;
    }

    ErrorOnce() {
      this(new MemFileSystem());
    }

    private ErrorOnce(MemFileSystem mem) {
      super(mem);
      this.mem = mem;
    }

    @Override
    protected WritableFile writable(Path file, WritableFile f) {
      return new WritableFile() {
        @Override
        public void append(ByteBuffer src) throws IOException {
          Supplier<? extends Throwable> e = onAppend;
          if (e != null) {
            onAppend = null;
            raise(e.get());
          }
          f.append(src);
        }

        @Override
        public void sync() throws IOException {
          syncs.incrementAndGet();
          Supplier<? extends Throwable> e = onSync;
          if (e != null) {
            onSync = null;
            raise(e.get());
          }
          f.sync();
        }

        @Override
        public void truncate(long size) throws IOException {
          f.truncate(size);
        }

        @Override
        public long size() {
          return f.size();
        }

        @Override
        public void close() throws IOException {
          f.close();
        }
      };
    }
  }

  @Test
  void anErrorInAnAppendStopsTheLogAndLosesNothingWrittenBefore() throws Exception {
    ErrorOnce fs = new ErrorOnce();
    List<byte[]> acknowledged = new ArrayList<>();
    Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> { });
    for (int i = 0; i < 5; i++) {
      byte[] r = record(i, 3000);
      wal.append(r, Durability.NONE);
      acknowledged.add(r);
    }
    fs.onAppend = () -> new OutOfMemoryError("Direct buffer memory");
    assertThrows(OutOfMemoryError.class, () -> wal.append(record(5, 3000), Durability.NONE),
        "the error itself reaches the caller");
    assertNotNull(wal.failure(), "the log knows it failed");
    IOException refused = assertThrows(IOException.class,
        () -> wal.append(record(6, 3000), Durability.NONE));
    assertTrue(refused.getMessage().contains("accepts no more records"), refused.getMessage());
    assertThrows(IOException.class, wal::sync);
    wal.close();
    List<byte[]> replayed = new ArrayList<>();
    try (Wal reopened = Wal.open(fs.mem, DIR, WalOptions.defaults(), (p, r) -> replayed.add(r))) {
      assertEquals(acknowledged.size(), replayed.size());
      assertEquals(0, reopened.recoveryReport().droppedBytes(), "the failed append wrote nothing");
      for (int i = 0; i < acknowledged.size(); i++) {
        assertArrayEquals(acknowledged.get(i), replayed.get(i));
      }
    }
  }

  @Test
  void anErrorInAnFsyncIsNeverRetriedAsIfItCouldSucceed() throws Exception {
    ErrorOnce fs = new ErrorOnce();
    Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> { });
    wal.append(record(0, 100), Durability.SYNC);
    fs.onSync = () -> new InternalError("a fault occurred in an unsafe memory access");
    assertThrows(InternalError.class, () -> wal.append(record(1, 100), Durability.SYNC));
    assertNotNull(wal.failure());
    int syncs = fs.syncs.get();
    assertThrows(IOException.class, wal::sync, "a later sync is refused, not run again");
    assertThrows(IOException.class, () -> wal.append(record(2, 100), Durability.SYNC));
    assertEquals(syncs, fs.syncs.get(), "no fsync attempted after one failed");
    wal.close();
  }

  @Test
  void aRuntimeExceptionInAnFsyncFailsTheLogToo() throws Exception {
    ErrorOnce fs = new ErrorOnce();
    Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> { });
    wal.append(record(0, 100), Durability.NONE);
    fs.onSync = () -> new IllegalStateException("mapping gone");
    assertThrows(IllegalStateException.class, wal::sync);
    int syncs = fs.syncs.get();
    assertThrows(IOException.class, wal::sync);
    assertEquals(syncs, fs.syncs.get());
    wal.close();
  }

  @Test
  void anErrorWhileRotatingFailsTheLog() throws Exception {
    ErrorOnce fs = new ErrorOnce();
    Wal wal = Wal.open(fs, DIR, WalOptions.defaults(), (p, r) -> { });
    wal.append(record(0, 100), Durability.NONE);
    fs.onSync = () -> new OutOfMemoryError("in the middle of a rotation");
    assertThrows(OutOfMemoryError.class, wal::rotate);
    assertNotNull(wal.failure());
    assertThrows(IOException.class, () -> wal.append(record(1, 100), Durability.NONE));
    wal.close();
  }
}

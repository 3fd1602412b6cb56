package io.strata.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapped log file: appends across many chunks with background write-back, and its failure. */
class MappedLogFileTest {
  @TempDir Path dir;

  private MappedLogFile open(Path path) throws IOException {
    return new MappedLogFile(FileChannel.open(path, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE), path);
  }

  private static final int SMALL_CHUNK = 64 * 1024;

  private MappedLogFile openSmall(Path path) throws IOException {
    return new MappedLogFile(FileChannel.open(path, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE), path, SMALL_CHUNK);
  }

  private static boolean containsSame(List<MappedByteBuffer> list, MappedByteBuffer b) {
    synchronized (list) {
      for (MappedByteBuffer x : list) {
        if (x == b) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A sync that runs while the appender is between mapping the next chunk and making it current
   * (here: inside that window, through the test hook) must not make a later sync skip the new
   * chunk: the record appended into it is forced before the later sync returns.
   */
  @Test
  void aSyncBetweenMappingAndPublishingAChunkDoesNotHideTheNewChunkFromTheNextSync()
      throws IOException {
    MappedLogFile f = openSmall(dir.resolve("race.log"));
    List<MappedByteBuffer> forced = Collections.synchronizedList(new ArrayList<>());
    f.forceHook(forced::add);
    f.append(ByteBuffer.wrap(new byte[SMALL_CHUNK])); // the first chunk is full now
    f.beforePublish(() -> {
      try {
        f.sync(); // a group-commit syncer running at the worst moment
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    f.append(ByteBuffer.wrap(new byte[] {1, 2, 3})); // a SYNC record, into the second chunk
    f.beforePublish(() -> { });
    MappedByteBuffer second = f.currentChunk();
    forced.clear();
    f.sync(); // the record's own sync
    assertTrue(containsSame(forced, second),
        "the sync after the record was written forced only " + forced.size()
            + " other chunk(s), not the one holding the record");
    f.close();
  }

  /**
   * Full chunks are forced in the background and then struck off the list a sync forces. Full
   * buffers compare equal (no bytes remain in either), so striking one off by equality would
   * drop another full chunk not forced yet, and the next sync would skip it.
   */
  @Test
  void aBackgroundForceStrikesOffItsOwnChunkOnly() throws Exception {
    MappedLogFile f = openSmall(dir.resolve("writeback.log"));
    List<MappedByteBuffer> forced = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstArrived = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch secondArrived = new CountDownLatch(1);
    CountDownLatch releaseSecond = new CountDownLatch(1);
    int[] backgroundCalls = {0};
    f.forceHook(b -> {
      if (Thread.currentThread().getName().equals("strata-log-writeback")) {
        int call = backgroundCalls[0]++;
        try {
          if (call == 0) {
            firstArrived.countDown();
            releaseFirst.await();
          } else if (call == 1) {
            secondArrived.countDown();
            releaseSecond.await();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else {
        forced.add(b);
      }
    });
    try {
      f.append(ByteBuffer.wrap(new byte[SMALL_CHUNK]));
      f.append(ByteBuffer.wrap(new byte[] {1})); // chunk 0 full: its background force starts
      assertTrue(firstArrived.await(10, TimeUnit.SECONDS));
      f.sync(); // forces chunks 0 and 1 itself
      MappedByteBuffer chunk1 = f.currentChunk();
      f.append(ByteBuffer.wrap(new byte[SMALL_CHUNK - 1]));
      f.append(ByteBuffer.wrap(new byte[] {2})); // chunk 1 full, with bytes no sync forced yet
      releaseFirst.countDown(); // chunk 0's background force ends and strikes chunk 0 off
      assertTrue(secondArrived.await(10, TimeUnit.SECONDS)); // chunk 1's is held before forcing
      forced.clear();
      f.sync();
      assertTrue(containsSame(forced, chunk1),
          "chunk 1 holds appends no force covered yet, but the sync skipped it");
    } finally {
      releaseFirst.countDown();
      releaseSecond.countDown();
    }
    f.close();
  }

  /** A force that fails with an Error is not retried as if it could succeed. */
  @Test
  void aSyncWhoseForceFailsWithAnErrorFailsEveryLaterSync() throws IOException {
    MappedLogFile f = openSmall(dir.resolve("error.log"));
    f.append(ByteBuffer.wrap(new byte[100]));
    boolean[] failed = {false};
    f.forceHook(b -> {
      if (!failed[0]) {
        failed[0] = true;
        throw new InternalError("a fault occurred in an unsafe memory access");
      }
    });
    assertThrows(IOException.class, f::sync);
    IOException again = assertThrows(IOException.class, f::sync, "not retried as if it worked");
    assertTrue(again.getMessage().contains("unsafe memory access"), again.getMessage());
    assertThrows(IOException.class, f::close);
  }

  @Test
  void appendsAcrossChunksReadBackExactlyAfterClose() throws IOException {
    Path path = dir.resolve("a.log");
    byte[] data = new byte[3 * MappedLogFile.CHUNK + 12345];
    new Random(7).nextBytes(data);
    MappedLogFile f = open(path);
    for (int off = 0; off < data.length; off += 70_001) {
      f.append(ByteBuffer.wrap(data, off, Math.min(70_001, data.length - off)));
    }
    f.sync();
    f.close();
    assertArrayEquals(data, Files.readAllBytes(path), "cut to the bytes appended, all of them");
  }

  @Test
  void aFailedBackgroundForceFailsEveryLaterSyncAndTheClose() throws IOException {
    Path path = dir.resolve("b.log");
    MappedLogFile f = open(path);
    f.append(ByteBuffer.wrap(new byte[100]));
    f.sync();
    f.writebackFailed(new UncheckedIOException(new IOException("Input/output error")));
    IOException first = assertThrows(IOException.class, f::sync);
    assertTrue(first.getMessage().contains("background write-back of " + path), first.getMessage());
    assertThrows(IOException.class, f::sync, "not retried as if it had worked");
    IOException onClose = assertThrows(IOException.class, f::close);
    assertTrue(onClose.getMessage().contains("Input/output error"), onClose.getMessage());
    assertEquals(100, f.size());
  }

  /**
   * Touches that run late (each waits before it touches its chunk, so the appender has written
   * there meanwhile) never change an appended byte: the appender does not wait for them, and each
   * touch keeps the value of the word it touches. A touch that writes a zero loses bytes here.
   */
  @Test
  void lateTouchesNeverChangeAppendedBytes() throws Exception {
    Path path = dir.resolve("late.log");
    MappedLogFile f = openSmall(path);
    f.prepareHook(start -> {
      if (start > 0) {
        sleep(30);
      }
    });
    byte[] data = new byte[5 * SMALL_CHUNK + 999];
    new Random(11).nextBytes(data);
    for (int off = 0; off < data.length; off += 9_001) {
      f.append(ByteBuffer.wrap(data, off, Math.min(9_001, data.length - off)));
    }
    f.sync();
    f.close();
    assertArrayEquals(data, Files.readAllBytes(path));
  }

  /** A close while the next chunk is still being prepared waits for it, then cuts the file. */
  @Test
  void aCloseDuringAPreparationWaitsForItThenCutsTheFile() throws Exception {
    Path path = dir.resolve("closing.log");
    MappedLogFile f = openSmall(path);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    f.prepareHook(start -> {
      if (start > 0) {
        try {
          release.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    byte[] data = new byte[SMALL_CHUNK + 10];
    new Random(12).nextBytes(data);
    f.append(ByteBuffer.wrap(data)); // into the second chunk: the third is being prepared
    java.util.concurrent.CompletableFuture<Void> closing =
        java.util.concurrent.CompletableFuture.runAsync(() -> {
          try {
            f.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    for (int i = 0; i < 20 && !closing.isDone(); i++) {
      Thread.sleep(50);
    }
    assertFalse(closing.isDone(), "the close returned while the preparation could still touch"
        + " the file past its new end");
    release.countDown();
    closing.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertArrayEquals(data, Files.readAllBytes(path));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

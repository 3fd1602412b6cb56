package io.strata.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapped log file: appends across many chunks with background write-back, and its failure. */
class MappedLogFileTest {
  @TempDir Path dir;

  private MappedLogFile open(Path path) throws IOException {
    return new MappedLogFile(FileChannel.open(path, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE), path);
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
}

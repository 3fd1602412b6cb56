package io.strata.lsm;

import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.version.FileMetadata;
import io.strata.lsm.internal.version.VersionEdit;
import io.strata.lsm.internal.version.VersionSet;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.fs.FaultInjectingFileSystem;
import io.strata.fs.FaultInjectingFileSystem.Fault;
import io.strata.fs.FaultInjectingFileSystem.Op;
import io.strata.fs.MemFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A rollover that fails part-way may have switched {@code CURRENT} to the new manifest or not;
 * either way the old manifest takes no more edits, and the next edit writes another new manifest
 * that {@code CURRENT} names. What is recovered from disk is then what is in memory.
 */
class VersionSetRolloverTest {
  private static final Path DIR = Path.of("/db");

  private static FileMetadata table(long number) {
    byte[] k = InternalKeys.encode(("key" + number).getBytes(UTF_8), number, InternalKeys.KIND_PUT);
    return new FileMetadata(number, 1000, k, k, number, number, 1);
  }

  private static VersionSet open(FaultInjectingFileSystem fs) throws IOException {
    fs.createDirectories(DIR);
    VersionSet vs = new VersionSet(fs, DIR, v -> { }, 1024);
    VersionEdit first = new VersionEdit();
    first.logNumber = 1L;
    first.lastSequence = 0L;
    vs.writeNewManifest(first);
    return vs;
  }

  /** Adds tables until the next edit is due to roll the manifest over. */
  private static void growUntilRolloverDue(VersionSet vs) throws IOException {
    long manifest = vs.manifestNumber();
    for (int i = 0; i < 1000; i++) {
      long before = vs.manifestNumber();
      vs.logAndApply(new VersionEdit().addFile(0, table(vs.newFileNumber())));
      if (vs.manifestNumber() != before) {
        manifest = vs.manifestNumber(); // rolled over: now grow the new one
        continue;
      }
      if (vs.rollOverDueForTest()) {
        return;
      }
    }
    throw new AssertionError("manifest " + manifest + " never grew");
  }

  private static void assertRecoveredEqualsMemory(MemFileSystem mem, VersionSet vs)
      throws IOException {
    VersionSet recovered = new VersionSet(mem, DIR, v -> { });
    recovered.recover();
    Set<Long> onDisk = recovered.current().fileNumbers();
    assertEquals(vs.current().fileNumbers(), onDisk, "the manifest CURRENT names");
    assertEquals(vs.manifestNumber(), recovered.manifestNumber());
  }

  @Test
  void afterARolloverFailsAtAnyStepTheNextEditStartsANewManifestThatCurrentNames()
      throws IOException {
    for (Op op : new Op[] {Op.CREATE, Op.APPEND, Op.SYNC, Op.RENAME, Op.SYNC_DIRECTORY}) {
      for (int n = 1; n <= 2; n++) {
        MemFileSystem mem = new MemFileSystem();
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
        VersionSet vs = open(fs);
        growUntilRolloverDue(vs);
        long before = vs.manifestNumber();
        Set<Long> installed = vs.current().fileNumbers();
        fs.failNth(op, n, Fault.IO_ERROR);
        String where = op + " #" + n;
        long failed = vs.newFileNumber();
        try {
          vs.logAndApply(new VersionEdit().addFile(0, table(failed)));
        } catch (IOException expected) {
          assertEquals(installed, vs.current().fileNumbers(), where + ": nothing installed");
        }
        fs.clearFaults();
        if (!vs.current().fileNumbers().contains(failed)) {
          // the rollover failed: the next edit must not go to the old manifest
          long next = vs.newFileNumber();
          vs.logAndApply(new VersionEdit().addFile(0, table(next)));
          assertTrue(vs.manifestNumber() > before, where + ": still manifest " + before);
          assertTrue(vs.current().fileNumbers().contains(next), where);
        }
        assertRecoveredEqualsMemory(mem, vs);
        vs.close();
      }
    }
  }

  @Test
  void aRolloverKeepsEveryCounterAndPointer() throws IOException {
    MemFileSystem mem = new MemFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(mem);
    VersionSet vs = open(fs);
    VersionEdit e = new VersionEdit();
    e.logNumber = 7L;
    e.lastSequence = 12345L;
    byte[] pointer = InternalKeys.encode("p".getBytes(UTF_8), 5, InternalKeys.KIND_PUT);
    e.compactPointers.put(2, pointer);
    vs.logAndApply(e);
    long manifest = vs.manifestNumber();
    growUntilRolloverDue(vs);
    vs.logAndApply(new VersionEdit().addFile(1, table(vs.newFileNumber())));
    assertTrue(vs.manifestNumber() > manifest, "rolled over");
    VersionSet recovered = new VersionSet(mem, DIR, v -> { });
    recovered.recover();
    assertEquals(7L, recovered.logNumber());
    assertEquals(12345L, recovered.lastSequence());
    assertEquals(java.util.Arrays.toString(pointer),
        java.util.Arrays.toString(recovered.compactPointer(2)));
    assertEquals(vs.current().fileNumbers(), recovered.current().fileNumbers());
    assertTrue(recovered.newFileNumber() >= vs.newFileNumber() - 1, "file numbers never reused");
    vs.close();
  }
}

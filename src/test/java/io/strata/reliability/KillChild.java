package io.strata.reliability;

import io.strata.lsm.Db;
import io.strata.lsm.Options;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link KillCampaignTest}: opens the store at {@code args[0]} and runs the
 * campaign workload ({@link Ops} with seed {@code args[1]}) from operation {@code args[2]} on,
 * until it is killed. It writes {@code OPEN} and then {@code ACK <i>}, once operation {@code i}
 * has returned, to the file {@code args[3]}: one write call each, so a line is in the operating
 * system, and survives the kill, before the next operation starts. (Standard output is no good
 * for this: lines the child wrote just before a kill were seen to go missing from the pipe.)
 */
public final class KillChild {
  private KillChild() {}

  /** Tiny buffers and tables, so flushes and compactions run all the time. */
  static Options options() {
    return Options.builder().writeBufferSize(64 * 1024).blockSize(1024)
        .targetFileSize(64 * 1024).maxBytesForLevelBase(256 * 1024).levelSizeMultiplier(4)
        .build();
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    long first = Long.parseLong(args[2]);
    try (Db db = Db.open(dir, options());
        FileOutputStream acks = new FileOutputStream(args[3])) {
      Workload w = new Workload(db, seed);
      acks.write("OPEN\n".getBytes(StandardCharsets.US_ASCII));
      for (long i = first; ; i++) {
        w.apply(Ops.at(seed, i));
        acks.write(("ACK " + i + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
  }
}

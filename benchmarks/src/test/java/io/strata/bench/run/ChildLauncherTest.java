package io.strata.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What the runner's shutdown hook relies on: after {@link ChildLauncher#stop} the child that was
 * running is dead and a loop that starts one child after another (as {@code Runner}'s does) gets
 * {@link ChildLauncher.Stopped} instead of a new, orphaned child.
 */
class ChildLauncherTest {
  /** A child JVM that sleeps for a minute (killed long before). */
  public static final class SleepingChild {
    public static void main(String[] args) throws InterruptedException {
      Thread.sleep(60_000);
    }
  }

  private static ProcessBuilder sleeper() throws Exception {
    Path classes = Path.of(SleepingChild.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx32m", "-cp", classes.toString(), SleepingChild.class.getName());
  }

  @Test
  void stopKillsTheRunningChildAndStartsNoOther() throws Exception {
    ChildLauncher launcher = new ChildLauncher();
    List<Process> started = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch first = new CountDownLatch(1);
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Thread loop = new Thread(() -> {
      try {
        while (true) { // one child after another, no check of its own
          Process p = launcher.start(sleeper());
          started.add(p);
          first.countDown();
          p.waitFor();
        }
      } catch (Throwable e) {
        ended.set(e);
      }
    });
    loop.start();
    try {
      assertTrue(first.await(30, TimeUnit.SECONDS), "the first child started");
      launcher.stop();
      assertFalse(started.get(0).isAlive(), "stop returns once the running child is dead");
      loop.join(30_000);
      assertFalse(loop.isAlive(), "the loop ended");
      assertInstanceOf(ChildLauncher.Stopped.class, ended.get());
      assertEquals(1, started.size(), "no child started after the stop");
    } finally {
      synchronized (started) {
        started.forEach(Process::destroyForcibly);
      }
      loop.interrupt();
      loop.join(30_000);
      synchronized (started) { // whatever a broken launcher started after the first cleanup
        started.forEach(Process::destroyForcibly);
      }
    }
  }

  @Test
  void aStoppedLauncherStartsNothing() {
    ChildLauncher launcher = new ChildLauncher();
    launcher.stop();
    assertTrue(launcher.stopped());
    assertThrows(ChildLauncher.Stopped.class, () -> launcher.start(sleeper()).destroyForcibly());
  }
}

package io.strata.lsm;

import static io.strata.lsm.WriteStall.Action.DELAY;
import static io.strata.lsm.WriteStall.Action.PROCEED;
import static io.strata.lsm.WriteStall.Action.SWITCH;
import static io.strata.lsm.WriteStall.Action.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The back-pressure rules alone: slowdown at 20 level-0 tables, stop at 36, 64 KiB buffers. */
class WriteStallTest {
  private final WriteStall stall = new WriteStall(20, 36, 64 << 10);

  @Test
  void aWriteWithRoomProceedsUntilLevel0ReachesTheSlowdownTrigger() {
    assertEquals(PROCEED, stall.next(false, false, 0, 100, false, false));
    assertEquals(PROCEED, stall.next(false, false, 19, 100, false, true));
    assertEquals(DELAY, stall.next(false, false, 20, 100, false, false));
    // delayed once per write, then it goes on
    assertEquals(PROCEED, stall.next(false, true, 20, 100, false, false));
  }

  @Test
  void aFullMemtableIsSwitchedUnlessAFlushIsPendingOrLevel0IsAtTheStopTrigger() {
    long full = 64 << 10;
    assertEquals(SWITCH, stall.next(false, false, 3, full, false, false));
    assertEquals(WAIT, stall.next(false, false, 3, full, false, true));
    assertEquals(WAIT, stall.next(false, true, 36, full, false, false));
    assertEquals(SWITCH, stall.next(false, true, 35, full, false, false));
  }

  @Test
  void aFlushRequestSwitchesANonEmptyMemtableAndIsNeverDelayed() {
    assertEquals(SWITCH, stall.next(true, false, 25, 10, false, false));
    assertEquals(PROCEED, stall.next(true, false, 25, 0, true, false));
    assertEquals(WAIT, stall.next(true, false, 0, 10, false, true));
  }
}

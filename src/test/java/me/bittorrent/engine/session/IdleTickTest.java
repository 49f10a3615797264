package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Idle sessions tick on shared instants of the monotonic clock, so one wake-up serves all of them. */
class IdleTickTest {

    @Test
    void idleTicksFallOnMultiplesOfThePeriodAtLeastHalfAPeriodAway() {
        long period = TorrentSession.IDLE_TICK_MILLIS;
        for (long millis : new long[] {0, 1, 2499, 2500, 2501, 4999, 5000, 123_456_789, -7}) {
            long delay = TorrentSession.idleTickDelay(millis * 1_000_000L + 123);
            assertEquals(0, Math.floorMod(millis + delay, period), "at " + millis + " ms: " + delay);
            assertTrue(delay >= period / 2 && delay <= period + period / 2, "at " + millis + " ms: " + delay);
        }
    }
}

package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    final AtomicLong now = new AtomicLong(0);

    void advanceMillis(long ms) {
        now.addAndGet(ms * 1_000_000L);
    }

    @Test
    void unlimitedAlwaysGrants() {
        RateLimiter limiter = new RateLimiter(0, null, now::get);
        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.tryAcquire(1 << 20));
        }
        assertEquals(Long.MAX_VALUE, limiter.available());
    }

    @Test
    void grantsAtMostTheRateOverTime() {
        RateLimiter limiter = new RateLimiter(100_000, null, now::get);
        long granted = 0;
        for (int ms = 0; ms < 10_000; ms += 10) {
            while (limiter.tryAcquire(16384)) {
                granted += 16384;
            }
            advanceMillis(10);
        }
        // 10 s at 100 kB/s, starting empty; one block of deficit allowed
        assertTrue(granted <= 1_000_000 + 16384, "granted " + granted);
        assertTrue(granted >= 1_000_000 - 16384, "granted " + granted);
    }

    @Test
    void limitBelowOneBlockStillProgresses() {
        RateLimiter limiter = new RateLimiter(1000, null, now::get);
        advanceMillis(100);
        assertTrue(limiter.tryAcquire(16384));
        assertFalse(limiter.tryAcquire(16384));
        advanceMillis(16_000);
        assertFalse(limiter.tryAcquire(16384), "still paying back the deficit");
        advanceMillis(1_000);
        assertTrue(limiter.tryAcquire(16384));
    }

    @Test
    void parentLimitsChildren() {
        RateLimiter global = new RateLimiter(50_000, null, now::get);
        RateLimiter a = new RateLimiter(0, global, now::get);
        RateLimiter b = new RateLimiter(1_000_000, global, now::get);
        assertFalse(a.tryAcquire(1), "nothing earned yet");
        assertFalse(b.tryAcquire(1));
        advanceMillis(500); // both asked within the last second: 12 500 each
        assertTrue(a.tryAcquire(10_000));
        assertTrue(b.tryAcquire(10_000));
        assertTrue(a.tryAcquire(10_000), "2 500 left of a's share (a grant may overdraw by one request)");
        assertFalse(a.tryAcquire(1), "a's share of the global bucket is spent");
        global.setRate(0);
        assertTrue(a.tryAcquire(1 << 20));
    }

    /** Two children that both always want more get equal parts, whichever asks first each round. */
    @Test
    void parentSharesFairly() {
        RateLimiter global = new RateLimiter(100_000, null, now::get);
        RateLimiter a = new RateLimiter(0, global, now::get);
        RateLimiter b = new RateLimiter(0, global, now::get);
        long gotA = 0;
        long gotB = 0;
        for (int ms = 0; ms < 20_000; ms += 10) {
            while (a.tryAcquire(4096)) { // a always asks first and greedily
                gotA += 4096;
            }
            while (b.tryAcquire(4096)) {
                gotB += 4096;
            }
            advanceMillis(10);
        }
        long total = gotA + gotB;
        assertTrue(total <= 2_000_000 + 2 * 16384 + 100_000, "total " + total);
        assertTrue(total >= 1_900_000, "total " + total);
        assertTrue(Math.abs(gotA - gotB) <= 0.05 * total, "a " + gotA + " b " + gotB);
    }

    /** What a child with its own lower limit cannot use goes to the other child. */
    @Test
    void unusedShareGoesToTheOthers() {
        RateLimiter global = new RateLimiter(100_000, null, now::get);
        RateLimiter slow = new RateLimiter(20_000, global, now::get);
        RateLimiter fast = new RateLimiter(0, global, now::get);
        long gotSlow = 0;
        long gotFast = 0;
        for (int ms = 0; ms < 20_000; ms += 10) {
            while (slow.tryAcquire(1000)) {
                gotSlow += 1000;
            }
            while (fast.tryAcquire(1000)) {
                gotFast += 1000;
            }
            advanceMillis(10);
        }
        assertTrue(Math.abs(gotSlow - 400_000) <= 30_000, "slow " + gotSlow);
        assertTrue(Math.abs(gotFast - 1_600_000) <= 100_000, "fast " + gotFast);
    }

    /** A child that stops asking stops getting a share; a closed one leaves the parent. */
    @Test
    void idleAndClosedChildrenGetNothing() {
        RateLimiter global = new RateLimiter(100_000, null, now::get);
        RateLimiter a = new RateLimiter(0, global, now::get);
        RateLimiter b = new RateLimiter(0, global, now::get);
        a.available();
        b.available();
        advanceMillis(2000);
        long gotA = 0;
        for (int ms = 0; ms < 5_000; ms += 10) {
            while (a.tryAcquire(1000)) {
                gotA += 1000;
            }
            advanceMillis(10);
        }
        assertTrue(gotA >= 450_000, "a alone gets the whole rate, got " + gotA);
        b.close();
        a.close();
        assertEquals(0, b.share() > 50_000 ? 1 : 0, "b's share stays within its part: " + b.share());
    }

    @Test
    void rateSetFromAnotherThreadAppliesAtNextUse() throws Exception {
        RateLimiter limiter = new RateLimiter(10_000, null, now::get);
        Thread t = new Thread(() -> limiter.setRate(2_000));
        t.start();
        t.join();
        advanceMillis(5000);
        assertEquals(2_000, limiter.available());
    }

    @Test
    void burstIsCappedAtOneSecond() {
        RateLimiter limiter = new RateLimiter(10_000, null, now::get);
        advanceMillis(60_000);
        assertEquals(10_000, limiter.available());
    }

    @Test
    void rateChangesLive() {
        RateLimiter limiter = new RateLimiter(10_000, null, now::get);
        advanceMillis(1000);
        limiter.setRate(1_000);
        assertEquals(1_000, limiter.available());
        limiter.setRate(0);
        assertTrue(limiter.tryAcquire(1 << 30));
    }
}

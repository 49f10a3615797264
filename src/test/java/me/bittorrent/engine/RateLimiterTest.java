package me.bittorrent.engine;

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
        advanceMillis(1000);
        assertTrue(a.tryAcquire(30_000));
        assertTrue(b.tryAcquire(30_000));
        assertFalse(a.tryAcquire(1), "global bucket exhausted");
        assertFalse(b.tryAcquire(1));
        global.setRate(0);
        assertTrue(a.tryAcquire(1 << 20));
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

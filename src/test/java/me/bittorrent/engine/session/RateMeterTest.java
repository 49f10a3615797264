package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RateMeterTest {

    @Test
    void averagesOverTheWindow() {
        RateMeter meter = new RateMeter(5);
        long t = 1_000_000;
        for (int s = 0; s < 5; s++) {
            meter.add(1000, t + s * 1000L);
        }
        assertEquals(1000, meter.rate(t + 4999));
        assertEquals(800, meter.rate(t + 5000), "the oldest second left the window");
        assertEquals(0, meter.rate(t + 60_000));
        assertEquals(5000, meter.total());
    }

    @Test
    void burstWithinOneSecond() {
        RateMeter meter = new RateMeter(5);
        meter.add(10_000, 500);
        meter.add(15_000, 900);
        assertEquals(5_000, meter.rate(999));
        assertEquals(5_000, meter.rate(4_999));
        assertEquals(0, meter.rate(5_000));
    }
}

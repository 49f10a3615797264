package me.bittorrent.engine.session;

/**
 * Transfer speed over a rolling window of one-second buckets (5 s by default). Times are passed in (millis)
 * so the meter is pure and testable. Not thread-safe: engine context only.
 */
public final class RateMeter {

    private final long[] buckets;
    private long currentSecond = Long.MIN_VALUE;
    private long total;

    public RateMeter() {
        this(5);
    }

    public RateMeter(int windowSeconds) {
        this.buckets = new long[windowSeconds];
    }

    public void add(long bytes, long nowMillis) {
        advance(nowMillis);
        buckets[(int) Math.floorMod(currentSecond, (long) buckets.length)] += bytes;
        total += bytes;
    }

    /** Bytes per second averaged over the window (the current partial second counts as a whole one). */
    public long rate(long nowMillis) {
        advance(nowMillis);
        long sum = 0;
        for (long b : buckets) {
            sum += b;
        }
        return sum / buckets.length;
    }

    public long total() {
        return total;
    }

    private void advance(long nowMillis) {
        long second = Math.floorDiv(nowMillis, 1000);
        if (currentSecond == Long.MIN_VALUE || second - currentSecond >= buckets.length) {
            java.util.Arrays.fill(buckets, 0);
        } else {
            for (long s = currentSecond + 1; s <= second; s++) {
                buckets[(int) Math.floorMod(s, (long) buckets.length)] = 0;
            }
        }
        if (second > currentSecond || currentSecond == Long.MIN_VALUE) {
            currentSecond = second;
        }
    }
}

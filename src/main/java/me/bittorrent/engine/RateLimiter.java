package me.bittorrent.engine;

import java.util.function.LongSupplier;

/**
 * A token bucket in bytes per second (0 = unlimited) with an optional parent, so a per-torrent limiter can
 * share a global one. The session asks before it REQUESTS a block (download) or SENDS a block (upload): a
 * limit is backpressure, data is never received and then dropped.
 *
 * <p>Tokens are refilled from a clock when asked (and the session re-tries blocked work on a short timer).
 * A grant may drive the bucket negative by up to one block, so a limit below 16 KiB/s still works and the
 * long-run average stays on the limit. The bucket holds at most one second of tokens (the burst).
 * Not thread-safe: used on the engine context only.
 */
public final class RateLimiter {

    private final RateLimiter parent;
    private final LongSupplier nanoClock;
    private long bytesPerSecond;
    private double tokens;
    private long lastRefillNanos;

    public RateLimiter(long bytesPerSecond, RateLimiter parent, LongSupplier nanoClock) {
        this.parent = parent;
        this.nanoClock = nanoClock;
        this.lastRefillNanos = nanoClock.getAsLong();
        setRate(bytesPerSecond);
    }

    public RateLimiter(long bytesPerSecond, RateLimiter parent) {
        this(bytesPerSecond, parent, System::nanoTime);
    }

    public static RateLimiter unlimited() {
        return new RateLimiter(0, null);
    }

    public long rate() {
        return bytesPerSecond;
    }

    /** Changes the limit live; 0 (or less) removes it. */
    public void setRate(long newBytesPerSecond) {
        refill();
        bytesPerSecond = Math.max(0, newBytesPerSecond);
        if (bytesPerSecond > 0) {
            tokens = Math.min(tokens, bytesPerSecond);
        }
    }

    /** True when this limiter and every parent would grant a request now. */
    public boolean canAcquire() {
        refill();
        if (bytesPerSecond > 0 && tokens <= 0) {
            return false;
        }
        return parent == null || parent.canAcquire();
    }

    /** Takes {@code bytes} from this bucket and its parents if all have tokens left; false (nothing taken) if not. */
    public boolean tryAcquire(int bytes) {
        if (!canAcquire()) {
            return false;
        }
        take(bytes);
        return true;
    }

    /** Takes {@code bytes} unconditionally (the caller checked {@link #available()} first). */
    public void consume(int bytes) {
        refill();
        take(bytes);
    }

    private void take(int bytes) {
        if (bytesPerSecond > 0) {
            tokens -= bytes;
        }
        if (parent != null) {
            parent.take(bytes);
        }
    }

    /** Gives back tokens taken for bytes that were not transferred after all (e.g. a cancelled request). */
    public void giveBack(int bytes) {
        if (bytesPerSecond > 0) {
            tokens = Math.min(bytesPerSecond, tokens + bytes);
        }
        if (parent != null) {
            parent.giveBack(bytes);
        }
    }

    /** Tokens available now (Long.MAX_VALUE when neither this nor a parent limits). */
    public long available() {
        refill();
        long own = bytesPerSecond > 0 ? (long) Math.floor(tokens) : Long.MAX_VALUE;
        return parent == null ? own : Math.min(own, parent.available());
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefillNanos;
        lastRefillNanos = now;
        if (bytesPerSecond > 0 && elapsed > 0) {
            tokens = Math.min(bytesPerSecond, tokens + bytesPerSecond * (elapsed / 1e9));
        }
    }
}

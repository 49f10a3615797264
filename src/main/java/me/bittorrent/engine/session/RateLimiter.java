package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket in bytes per second (0 = unlimited) with an optional parent, so a per-torrent limiter can
 * share a global one. The session asks before it REQUESTS a block (download) or SENDS a block (upload): a
 * limit is backpressure, data is never received and then dropped.
 *
 * <p>Tokens are refilled from a clock when asked (and the session re-tries blocked work on a short timer).
 * A grant may drive the bucket negative by up to one block, so a limit below 16 KiB/s still works and the
 * long-run average stays on the limit. The bucket holds at most one second of tokens (the burst).
 *
 * <p>Fair sharing: a limited parent does not hand out a common pool first come, first served (the torrent whose
 * timer fires first would win). It splits what it earns among its <em>active</em> children (those that asked for
 * bandwidth within the last second) in equal parts; a child holds at most one second of its equal part, and
 * what a full child cannot take goes to the others (max-min fairness, as libtorrent's bandwidth manager aims
 * for). A child draws only from its own share, so one torrent cannot starve another.
 *
 * <p>Threading: {@link #setRate} may be called from any thread (the rate is volatile and taken up at the next
 * refill). A child (one torrent's limiter) is used from its torrent's context only, but a global parent is shared
 * by torrents on several event loops, so everything a parent and its children exchange is lock-free: each stretch
 * of time is claimed by one caller with a compare-and-set on the last refill time (no token is earned twice), the
 * parent's bank and each child's share are atomic doubles, and demand times are volatile.
 */
public final class RateLimiter {

    /** A child that has not asked for this long gets no share (its torrent is idle, paused or choked). */
    static final long ACTIVE_NANOS = 1_000_000_000L;
    private static final int BLOCK = 16 * 1024;

    private final RateLimiter parent;
    /** Children join from whichever thread builds a session, so the list is copy-on-write. */
    private final List<RateLimiter> children = new CopyOnWriteArrayList<>();
    private final LongSupplier nanoClock;
    private volatile long bytesPerSecond;
    private volatile long appliedRate;
    private final AtomicDouble tokens = new AtomicDouble();
    private final AtomicLong lastRefillNanos;
    /** As a child of a limited parent: what the parent handed to this child and it has not used yet. */
    private final AtomicDouble share = new AtomicDouble();
    private volatile long lastDemandNanos;
    private volatile boolean everAsked;
    private boolean closed;

    public RateLimiter(long bytesPerSecond, RateLimiter parent, LongSupplier nanoClock) {
        this.parent = parent;
        this.nanoClock = nanoClock;
        this.lastRefillNanos = new AtomicLong(nanoClock.getAsLong());
        this.bytesPerSecond = Math.max(0, bytesPerSecond);
        this.appliedRate = this.bytesPerSecond;
        if (parent != null) {
            parent.children.add(this);
        }
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

    /** Changes the limit live (from any thread; it applies at the next use); 0 (or less) removes it. */
    public void setRate(long newBytesPerSecond) {
        bytesPerSecond = Math.max(0, newBytesPerSecond);
    }

    /** Leaves the parent: a stopped torrent no longer takes part in the sharing. Owner's context only. */
    public void close() {
        if (!closed && parent != null) {
            parent.children.remove(this);
        }
        closed = true;
    }

    /** True when this limiter and every parent would grant a request now. */
    public boolean canAcquire() {
        return available() > 0;
    }

    /** Takes {@code bytes} from this bucket and its parents if all have tokens left; false (nothing taken) if not. */
    public boolean tryAcquire(int bytes) {
        if (!canAcquire()) {
            return false;
        }
        take(bytes);
        return true;
    }

    /**
     * Takes {@code bytes} unconditionally (the caller checked {@link #available()} first, which refilled: no
     * clock read here, this runs once per requested block).
     */
    public void consume(int bytes) {
        take(bytes);
    }

    private void take(int bytes) {
        if (appliedRate > 0) {
            tokens.add(-bytes);
        }
        if (parent != null && parent.appliedRate > 0) {
            share.add(-bytes);
        }
    }

    /** Gives back tokens taken for bytes that were not transferred after all (e.g. a cancelled request). */
    public void giveBack(int bytes) {
        long rate = appliedRate;
        if (rate > 0) {
            tokens.addCapped(bytes, rate);
        }
        if (parent != null && parent.appliedRate > 0) {
            share.add(bytes); // the next distribution caps it
        }
    }

    /**
     * Tokens available now (Long.MAX_VALUE when neither this nor a parent limits). Asking counts as demand: a
     * child that asks takes part in its parent's sharing for the next second.
     */
    public long available() {
        if (noLimit() && (parent == null || parent.noLimit())) {
            return Long.MAX_VALUE; // no clock read, nothing shared: the common case costs two volatile reads
        }
        long now = nanoClock.getAsLong();
        refill(now);
        long own = appliedRate > 0 ? (long) Math.floor(tokens.get()) : Long.MAX_VALUE;
        if (parent == null) {
            return own;
        }
        lastDemandNanos = now;
        everAsked = true;
        parent.refill(now);
        if (parent.appliedRate <= 0) {
            return own;
        }
        return Math.min(own, (long) Math.floor(share.get()));
    }

    private boolean noLimit() {
        return bytesPerSecond == 0 && appliedRate == 0;
    }

    /** This child's unused share of its parent (tests and diagnostics). */
    public long share() {
        return (long) Math.floor(share.get());
    }

    private void refill(long now) {
        long rate = bytesPerSecond;
        if (rate != appliedRate) {
            boolean wasUnlimited = appliedRate <= 0;
            appliedRate = rate; // two threads may both do this: what follows is idempotent
            if (rate > 0) {
                tokens.atMost(rate);
                if (wasUnlimited) {
                    lastRefillNanos.set(now); // earned from now on, not for the time it was unlimited
                    return;
                }
            }
        }
        long last = lastRefillNanos.get();
        long elapsed = now - last;
        // one caller claims the stretch [last, now]: tokens are earned once whatever the number of event loops
        if (elapsed <= 0 || !lastRefillNanos.compareAndSet(last, now) || rate <= 0) {
            return;
        }
        double fresh = rate * (elapsed / 1e9);
        if (children.isEmpty()) {
            tokens.addCapped(fresh, rate);
        } else {
            distribute(now, rate, fresh);
        }
    }

    /** Water-filling: equal parts for the active children, what a full child cannot hold goes to the others. */
    private void distribute(long now, long rate, double fresh) {
        List<RateLimiter> active = new ArrayList<>(children.size());
        for (RateLimiter child : children) {
            if (child.everAsked && now - child.lastDemandNanos < ACTIVE_NANOS) {
                active.add(child);
            }
        }
        if (active.isEmpty()) {
            tokens.addCapped(fresh, rate); // banked while nobody asks, capped at one second
            return;
        }
        double cap = Math.max(BLOCK, (double) rate / active.size());
        for (RateLimiter child : active) {
            child.share.atMost(cap); // after a lowered rate or a newcomer: at most one second
        }
        double left = fresh + Math.max(0, tokens.getAndSet(0));
        List<RateLimiter> hungry = active;
        while (left > 1e-6 && !hungry.isEmpty()) {
            double part = left / hungry.size();
            left = 0;
            for (int i = hungry.size() - 1; i >= 0; i--) {
                double added = hungry.get(i).share.addCapped(part, cap);
                if (added < part) {
                    left += part - added; // this child is full: the rest goes to the others
                    hungry.remove(i);
                }
            }
        }
        // whatever is left: every active child is full, like a full bucket it is dropped
    }

    /** A double updated with compare-and-set (shared between a global parent and children on other loops). */
    private static final class AtomicDouble {
        private final AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(0));

        double get() {
            return Double.longBitsToDouble(bits.get());
        }

        double getAndSet(double value) {
            return Double.longBitsToDouble(bits.getAndSet(Double.doubleToRawLongBits(value)));
        }

        void add(double delta) {
            long old;
            do {
                old = bits.get();
            } while (!bits.compareAndSet(old, Double.doubleToRawLongBits(Double.longBitsToDouble(old) + delta)));
        }

        /** Adds up to {@code delta} without going above {@code cap}; returns what was added (0 when already full). */
        double addCapped(double delta, double cap) {
            while (true) {
                long old = bits.get();
                double current = Double.longBitsToDouble(old);
                double added = Math.max(0, Math.min(delta, cap - current));
                if (added == 0 || bits.compareAndSet(old, Double.doubleToRawLongBits(current + added))) {
                    return added;
                }
            }
        }

        void atMost(double cap) {
            long old;
            do {
                old = bits.get();
                if (Double.longBitsToDouble(old) <= cap) {
                    return;
                }
            } while (!bits.compareAndSet(old, Double.doubleToRawLongBits(cap)));
        }
    }
}

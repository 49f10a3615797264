package me.bittorrent.dht;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Incoming packets per second, as token buckets: one for everything and one per source IP (a burst of one
 * second's worth). The per-address map is capped: the least recently seen address is forgotten first.
 */
public final class PacketRateLimit {

    static final int MAX_ADDRESSES = 4096;

    private final Bucket global;
    private final int perAddress;
    private final LongSupplier clock;
    private final Map<InetAddress, Bucket> addresses = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };
    private long dropped;

    private static final class Bucket {
        final double rate;
        double tokens;
        long last;

        Bucket(double rate, long now) {
            this.rate = rate;
            this.tokens = rate;
            this.last = now;
        }

        boolean take(long now) {
            tokens = Math.min(rate, tokens + (now - last) * rate / 1e9);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }

    public PacketRateLimit(int globalPerSecond, int perAddressPerSecond, LongSupplier nanoClock) {
        this.clock = nanoClock;
        this.global = new Bucket(globalPerSecond, clock.getAsLong());
        this.perAddress = perAddressPerSecond;
    }

    /** Whether a packet from {@code source} may be handled now. */
    public boolean allow(InetAddress source) {
        long now = clock.getAsLong();
        Bucket b = addresses.computeIfAbsent(source, a -> new Bucket(perAddress, now));
        if (!b.take(now) || !global.take(now)) {
            dropped++;
            return false;
        }
        return true;
    }

    public long dropped() {
        return dropped;
    }
}

package me.bittorrent.wire;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Caps on incoming peer connections over every torrent: sockets that have not finished their handshake
 * (half-open), incoming connections in all, and incoming connections per remote IP. A socket over a cap is
 * closed at once, before anything is read, so a flood of sockets that never handshake costs a file descriptor
 * for microseconds and never starves the service (or a torrent's files) of descriptors.
 *
 * <p>Thread-safe (the PeerServer and the connections' close handlers may run on different event loops).
 */
public final class IncomingGate {

    /** The caps; {@link #forThisProcess()} derives the total from the open-file limit. */
    public record Caps(int maxHalfOpen, int maxConnections, int maxPerIp) {

        /** Descriptors never used by incoming peers: torrent files, outgoing dials, the HTTP API, the JVM. */
        static final int RESERVED_DESCRIPTORS = 256;

        /**
         * 64 half-open, 8 per IP, and in all at most 1000 and at most half of what the open-file limit (read
         * once at start) leaves after {@link #RESERVED_DESCRIPTORS}: the other half stays for dials and files.
         */
        public static Caps forThisProcess() {
            long limit = maxFileDescriptors();
            int total = (int) Math.max(16, Math.min(1000, (limit - RESERVED_DESCRIPTORS) / 2));
            return new Caps(Math.min(64, total), total, 8);
        }
    }

    /** The process's open-file limit, or 4096 when the JVM cannot say (not a Unix, or a native image without it). */
    public static long maxFileDescriptors() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                long max = unix.getMaxFileDescriptorCount();
                if (max > 0) {
                    return max;
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // fall through to the common default
        }
        return 4096;
    }

    private final Caps caps;
    private int halfOpen;
    private int total;
    private long refused;
    private final Map<String, Integer> perIp = new HashMap<>();
    /** The global cap on incoming and outgoing together, when one is shared (null: only these caps). */
    private volatile ConnectionBudget budget;

    public IncomingGate(Caps caps) {
        this.caps = caps;
    }

    public Caps caps() {
        return caps;
    }

    /** From now on a socket is also refused when incoming plus outgoing reach {@code budget}'s total. */
    void shareTotal(ConnectionBudget budget) {
        this.budget = budget;
    }

    /** A new socket from {@code ip}: true when it may start its handshake (it then counts as half-open). */
    public synchronized boolean tryOpen(String ip) {
        int fromIp = perIp.getOrDefault(ip, 0);
        ConnectionBudget shared = budget;
        if (halfOpen >= caps.maxHalfOpen() || total >= caps.maxConnections() || fromIp >= caps.maxPerIp()
                || shared != null && shared.outgoing() + total >= shared.maxTotal()) {
            refused++;
            return false;
        }
        halfOpen++;
        total++;
        perIp.put(ip, fromIp + 1);
        return true;
    }

    /** Its handshake succeeded: no longer half-open (still counted in the total until {@link #closed}). */
    public synchronized void handshaken() {
        halfOpen--;
    }

    /** A socket admitted by {@link #tryOpen} ended; {@code handshaken} says whether it got past the handshake. */
    public synchronized void closed(String ip, boolean handshaken) {
        if (!handshaken) {
            halfOpen--;
        }
        total--;
        perIp.computeIfPresent(ip, (k, n) -> n > 1 ? n - 1 : null);
    }

    public synchronized int halfOpen() {
        return halfOpen;
    }

    public synchronized int open() {
        return total;
    }

    /** Sockets closed at once for being over a cap, since start. */
    public synchronized long refused() {
        return refused;
    }
}

package me.bittorrent.wire;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one cap on peer connections over every torrent, incoming and outgoing together: at most
 * {@link #maxTotal()}, itself at most the open-file limit read at start minus {@link #RESERVED_DESCRIPTORS}
 * (torrent files, the HTTP API, the JVM keep those). An outgoing dial takes a place before it connects and gives
 * it back when the dial fails or the connection ends; a dial that finds no place waits (the swarm tries again at
 * its next round). Incoming sockets are counted by the {@link IncomingGate}, which also refuses a socket when the
 * total is reached.
 *
 * <p>Thread-safe without locks (the gate and the sessions may run on different event loops); two racing
 * admissions may overshoot by one each, never more.
 */
public final class ConnectionBudget {

    /** Descriptors never used by peer connections. */
    public static final int RESERVED_DESCRIPTORS = 256;

    private final int maxTotal;
    private final IncomingGate incoming;
    private final AtomicInteger outgoing = new AtomicInteger();

    public ConnectionBudget(int maxTotal, IncomingGate incoming) {
        this.maxTotal = Math.max(1, maxTotal);
        this.incoming = incoming;
        incoming.shareTotal(this);
    }

    /** {@code configured}, but never more than the open-file limit (read now) leaves after the reserve; at least 16. */
    public static int maxForThisProcess(int configured) {
        long headroom = IncomingGate.maxFileDescriptors() - RESERVED_DESCRIPTORS;
        return (int) Math.max(16, Math.min(configured, headroom));
    }

    public int maxTotal() {
        return maxTotal;
    }

    /** Takes a place for a dial; false when every place is taken (the dial waits). */
    public boolean tryDial() {
        while (true) {
            int now = outgoing.get();
            if (now + incoming.open() >= maxTotal) {
                return false;
            }
            if (outgoing.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** The dial that took a place failed (no connection to hold it). */
    public void dialFailed() {
        outgoing.decrementAndGet();
    }

    /** The dial that took a place connected: the place is given back when {@code connection} ends. */
    public void holdUntilClosed(PeerConnection connection) {
        connection.whenClosed(outgoing::decrementAndGet);
    }

    /** Outgoing connections and dials in progress. */
    public int outgoing() {
        return outgoing.get();
    }

    /** Incoming and outgoing together. */
    public int total() {
        return outgoing.get() + incoming.open();
    }
}

package me.bittorrent.engine.session;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import me.bittorrent.engine.Block;
import me.bittorrent.engine.PiecePicker;
import me.bittorrent.engine.RateMeter;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;

/** One connected peer's state inside a torrent session. Engine context only, like the session. */
final class Peer {

    /** Requests pipelined to a peer that did not tell us its reqq (libtorrent's own default limit is 250). */
    static final int DEFAULT_REQQ = 250;
    static final int MIN_DEPTH = 16;
    /** Seconds of data we keep requested from a peer, as libtorrent does. */
    static final int SECONDS_IN_FLIGHT = 3;
    static final long SLOW_START_MILLIS = 5_000;
    /** In endgame a peer gets duplicate requests only while it has fewer than this many outstanding. */
    static final int ENDGAME_IDLE = 4;

    final PeerConnection connection;
    /** host:port as we know it (the dialled address, or the remote socket address when it dialled us). */
    final String address;
    /** The peer id in hex: the key for strikes and bans. */
    final String peerIdHex;
    final boolean outbound;
    final BitSet has = new BitSet();
    int hasCount;

    boolean amChoking = true;
    boolean amInterested;
    boolean peerChoking = true;
    boolean peerInterested;
    boolean snubbed;
    int reqq = DEFAULT_REQQ;

    /** Our requests to the peer, oldest first: block key -> send time (nanos). */
    final LinkedHashMap<Long, Long> outstanding = new LinkedHashMap<>();
    /** The peer's requests waiting for an upload slot and a disk read, oldest first. */
    final ArrayDeque<PeerMessage.Request> uploadQueue = new ArrayDeque<>();
    int readsInFlight;

    int slowStartDepth = MIN_DEPTH;
    /** 0 until the first block; slow start ends then + 5 s (1 = ended early). */
    long slowStartUntilMillis;

    final RateMeter downloadMeter = new RateMeter();
    final RateMeter uploadMeter = new RateMeter();
    long lastBlockNanos = System.nanoTime();
    final long connectedNanos = System.nanoTime();

    Peer(PeerConnection connection, String address, boolean outbound) {
        this.connection = connection;
        this.address = address;
        this.outbound = outbound;
        this.peerIdHex = HexFormat.of().formatHex(connection.remoteHandshake().peerId());
    }

    boolean isSeed(int pieceCount) {
        return hasCount >= pieceCount;
    }

    boolean hasOutstanding(int piece, int begin) {
        return outstanding.containsKey(Block.key(piece, begin));
    }

    /**
     * How many requests to keep in flight: about 3 s of the peer's rate, at least 16, at most its reqq. The rate
     * is a 5 s average, too slow to open the pipe at start, so until the meter has a full window the depth also
     * grows by one per block received (TCP-like slow start: doubling per round trip).
     */
    int targetDepth(long nowMillis) {
        if (snubbed) {
            return 1;
        }
        long rate = downloadMeter.rate(nowMillis);
        long depth = Math.max(MIN_DEPTH, rate * SECONDS_IN_FLIGHT / PiecePicker.BLOCK_SIZE);
        if (slowStartUntilMillis == 0 || nowMillis < slowStartUntilMillis) {
            depth = Math.max(depth, slowStartDepth);
        }
        return (int) Math.min(depth, reqq);
    }

    void blockReceived(long nowMillis) {
        if (slowStartUntilMillis == 0) {
            slowStartUntilMillis = nowMillis + SLOW_START_MILLIS;
        }
        if (nowMillis < slowStartUntilMillis && slowStartDepth < reqq) {
            slowStartDepth++;
        }
        lastBlockNanos = System.nanoTime();
        snubbed = false;
    }

    /** A request timed out: no more slow start, the measured rate decides. */
    void endSlowStart() {
        slowStartUntilMillis = 1;
    }

    /** Removes requests sent before {@code deadlineNanos}, calling {@code dropped} with each key. */
    int expireRequests(long deadlineNanos, java.util.function.LongConsumer dropped) {
        int n = 0;
        Iterator<Map.Entry<Long, Long>> it = outstanding.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getValue() - deadlineNanos > 0) {
                break; // insertion order = send order: the rest is younger
            }
            it.remove();
            dropped.accept(e.getKey());
            n++;
        }
        return n;
    }

    @Override
    public String toString() {
        return address;
    }
}

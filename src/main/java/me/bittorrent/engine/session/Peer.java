package me.bittorrent.engine.session;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;
import me.bittorrent.wire.MessageEncoder;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;

/**
 * One connected peer inside a torrent session: its flags, what it has, our requests to it, its requests to us,
 * and the messages that change those flags (choke, unchoke, interest, have). Engine context only, like the session.
 */
final class Peer {

    /** Requests pipelined to a peer that did not tell us its reqq (libtorrent's own default limit is 250). */
    static final int DEFAULT_REQQ = 250;
    static final int MIN_DEPTH = 16;
    /**
     * Requests outstanding at one peer at most, whatever its reqq (libtorrent's {@code max_out_request_queue}):
     * 8 MiB in flight covers 80 MB/s at a 100 ms round trip. A seeder that takes 2,000 (libtorrent's
     * high-performance seed) held 32 MiB of reads for us, each block copied into a buffer long before its send,
     * and spent more CPU per GiB for it (A/B, 2026-12-02: capped at 500, its CPU 9% lower, the download 10%
     * faster).
     */
    static final int MAX_OUT_REQUESTS = 500;
    /** Seconds of data we keep requested from a peer, as libtorrent does. */
    static final int SECONDS_IN_FLIGHT = 3;
    static final long SLOW_START_MILLIS = 5_000;
    /** In endgame a peer gets duplicate requests only while it has fewer than this many outstanding. */
    static final int ENDGAME_IDLE = 4;

    /** What a peer needs of its connection; a {@link PeerConnection} in the session, a fake in unit tests. */
    interface Link {
        void send(PeerMessage message);

        void close(String reason);

        /** Several messages (no Piece) in one write. */
        void sendAll(List<PeerMessage> messages);

        /** True while the socket's write queue is full (no more upload reads until it drains). */
        boolean writeQueueFull();

        /**
         * Piece frames read for an upload ({@link MessageEncoder#pieceFrame}), sent in one write; the link owns
         * them and releases them. This default (fakes in tests) decodes each into a {@link PeerMessage.Piece}.
         */
        default void sendFrames(List<ByteBuf> frames) {
            for (ByteBuf frame : frames) {
                try {
                    int at = frame.readerIndex();
                    byte[] data = ByteBufUtil.getBytes(frame, at + MessageEncoder.PIECE_HEADER_LENGTH,
                            frame.readableBytes() - MessageEncoder.PIECE_HEADER_LENGTH);
                    send(new PeerMessage.Piece(frame.getInt(at + 5), frame.getInt(at + 9), Buffer.buffer(data)));
                } finally {
                    frame.release();
                }
            }
        }
    }

    /** At most this many released requests are remembered per peer (its reqq is at most 500 anyway). */
    static final int MAX_RECENTLY_RELEASED = 1024;

    final Link link;
    /** The peer's extended message id for BEP 9 ut_metadata (0: it does not speak it). */
    int utMetadataId;
    /** The peer's extended message id for BEP 11 ut_pex (0: it does not speak it, or we did not offer it). */
    int utPexId;
    /** We offered ut_pex in our extension handshake on this connection (PEX on, public torrent). */
    boolean pexOffered;
    /**
     * The port the peer accepts connections on, 0 while unknown: the dialled one for an outgoing connection, the
     * {@code p} of its extension handshake for an incoming one. Only peers with one are passed on through PEX.
     */
    int listenPort;
    /** When we last honoured a PEX message from it / sent it one (nanos, 0 = never); see {@link PeerExchange}. */
    long pexInNanos;
    long pexOutNanos;
    /** The last PEX round it was told about. */
    int pexRound;
    /** Addresses it told us about through PEX and did not drop since, at most {@link PeerExchange#MAX_LEARNED}. */
    java.util.Set<String> pexLearned;
    /** host:port as we know it (the dialled address, or the remote socket address when it dialled us). */
    final String address;
    /** The remote IP address (the key of address bans). */
    final String host;
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
    /** The client name from its extension handshake ({@code v}), cleaned; null until it says. */
    String client;

    /** Our requests to the peer, oldest first: block key -> send time (nanos). */
    final RequestTimes outstanding = new RequestTimes();
    /**
     * Requests that ended without data (timeout, endgame cancel, choke, trim) in the last
     * {@link Requester#LATE_BLOCK_NANOS}: block key -> release time (nanos), oldest first. A block for one of
     * these is a legitimate late arrival, not unrequested data.
     */
    final LinkedHashMap<Long, Long> recentlyReleased = new LinkedHashMap<>();
    /** Payload bytes of blocks it sent that we never asked it for (dropped, see Requester.received). */
    long unrequestedBytes;
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

    Peer(Link link, String address, String peerIdHex, boolean outbound) {
        this(link, address, address.substring(0, Math.max(0, address.lastIndexOf(':'))), peerIdHex, outbound);
    }

    Peer(Link link, String address, String host, String peerIdHex, boolean outbound) {
        this.link = link;
        this.address = address;
        this.host = host;
        this.peerIdHex = peerIdHex;
        this.outbound = outbound;
        if (outbound) {
            try {
                this.listenPort = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            } catch (NumberFormatException e) {
                this.listenPort = 0;
            }
        }
    }

    /** A peer over an established connection. */
    static Peer over(PeerConnection connection, String address, boolean outbound) {
        Link link = new Link() {
            @Override
            public void send(PeerMessage message) {
                connection.send(message);
            }

            @Override
            public void close(String reason) {
                connection.close(reason);
            }

            @Override
            public void sendAll(List<PeerMessage> messages) {
                connection.sendAll(messages);
            }

            @Override
            public boolean writeQueueFull() {
                return connection.writeQueueFull();
            }

            @Override
            public void sendFrames(List<ByteBuf> frames) {
                connection.sendFrames(frames);
            }
        };
        return new Peer(link, address, connection.remoteHost(),
                HexFormat.of().formatHex(connection.remoteHandshake().peerId()), outbound);
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
        return (int) Math.min(depth, Math.min(reqq, MAX_OUT_REQUESTS));
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
        return outstanding.removeSentBefore(deadlineNanos, dropped);
    }

    /** Remembers a request that ended without data, so its late block is still welcome for a while. */
    void released(long key, long nowNanos) {
        forgetReleasedBefore(nowNanos - Requester.LATE_BLOCK_NANOS);
        if (recentlyReleased.size() >= MAX_RECENTLY_RELEASED) {
            recentlyReleased.remove(recentlyReleased.keySet().iterator().next());
        }
        recentlyReleased.put(key, nowNanos);
    }

    /** True (once) when we asked this peer for the block and released the request only recently. */
    boolean lateBlock(long key, long nowNanos) {
        forgetReleasedBefore(nowNanos - Requester.LATE_BLOCK_NANOS);
        return recentlyReleased.remove(key) != null;
    }

    private void forgetReleasedBefore(long deadlineNanos) {
        Iterator<Map.Entry<Long, Long>> it = recentlyReleased.entrySet().iterator();
        while (it.hasNext() && it.next().getValue() - deadlineNanos < 0) {
            it.remove();
        }
    }

    void send(PeerMessage message) {
        link.send(message);
    }

    void close(String reason) {
        link.close(reason);
    }

    /** Chokes the peer: its queued requests are void (no fast extension). */
    void choke() {
        if (!amChoking) {
            amChoking = true;
            uploadQueue.clear();
            link.send(PeerMessage.CHOKE);
        }
    }

    void unchoke() {
        if (amChoking) {
            amChoking = false;
            link.send(PeerMessage.UNCHOKE);
        }
    }

    /** Tells the peer whether we want something it has, when that changed. */
    void interested(boolean want) {
        if (want != amInterested) {
            amInterested = want;
            link.send(want ? PeerMessage.INTERESTED : PeerMessage.NOT_INTERESTED);
        }
    }

    /** Announces a piece we just verified, unless the peer has it already. */
    void announceHave(int piece) {
        if (!has.get(piece)) {
            link.send(new PeerMessage.Have(piece));
        }
    }

    /** The peer's bitfield replaces what we knew it has. */
    void hasAll(BitSet pieces) {
        has.clear();
        has.or(pieces);
        hasCount = has.cardinality();
    }

    /** A Have; false when the peer had announced the piece before. */
    boolean hasOne(int piece) {
        if (has.get(piece)) {
            return false;
        }
        has.set(piece);
        hasCount++;
        return true;
    }

    @Override
    public String toString() {
        return address;
    }
}

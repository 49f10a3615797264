package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import me.bittorrent.metainfo.PieceGeometry;
import me.bittorrent.wire.MessageEncoder;
import me.bittorrent.wire.PeerMessage;

/**
 * What we give peers: their requests checked and queued, blocks read from disk and sent within the upload budget
 * and the read caps, and the choke rounds that decide who may ask. Counts what was uploaded.
 *
 * <p>Engine context only. Works once {@link #open} gave it the picker and the disk.
 */
final class Uploader {

    /** Logged under the session's category, as before the split. */
    private static final Logger LOG = Logger.getLogger(TorrentSession.class);

    /** Disk reads for uploads in flight per session (16 KiB each, usually). */
    static final int MAX_READS_IN_FLIGHT = 32;
    static final int MAX_READS_PER_PEER = 8;
    static final int MAX_REQUEST_LENGTH = 128 * 1024;
    /** One disk task reads a peer's queued requests that follow each other in a piece, up to this many bytes. */
    static final int MAX_READ_BYTES = 256 * 1024;

    private final String name;
    private final PieceGeometry geometry;
    private final Collection<Peer> peers;
    /** True while {@code peer} is still connected (a read that completes after it left is dropped). */
    private final Predicate<Peer> connected;
    private final RateLimiter limiter;
    private final BooleanSupplier transferring;
    private final Random random;
    private final RateMeter meter = new RateMeter();
    private PiecePicker picker;
    private DiskIo disk;
    private long uploaded;
    private int readsInFlight;
    private long readBytes;
    private Peer optimistic;
    private int chokeRounds;

    Uploader(String name, PieceGeometry geometry, Collection<Peer> peers, Predicate<Peer> connected,
            RateLimiter limiter, BooleanSupplier transferring, Random random) {
        this.name = name;
        this.geometry = geometry;
        this.peers = peers;
        this.connected = connected;
        this.limiter = limiter;
        this.transferring = transferring;
        this.random = random;
    }

    void open(PiecePicker openedPicker, DiskIo openedDisk) {
        picker = openedPicker;
        disk = openedDisk;
    }

    long uploaded() {
        return uploaded;
    }

    long rate(long nowMillis) {
        return meter.rate(nowMillis);
    }

    /** Bytes of disk reads in flight for uploads. */
    long readBytes() {
        return readBytes;
    }

    int queued() {
        int n = 0;
        for (Peer peer : peers) {
            n += peer.uploadQueue.size();
        }
        return n;
    }

    // ---- requests ----------------------------------------------------------------------------------------

    /**
     * A peer's Request. Returns why the peer must be disconnected (data outside the torrent, a piece we do not
     * have), else null; a request that crossed our choke or overflows the queue we announced is ignored.
     */
    String request(Peer peer, PeerMessage.Request request) {
        int piece = request.piece();
        if (request.length() > MAX_REQUEST_LENGTH || !geometry.inPiece(piece, request.begin(), request.length())) {
            return "requested data outside the torrent";
        }
        if (!picker.have(piece)) {
            return "requested piece " + piece + " which we do not have";
        }
        if (peer.amChoking || !transferring.getAsBoolean()
                || peer.uploadQueue.size() >= ExtensionHandshake.OUR_REQQ) {
            return null; // a request that crossed our choke, or beyond the queue depth we announced
        }
        peer.uploadQueue.add(request);
        pump(peer);
        return null;
    }

    void cancel(Peer peer, PeerMessage.Cancel cancel) {
        peer.uploadQueue.remove(new PeerMessage.Request(cancel.piece(), cancel.begin(), cancel.length()));
    }

    void pumpAll() {
        for (Peer peer : peers) {
            if (!peer.uploadQueue.isEmpty()) {
                pump(peer);
            }
        }
    }

    /**
     * Reads queued blocks from disk and sends them, within the upload budget and the read caps. Requests that
     * continue each other in one piece (a peer asks for a piece's blocks in order) share one disk read of up to
     * {@link #MAX_READ_BYTES}, each block read into a pooled direct buffer behind room for its header, and the
     * run's frames go out in one gathered write.
     */
    void pump(Peer peer) {
        while (transferring.getAsBoolean() && !peer.amChoking && !peer.uploadQueue.isEmpty()
                && readsInFlight < MAX_READS_IN_FLIGHT && peer.readsInFlight < MAX_READS_PER_PEER
                && !peer.link.writeQueueFull()) {
            PeerMessage.Request first = peer.uploadQueue.peek();
            if (!limiter.tryAcquire(first.length())) {
                return; // the tick retries once tokens are back
            }
            peer.uploadQueue.poll();
            List<PeerMessage.Request> run = new ArrayList<>(4);
            run.add(first);
            int length = first.length();
            while (!peer.uploadQueue.isEmpty()) {
                PeerMessage.Request next = peer.uploadQueue.peek();
                if (next.piece() != first.piece() || next.begin() != first.begin() + length
                        || length + next.length() > MAX_READ_BYTES || !limiter.tryAcquire(next.length())) {
                    break;
                }
                peer.uploadQueue.poll();
                run.add(next);
                length += next.length();
            }
            read(peer, run, length);
        }
    }

    private void read(Peer peer, List<PeerMessage.Request> run, int length) {
        PeerMessage.Request first = run.get(0);
        int[] lengths = new int[run.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = run.get(i).length();
        }
        readsInFlight++;
        peer.readsInFlight++;
        readBytes += length;
        disk.readBlocks(first.piece(), first.begin(), lengths, MessageEncoder.PIECE_HEADER_LENGTH).onComplete(ar -> {
            readsInFlight--;
            peer.readsInFlight--;
            readBytes -= length;
            if (ar.failed()) {
                LOG.warnf("%s: could not read piece %d for upload: %s", name, first.piece(),
                        ar.cause().getMessage());
                limiter.giveBack(length);
            } else if (connected.test(peer) && !peer.amChoking && transferring.getAsBoolean()) {
                List<ByteBuf> frames = ar.result();
                for (int i = 0; i < frames.size(); i++) {
                    MessageEncoder.pieceFrame(frames.get(i), run.get(i).piece(), run.get(i).begin());
                }
                peer.link.sendFrames(frames); // the link releases them once written
                long nowMillis = System.currentTimeMillis();
                uploaded += length;
                meter.add(length, nowMillis);
                peer.uploadMeter.add(length, nowMillis);
            } else {
                ar.result().forEach(ByteBuf::release);
            }
            pump(peer);
        });
    }

    // ---- choking -----------------------------------------------------------------------------------------

    /** The peer became interested: unchoke it at once when a regular slot is free. */
    void interested(Peer peer) {
        peer.peerInterested = true;
        if (peer.amChoking && transferring.getAsBoolean() && unchokedCount() <= Choker.REGULAR_SLOTS) {
            peer.unchoke(); // a free slot: no need to wait for the next choker round
        }
    }

    /** The periodic round; every {@link Choker#ROUNDS_PER_OPTIMISTIC}th rotates the optimistic unchoke. */
    void periodicRound() {
        chokeRounds++;
        chokeRound(chokeRounds % Choker.ROUNDS_PER_OPTIMISTIC == 0);
    }

    void chokeRound(boolean rotate) {
        if (!transferring.getAsBoolean()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<Choker.PeerStat<Peer>> stats = new ArrayList<>(peers.size());
        for (Peer peer : peers) {
            stats.add(new Choker.PeerStat<>(peer, peer.peerInterested, peer.downloadMeter.rate(now),
                    peer.uploadMeter.rate(now), peer.snubbed));
        }
        Choker.Decision<Peer> decision = Choker.decide(stats, picker.complete(), Choker.REGULAR_SLOTS, optimistic,
                rotate, random);
        optimistic = decision.optimistic();
        for (Peer peer : peers) {
            if (decision.unchoke().contains(peer)) {
                peer.unchoke();
            } else {
                peer.choke();
            }
        }
    }

    /** Pause or error: everybody choked, their queued requests dropped. */
    void chokeAll() {
        for (Peer peer : peers) {
            peer.uploadQueue.clear();
            peer.choke();
        }
    }

    /** The peer left: its queue goes, and it no longer holds the optimistic slot. */
    void left(Peer peer) {
        peer.uploadQueue.clear();
        if (optimistic == peer) {
            optimistic = null;
        }
    }

    private int unchokedCount() {
        int n = 0;
        for (Peer peer : peers) {
            if (!peer.amChoking) {
                n++;
            }
        }
        return n;
    }
}

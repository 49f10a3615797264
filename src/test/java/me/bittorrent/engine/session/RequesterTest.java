package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import me.bittorrent.metainfo.PieceGeometry;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.PeerMessage;

/** The requester with fake peers, an inline verifier and a fake disk: no sockets, no Vert.x instance. */
class RequesterTest {

    static final int B = PieceGeometry.BLOCK_SIZE;
    final byte[] data = UnitTorrent.payload(4 * 2 * B, 3); // 4 pieces of 2 blocks
    final TorrentMeta meta = UnitTorrent.meta(data, 2 * B);
    final Map<Integer, byte[]> written = new HashMap<>();
    final List<String> outcomes = new ArrayList<>();
    final List<Peer> peers = new ArrayList<>();
    final long[] nanos = {0};
    final PiecePicker picker = PiecePicker.forMeta(meta, new BitSet(), null, new Random(1));
    final PieceVerifier verifier = new PieceVerifier(meta,
            PieceVerifier.inSteps(UnitTorrent::inline, (piece, bytes) -> {
        byte[] copy = new byte[bytes.limit()];
        bytes.get(0, copy);
        written.put(piece, copy);
        return Future.succeededFuture();
    }), p -> false, new PieceVerifier.Outcome() {
        @Override
        public void passed(int piece, String[] senders, byte[][] blockDigests) {
            picker.pieceVerified(piece);
            outcomes.add("passed " + piece);
        }

        @Override
        public void failed(int piece, String[] senders, byte[][] blockDigests) {
            picker.pieceFailed(piece);
            outcomes.add("failed " + piece);
        }

        @Override
        public void writeFailed(int piece, Throwable cause) {
            outcomes.add("write failed " + piece);
        }

        @Override
        public void settled() {
        }
    });

    Requester requester(RateLimiter limiter) {
        Requester requester = new Requester("unit", meta.geometry(), peers, limiter, verifier, () -> true);
        requester.open(picker);
        return requester;
    }

    Peer join(String name) {
        Peer peer = UnitTorrent.seed(name, meta.pieceCount());
        picker.peerBitfield(peer.has);
        peers.add(peer);
        return peer;
    }

    Buffer block(int piece, int begin) {
        int at = piece * 2 * B + begin;
        return Buffer.buffer().appendBytes(Arrays.copyOfRange(data, at, at + B));
    }

    @Test
    void releaseFreesTheBlockGivesBackItsTokensAndTellsThePeerOnce() {
        RateLimiter limiter = new RateLimiter(4L * B, null, () -> nanos[0]);
        nanos[0] += 1_000_000_000L; // one second of tokens: 4 blocks
        Requester requester = requester(limiter);
        Peer a = join("a");
        requester.updateInterest(a);
        assertEquals(1, UnitTorrent.link(a).sent(PeerMessage.Interested.class).size());
        assertEquals(4, a.outstanding.size(), "as many requests as the budget allows");
        assertEquals(0, limiter.available());

        long key = a.outstanding.keys()[0];
        requester.release(a, key, true);
        requester.release(a, key, true); // a second release of the same request does nothing
        assertEquals(3, a.outstanding.size());
        assertEquals(B, limiter.available(), "the tokens came back once");
        List<PeerMessage.Cancel> cancels = UnitTorrent.link(a).sent(PeerMessage.Cancel.class);
        assertEquals(List.of(new PeerMessage.Cancel(Block.pieceOf(key), Block.beginOf(key), B)), cancels);

        Peer b = join("b");
        requester.updateInterest(b);
        assertEquals(List.of(key), java.util.Arrays.stream(b.outstanding.keys()).boxed().toList(), "the freed block goes to the next peer");
    }

    @Test
    void aChokeReleasesEverythingWithoutCancels() {
        RateLimiter limiter = new RateLimiter(8L * B, null, () -> nanos[0]);
        nanos[0] += 1_000_000_000L;
        Requester requester = requester(limiter);
        Peer a = join("a");
        requester.updateInterest(a);
        assertEquals(8, a.outstanding.size());
        a.peerChoking = true;
        requester.releaseAll(a, false);
        assertTrue(a.outstanding.isEmpty());
        assertTrue(UnitTorrent.link(a).sent(PeerMessage.Cancel.class).isEmpty(), "a choke voids them at the peer");
        assertEquals(8L * B, limiter.available());
        Peer b = join("b");
        requester.updateInterest(b);
        assertEquals(8, b.outstanding.size(), "every block is free again");
    }

    @Test
    void aBlockThatArrivesCancelsItsEndgameDuplicatesAndCompletesThePiece() {
        Requester requester = requester(RateLimiter.unlimited());
        Peer a = join("a");
        requester.updateInterest(a);
        assertEquals(8, a.outstanding.size(), "every block of the torrent requested from a");
        Peer b = join("b");
        requester.updateInterest(b);
        assertFalse(b.outstanding.isEmpty(), "endgame: b gets duplicates of a's requests");
        long dup = b.outstanding.keys()[0];
        int piece = Block.pieceOf(dup);
        int begin = Block.beginOf(dup);

        assertNull(requester.received(a, piece, begin, block(piece, begin)));
        assertFalse(b.outstanding.containsKey(dup));
        assertEquals(List.of(new PeerMessage.Cancel(piece, begin, B)),
                UnitTorrent.link(b).sent(PeerMessage.Cancel.class));
        assertFalse(written.containsKey(piece), "half a piece is not verified");

        int other = begin == 0 ? B : 0;
        requester.received(a, piece, other, block(piece, other));
        assertEquals(List.of("passed " + piece), outcomes);
        assertArrayEquals(Arrays.copyOfRange(data, piece * 2 * B, (piece + 1) * 2 * B), written.get(piece));
        assertEquals(2L * B, requester.downloaded());
    }

    @Test
    void malformedOrUnneededBlocksAreCountedButNotKept() {
        Requester requester = requester(RateLimiter.unlimited());
        Peer a = join("a");
        requester.updateInterest(a);
        assertNull(requester.received(a, 0, 5, block(0, 0)), "a misaligned block is dropped, the peer kept");
        assertNotNull(requester.received(a, 99, 0, block(0, 0)), "a piece index out of range closes the peer");
        assertEquals(0, verifier.bufferBytes());
        assertEquals(B, requester.downloaded(), "what arrived is counted, kept or not");
    }

    @Test
    void timedOutRequestsAreCancelledAndTheirPeerSnubbed() {
        Requester requester = requester(RateLimiter.unlimited());
        Peer a = join("a");
        requester.updateInterest(a);
        int requested = a.outstanding.size();
        a.outstanding.replaceAll((key, sentAt) -> sentAt - Requester.REQUEST_TIMEOUT.toNanos() - 1);
        requester.expire();
        assertTrue(a.snubbed);
        assertEquals(requested, UnitTorrent.link(a).sent(PeerMessage.Cancel.class).size());
        assertEquals(1, a.outstanding.size(), "a snubbed peer's pipeline drops to one request");
    }

    @Test
    void unrequestedBlocksAreDroppedCountedAndTheirSenderClosedPastTheAllowance() {
        Requester requester = requester(RateLimiter.unlimited());
        Peer pusher = join("pusher"); // never asked for anything
        long allowance = Requester.UNREQUESTED_ALLOWANCE / B;
        for (int i = 0; i < allowance; i++) {
            int piece = i % meta.pieceCount();
            assertNull(requester.received(pusher, piece, 0, block(piece, 0)), "within the allowance: dropped only");
        }
        assertEquals(0, verifier.bufferBytes(), "nothing unrequested is kept");
        assertTrue(written.isEmpty() && outcomes.isEmpty(), "nothing unrequested is hashed or written");
        assertEquals(allowance, requester.unrequestedBlocks());
        String violation = requester.received(pusher, 0, 0, block(0, 0));
        assertNotNull(violation, "a peer that keeps pushing data is closed");
        assertTrue(violation.contains("never asked for"), violation);
        assertEquals(allowance + 1, requester.unrequestedBlocks());
    }

    @Test
    void aBlockFromAnotherPeersRequestIsNotTakenFromThisOne() {
        Requester requester = requester(RateLimiter.unlimited());
        Peer a = join("a");
        requester.updateInterest(a);
        Peer b = join("b"); // not asked for anything
        long key = a.outstanding.keys()[0];
        int piece = Block.pieceOf(key);
        int begin = Block.beginOf(key);
        assertNull(requester.received(b, piece, begin, block(piece, begin)));
        assertEquals(0, verifier.bufferBytes(), "the block a asked for is not taken from b");
        assertTrue(a.outstanding.containsKey(key), "a's request stands");
    }

    @Test
    void aLateBlockForARequestCancelledRecentlyIsStillWelcome() {
        Requester requester = requester(RateLimiter.unlimited());
        Peer a = join("a");
        requester.updateInterest(a);
        long key = a.outstanding.keys()[0];
        requester.release(a, key, true); // a Cancel (endgame, trim, timeout) crosses the block on the wire
        assertFalse(a.outstanding.containsKey(key));
        int piece = Block.pieceOf(key);
        int begin = Block.beginOf(key);
        assertNull(requester.received(a, piece, begin, block(piece, begin)));
        assertEquals(0, requester.unrequestedBlocks(), "a late answer to our own request is not unrequested");
        assertEquals(0, a.unrequestedBytes);
        assertTrue(verifier.bufferBytes() > 0 || outcomes.contains("passed " + piece), "the late block is kept");
    }

    @Test
    void aFullPipelineIsToppedUpInBatchesNotOneRequestPerBlock() {
        byte[] big = UnitTorrent.payload(400 * 2 * B, 5); // 400 pieces of 2 blocks
        TorrentMeta bigMeta = UnitTorrent.meta(big, 2 * B);
        PiecePicker bigPicker = PiecePicker.forMeta(bigMeta, new BitSet(), null, new Random(1));
        PieceVerifier bigVerifier = new PieceVerifier(bigMeta, PieceVerifier.inSteps(UnitTorrent::inline,
                (piece, bytes) -> Future.succeededFuture()), p -> false, new PieceVerifier.Outcome() {
                    @Override
                    public void passed(int piece, String[] senders, byte[][] blockDigests) {
                        bigPicker.pieceVerified(piece);
                    }

                    @Override
                    public void failed(int piece, String[] senders, byte[][] blockDigests) {
                        bigPicker.pieceFailed(piece);
                    }

                    @Override
                    public void writeFailed(int piece, Throwable cause) {
                    }

                    @Override
                    public void settled() {
                    }
                });
        List<Peer> bigPeers = new ArrayList<>();
        Requester requester = new Requester("unit", bigMeta.geometry(), bigPeers, new RateLimiter(0, null,
                System::nanoTime), bigVerifier, () -> true);
        requester.open(bigPicker);
        Peer a = UnitTorrent.seed("a", bigMeta.pieceCount());
        a.reqq = Peer.MAX_OUT_REQUESTS;
        a.slowStartDepth = Peer.MAX_OUT_REQUESTS;
        bigPicker.peerBitfield(a.has);
        bigPeers.add(a);
        requester.updateInterest(a);
        assertEquals(500, UnitTorrent.link(a).sent(PeerMessage.Request.class).size());

        int batch = Requester.batchFor(500);
        assertEquals(125, batch, "a quarter of the pipeline");
        for (int received = 1; received <= batch; received++) {
            long key = a.outstanding.keys()[0];
            int at = Block.pieceOf(key) * 2 * B + Block.beginOf(key);
            assertNull(requester.received(a, Block.pieceOf(key), Block.beginOf(key),
                    Buffer.buffer().appendBytes(Arrays.copyOfRange(big, at, at + B))));
            int expected = received < batch ? 500 : 500 + batch;
            assertEquals(expected, UnitTorrent.link(a).sent(PeerMessage.Request.class).size(),
                    "after " + received + " block(s)");
        }
        assertEquals(500, a.outstanding.size(), "the pipeline is full again");

        // a shallow pipeline (a peer that takes few requests) is topped up by a quarter of it
        a.reqq = 8;
        while (a.outstanding.size() > 8) {
            requester.release(a, a.outstanding.keys()[0], true);
        }
        int sent = UnitTorrent.link(a).sent(PeerMessage.Request.class).size();
        for (int i = 0; i < 2; i++) {
            long key = a.outstanding.keys()[0];
            int at = Block.pieceOf(key) * 2 * B + Block.beginOf(key);
            requester.received(a, Block.pieceOf(key), Block.beginOf(key),
                    Buffer.buffer().appendBytes(Arrays.copyOfRange(big, at, at + B)));
        }
        assertEquals(sent + 2, UnitTorrent.link(a).sent(PeerMessage.Request.class).size());
        assertEquals(8, a.outstanding.size());
    }

    @Test
    void aPeerThatTakesThousandsOfRequestsGetsLibtorrentsFiveHundredAtMost() {
        Peer a = UnitTorrent.seed("a", meta.pieceCount());
        a.reqq = 2000; // libtorrent's high-performance seed
        a.slowStartDepth = 3000;
        assertEquals(Peer.MAX_OUT_REQUESTS, a.targetDepth(0));
        a.reqq = 250;
        assertEquals(250, a.targetDepth(0), "a peer's own smaller reqq still rules");
    }
}

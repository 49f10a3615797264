package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import me.bittorrent.metainfo.PieceGeometry;
import me.bittorrent.metainfo.TorrentMeta;

/** The verifier alone: an inline hash worker and a fake disk, no sockets, no Vert.x instance. */
class PieceVerifierTest {

    static final int B = PieceGeometry.BLOCK_SIZE;
    final byte[] data = UnitTorrent.payload(3 * 2 * B + 100, 7); // 3 full pieces of 2 blocks + a short one
    final TorrentMeta meta = UnitTorrent.meta(data, 2 * B);
    final Map<Integer, byte[]> written = new HashMap<>();
    final List<String> outcomes = new ArrayList<>();
    final Map<Integer, byte[][]> digestsOf = new HashMap<>();
    final Map<Integer, String[]> sendersOf = new HashMap<>();
    PieceVerifier.PieceWriter writer = (piece, bytes) -> {
        written.put(piece, java.util.Arrays.copyOf(bytes, meta.pieceSize(piece))); // what PieceStore writes
        return Future.succeededFuture();
    };

    PieceVerifier verifier(IntPredicate suspect) {
        return verifier(suspect, null);
    }

    /** With {@code pool} shared as the sessions share theirs; null: a pool of its own. */
    PieceVerifier verifier(IntPredicate suspect, PieceBuffers pool) {
        PieceVerifier.Outcome outcome = new PieceVerifier.Outcome() {
                    @Override
                    public void passed(int piece, String[] senders, byte[][] blockDigests) {
                        outcomes.add("passed " + piece);
                        sendersOf.put(piece, senders);
                        digestsOf.put(piece, blockDigests);
                    }

                    @Override
                    public void failed(int piece, String[] senders, byte[][] blockDigests) {
                        outcomes.add("failed " + piece);
                        sendersOf.put(piece, senders);
                        digestsOf.put(piece, blockDigests);
                    }

                    @Override
                    public void writeFailed(int piece, Throwable cause) {
                        outcomes.add("write failed " + piece + ": " + cause.getMessage());
                    }

                    @Override
                    public void settled() {
                        outcomes.add("settled");
                    }
                };
        return pool == null
                ? new PieceVerifier(meta, UnitTorrent::inline, (p, d) -> writer.write(p, d), suspect, outcome)
                : new PieceVerifier(meta, UnitTorrent::inline, (p, d) -> writer.write(p, d), suspect, outcome, pool);
    }

    /** Puts every block of {@code piece} from {@code source}, block b sent by {@code senders[b]}. */
    void putPiece(PieceVerifier verifier, int piece, byte[] source, String... senders) {
        PieceGeometry g = meta.geometry();
        for (int b = 0; b < g.blockCount(piece); b++) {
            int at = (int) g.pieceStart(piece) + b * B;
            verifier.put(piece, b, Buffer.buffer().appendBytes(source, at, g.blockLength(piece, b)),
                    senders[b % senders.length]);
        }
    }

    @Test
    void aPieceIsWrittenOnlyWhenItsHashMatches() {
        PieceVerifier verifier = verifier(p -> false);
        putPiece(verifier, 0, data, "a", "b");
        assertEquals(2L * B, verifier.bufferBytes(), "one piece buffer while its blocks come in");
        verifier.verify(0);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 2 * B), written.get(0));
        assertEquals(List.of("passed 0", "settled"), outcomes);
        assertArrayEquals(new String[] {"a", "b"}, sendersOf.get(0));
        assertNull(digestsOf.get(0), "no block digests for a piece nobody must be judged on");

        byte[] corrupt = data.clone();
        corrupt[2 * B + B + 3] ^= 1; // piece 1, block 1
        putPiece(verifier, 1, corrupt, "a", "liar");
        verifier.verify(1);
        assertFalse(written.containsKey(1), "a failed piece is never written");
        assertEquals("failed 1", outcomes.get(2));
        assertNotNull(digestsOf.get(1), "a failure carries each block's digest for the ban policy");
        assertEquals(2, digestsOf.get(1).length);
        assertEquals(0, verifier.bufferBytes());
        assertEquals(0, verifier.pendingBytes());
    }

    @Test
    void theShortLastPieceIsVerifiedToo() {
        PieceVerifier verifier = verifier(p -> false);
        putPiece(verifier, 3, data, "a");
        verifier.verify(3);
        assertEquals(100, written.get(3).length);
        assertEquals("passed 3", outcomes.get(0));
    }

    @Test
    void aReusedBufferHoldsOnlyTheNewPiecesBytes() {
        PieceVerifier verifier = verifier(p -> false);
        byte[] corrupt = data.clone();
        corrupt[5] ^= 1;
        putPiece(verifier, 0, corrupt, "liar");
        verifier.verify(0); // fails; its buffer is kept for the next piece
        assertEquals(2L * B, verifier.spareBytes());
        putPiece(verifier, 1, data, "a", "b");
        assertEquals(0, verifier.spareBytes(), "the next piece took the spare buffer");
        verifier.verify(1);
        assertEquals(List.of("failed 0", "settled", "passed 1", "settled"), outcomes);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 2 * B, 4 * B), written.get(1));
        verifier.releaseSpare();
        assertEquals(0, verifier.spareBytes());
    }

    @Test
    void theNextDownloadReusesTheBuffersTheLastOneGaveBackToTheSharedPool() {
        PieceBuffers pool = new PieceBuffers(4L * B);
        PieceVerifier first = verifier(p -> false, pool);
        putPiece(first, 0, data, "a");
        putPiece(first, 1, data, "a");
        putPiece(first, 2, data, "a");
        first.verify(0);
        first.verify(1);
        first.verify(2); // a third buffer is beyond the pool's bound of 4 blocks: left to the collector
        assertEquals(4L * B, pool.spareBytes());
        first.releaseSpare(); // complete: the shared pool keeps its buffers for the next download
        assertEquals(4L * B, pool.spareBytes());

        PieceVerifier second = verifier(p -> false, pool);
        putPiece(second, 1, data, "b", "c");
        assertEquals(2L * B, pool.spareBytes(), "the other session took a spare buffer");
        second.verify(1);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 2 * B, 4 * B), written.get(1));
        assertEquals(List.of("passed 0", "settled", "passed 1", "settled", "passed 2", "settled", "passed 1",
                "settled"), outcomes);
        assertEquals(4L * B, pool.spareBytes());
    }

    @Test
    void aPoolKeepsBuffersOfEachLengthApartAndWithinItsBound() {
        PieceBuffers pool = new PieceBuffers(3000);
        byte[] a = pool.take(1000);
        byte[] b = pool.take(2000);
        byte[] c = pool.take(1000);
        pool.give(a);
        pool.give(b);
        pool.give(c); // 4000 > 3000: dropped
        assertEquals(3000, pool.spareBytes());
        assertSame(b, pool.take(2000));
        assertSame(a, pool.take(1000));
        assertNotSame(a, pool.take(1000), "nothing spare of that length: a new buffer");
        assertEquals(0, pool.spareBytes());
        pool.give(b);
        pool.clear();
        assertEquals(0, pool.spareBytes());
    }

    @Test
    void thePassOfASuspectPieceCarriesBlockDigests() {
        PieceVerifier verifier = verifier(p -> p == 2);
        putPiece(verifier, 2, data, "a", "b");
        verifier.verify(2);
        assertEquals("passed 2", outcomes.get(0));
        assertNotNull(digestsOf.get(2), "smart ban compares the kept blocks with these");
    }

    @Test
    void pendingBytesCountUntilTheWriteEndsAndStopWaitsForThem() {
        Promise<Void> disk = Promise.promise();
        writer = (piece, bytes) -> disk.future();
        PieceVerifier verifier = verifier(p -> false);
        putPiece(verifier, 0, data, "a");
        verifier.verify(0);
        assertEquals(2L * B, verifier.pendingBytes(), "a verified piece waiting for the disk is counted");
        assertFalse(verifier.backlogged());
        Future<Void> drained = verifier.drain();
        assertFalse(drained.isComplete(), "stop waits for the write in flight");
        assertTrue(outcomes.isEmpty(), "nothing is reported before the write ended");
        disk.complete();
        assertTrue(drained.isComplete());
        assertEquals(0, verifier.pendingBytes());
        assertEquals(List.of("passed 0", "settled"), outcomes);
    }

    @Test
    void aWriteErrorIsReportedAsSuch() {
        writer = (piece, bytes) -> Future.failedFuture(new IOException("disk full"));
        PieceVerifier verifier = verifier(p -> false);
        putPiece(verifier, 0, data, "a");
        verifier.verify(0);
        assertEquals(List.of("write failed 0: disk full", "settled"), outcomes);
    }
}

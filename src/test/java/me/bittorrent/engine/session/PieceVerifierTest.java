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
        byte[] copy = new byte[bytes.limit()]; // what PieceStore writes: from 0 to the limit
        bytes.get(0, copy);
        written.put(piece, copy);
        return Future.succeededFuture();
    };

    PieceVerifier verifier(IntPredicate suspect) {
        return verifier(suspect, null);
    }

    /** With {@code pool} for its spare buffers; null: the default pool. */
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
        PieceVerifier.PieceDisk disk = PieceVerifier.inSteps(UnitTorrent::inline, (p, d) -> writer.write(p, d));
        return pool == null ? new PieceVerifier(meta, disk, suspect, outcome)
                : new PieceVerifier(meta, disk, suspect, outcome, pool);
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
    void pieceBuffersAreAlignedOffHeapMemoryFreedWhenTheDownloadCompletesOrStops() {
        PieceBuffers.Budget budget = new PieceBuffers.Budget(1 << 20);
        PieceBuffers pool = new PieceBuffers(4L * B, budget);
        PieceVerifier verifier = verifier(p -> false, pool);
        putPiece(verifier, 0, data, "a");
        putPiece(verifier, 1, data, "a");
        putPiece(verifier, 2, data, "a");
        assertEquals(3L * (2 * B + PieceBuffers.ALIGNMENT), budget.used());
        verifier.verify(0);
        verifier.verify(1);
        verifier.verify(2); // a third spare is beyond the pool's bound of 4 blocks: freed at once
        assertEquals(4L * B, pool.spareBytes());
        assertEquals(2L * (2 * B + PieceBuffers.ALIGNMENT), budget.used());
        verifier.releaseSpare(); // complete: nothing is kept for later
        assertEquals(0, pool.spareBytes());
        assertEquals(0, budget.used());

        putPiece(verifier, 1, data, "b"); // more to download (a file selected later): buffers come back
        verifier.put(0, 0, Buffer.buffer().appendBytes(data, 0, B), "b"); // half of piece 0: in progress at the stop
        assertEquals(4L * B, verifier.bufferBytes());
        verifier.verify(1);
        verifier.close(); // stopped and drained: the piece in progress is dropped, every buffer freed
        assertEquals(0, verifier.bufferBytes());
        assertEquals(0, pool.spareBytes());
        assertEquals(0, budget.used());
        assertEquals(List.of("passed 0", "settled", "passed 1", "settled", "passed 2", "settled", "passed 1",
                "settled"), outcomes);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 2 * B, 4 * B), written.get(1));
    }

    @Test
    void aPoolKeepsBuffersOfEachLengthApartAndWithinItsBound() {
        PieceBuffers pool = new PieceBuffers(3 * B, new PieceBuffers.Budget(1 << 20));
        PieceBuffers.PieceBuffer a = pool.take(B);
        PieceBuffers.PieceBuffer b = pool.take(2 * B);
        PieceBuffers.PieceBuffer c = pool.take(B);
        assertTrue(a.data().isDirect() && a.data().alignmentOffset(0, PieceBuffers.ALIGNMENT) == 0,
                "page-aligned off-heap memory, written to the disk as it is");
        assertEquals(B, a.data().capacity());
        pool.give(a);
        pool.give(b);
        pool.give(c); // 4 blocks > 3: freed
        assertEquals(3L * B, pool.spareBytes());
        assertSame(b, pool.take(2 * B));
        assertSame(a, pool.take(B));
        assertNotSame(a, pool.take(B), "nothing spare of that length: a new buffer");
        assertEquals(0, pool.spareBytes());
        pool.give(b);
        pool.clear();
        assertEquals(0, pool.spareBytes());
    }

    @Test
    void pastTheProcesssOffHeapBudgetAPieceGetsAHeapBufferAndIsStillVerified() {
        PieceBuffers.Budget budget = new PieceBuffers.Budget(2 * (2 * B + PieceBuffers.ALIGNMENT));
        PieceBuffers pool = new PieceBuffers(8L * B, budget);
        PieceVerifier verifier = verifier(p -> false, pool);
        putPiece(verifier, 0, data, "a");
        putPiece(verifier, 1, data, "a");
        putPiece(verifier, 2, data, "a"); // the budget holds two pieces: the third is on the heap
        assertEquals(budget.limit(), budget.used());
        verifier.verify(2);
        verifier.verify(0);
        verifier.verify(1);
        assertEquals(List.of("passed 2", "settled", "passed 0", "settled", "passed 1", "settled"), outcomes);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 4 * B, 6 * B), written.get(2));
        verifier.releaseSpare();
        assertEquals(0, budget.used());
    }

    @Test
    void theProcesssOffHeapBudgetIsHalfTheDirectMemoryLimitAtMost256MiB() {
        long limit = PieceBuffers.Budget.PROCESS.limit();
        assertTrue(limit > 0 && limit <= 256L << 20, "budget " + limit);
        assertTrue(limit <= io.netty.util.internal.PlatformDependent.estimateMaxDirectMemory() / 2, "budget " + limit);
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

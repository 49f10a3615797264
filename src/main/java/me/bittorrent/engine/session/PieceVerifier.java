package me.bittorrent.engine.session;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import me.bittorrent.engine.session.PieceBuffers.PieceBuffer;
import me.bittorrent.metainfo.PieceGeometry;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.storage.Sha1;

/**
 * Where a piece is assembled, verified and written: the blocks of pieces in progress (one buffer per piece,
 * allocated at its first block), who sent each block, the SHA-1 check off the context, and the write of a piece
 * that passed, never of one that failed. Also the bound on pieces waiting for hash or disk, and the drain at stop.
 *
 * <p>Engine context only; the hash and the write run on {@link PieceDisk}, and the {@link Outcome} is called back
 * on the engine context (the futures complete there).
 */
final class PieceVerifier {

    /**
     * Pieces waiting for their hash check or their write, plus the blocks requested and not yet here, may hold this
     * many bytes; beyond it we stop requesting. 32 MiB: with 16 MiB the bound was met on half the blocks of a
     * loopback download (pieces in the disk queue take their bytes from the requests), and pieces waiting for the
     * disk alone reached 19 MiB, so for a moment nothing at all was requested (counters, bench, 2026-12-02); it
     * also leaves room for a longer round trip. Measured: a warm 1 GiB download at 0.78 of libtorrent's time
     * against 0.82 in one A/B of 4 rounds, within the noise in a later one; about 13 MiB more at the peak.
     */
    static final long MAX_PENDING_BYTES = 32L << 20;
    /**
     * Spare piece buffers kept for reuse, at most this many bytes: a spare only ever replaces a buffer in use, so a
     * download allocates its piece buffers once (as many as it ever had in use at once, at most
     * {@link #MAX_PENDING_BYTES} and the pieces being received) and then reuses them. All are freed when it completes
     * or stops. With 16 MiB, a download whose pieces in use swung past 16 MiB freed buffers and allocated them again
     * (zeroed and page-faulted on the event loop: about 6% of its samples in a profile); measured (bench, 4
     * interleaved rounds, 2026-12-02): cold 1 GiB download 8.18 against 9.31 CPU-s, warm 2.19 against 2.29, peak RSS
     * unchanged.
     */
    static final long MAX_SPARE_BYTES = MAX_PENDING_BYTES;

    /** Where a piece is checked and stored, off the engine context (the session's {@link DiskIo}). */
    interface PieceDisk {
        /**
         * Runs {@code check} and, when it matched, writes {@code data} (from 0 to its limit) in the same task;
         * completes on the engine context with the check, failed when the write failed.
         */
        Future<Checked> checkThenWrite(int piece, ByteBuffer data, Callable<Checked> check);
    }

    /** The hash result of a piece, with each block's SHA-1 when someone must be judged (else null). */
    record Checked(boolean ok, byte[][] blockDigests) {
    }

    /** Runs blocking work off the engine context. */
    interface Worker {
        <T> Future<T> run(Callable<T> work);
    }

    /** Writes a verified piece: {@code data} from 0 to its limit. */
    interface PieceWriter {
        Future<Void> write(int piece, ByteBuffer data);
    }

    /** The check on {@code worker}, then the write through {@code writer}: two steps (tests, injected faults). */
    static PieceDisk inSteps(Worker worker, PieceWriter writer) {
        return (piece, data, check) -> worker.run(check)
                .compose(c -> c.ok() ? writer.write(piece, data).map(written -> c) : Future.succeededFuture(c));
    }

    /** What became of a piece; on the engine context. */
    interface Outcome {
        /** Hash matched and the piece is written. {@code blockDigests} only when the piece was suspect, else null. */
        void passed(int piece, String[] senders, byte[][] blockDigests);

        /** Hash mismatch: nothing was written. {@code blockDigests} has each block's SHA-1. */
        void failed(int piece, String[] senders, byte[][] blockDigests);

        /** Hash matched but the write failed. */
        void writeFailed(int piece, Throwable cause);

        /** After each of the above: room for more requests. */
        void settled();
    }

    private final TorrentMeta meta;
    private final PieceGeometry geometry;
    private final PieceDisk disk;
    /** Pieces whose pass must be judged block by block (they failed before with several senders). */
    private final IntPredicate suspect;
    private final Outcome outcome;

    /** Full-length piece buffers (the short last piece uses one too), each a whole piece in progress. */
    private final Map<Integer, PieceBuffer> buffers = new HashMap<>();
    /**
     * Buffers of pieces that were verified or failed, handed out again instead of new memory per piece. No
     * zeroing is needed: a piece is hashed only once every one of its blocks was copied in.
     */
    private final PieceBuffers spare;
    /** Per piece in progress, the peer id (hex) that sent each block (for strikes when its hash fails). */
    private final Map<Integer, String[]> senders = new HashMap<>();
    /** The piece of the last block put, its buffer and senders: blocks come in order, so most puts look up nothing. */
    private int lastPiece = -1;
    private ByteBuffer lastBuffer;
    private String[] lastSenders;
    private long pendingBytes;
    private int inFlight;
    private Promise<Void> drained;

    /** With a pool of spare buffers bounded by {@link #MAX_SPARE_BYTES}. */
    PieceVerifier(TorrentMeta meta, PieceDisk disk, IntPredicate suspect, Outcome outcome) {
        this(meta, disk, suspect, outcome, new PieceBuffers(MAX_SPARE_BYTES));
    }

    /** With {@code pool} for its spare buffers (tests bound it otherwise). */
    PieceVerifier(TorrentMeta meta, PieceDisk disk, IntPredicate suspect, Outcome outcome, PieceBuffers pool) {
        this.spare = pool;
        this.meta = meta;
        this.geometry = meta.geometry();
        this.disk = disk;
        this.suspect = suspect;
        this.outcome = outcome;
    }

    /** Copies one needed block (already checked by {@link PieceGeometry#blockIndex}) into its piece's buffer. */
    void put(int piece, int block, Buffer data, String senderIdHex) {
        if (piece != lastPiece) {
            PieceBuffer buffer = buffers.get(piece);
            String[] from = senders.get(piece);
            if (buffer == null) {
                buffer = spare.take(geometry.pieceLength());
                from = new String[geometry.blockCount(piece)];
                buffers.put(piece, buffer);
                senders.put(piece, from);
            }
            lastPiece = piece;
            lastBuffer = buffer.data();
            lastSenders = from;
        }
        int at = block * PieceGeometry.BLOCK_SIZE;
        data.getByteBuf().getBytes(0, lastBuffer.duplicate().limit(at + data.length()).position(at));
        lastSenders[block] = senderIdHex;
    }

    /**
     * Every block of the piece is in: hash it off the context and write it only if it matched, one task in the
     * disk's order (a thread hop and a wake-up of the context fewer per piece than two), then report.
     */
    void verify(int piece) {
        PieceBuffer buffer = buffers.remove(piece);
        String[] from = senders.remove(piece);
        if (piece == lastPiece) {
            lastPiece = -1;
            lastBuffer = null;
            lastSenders = null;
        }
        boolean judge = suspect.test(piece);
        int size = geometry.pieceSize(piece);
        pendingBytes += size;
        inFlight++;
        // block digests only when someone must be judged: a failure, or the pass of a piece that failed before
        ByteBuffer data = buffer.data().duplicate().limit(size); // each thread gets a view of its own
        disk.checkThenWrite(piece, data, () -> {
            boolean ok = meta.pieceHashEquals(piece, Sha1.digest(data));
            return new Checked(ok, ok && !judge ? null : SuspectBlocks.blockDigests(data));
        }).onComplete(ar -> {
            pendingBytes -= size;
            inFlight--;
            spare.give(buffer); // hashed and written (or dropped): nobody off the context holds it now
            if (ar.failed()) {
                outcome.writeFailed(piece, ar.cause());
            } else if (ar.result().ok()) {
                outcome.passed(piece, from, ar.result().blockDigests());
            } else {
                outcome.failed(piece, from, ar.result().blockDigests());
            }
            if (inFlight == 0 && drained != null) {
                drained.tryComplete();
            }
            outcome.settled();
        });
    }

    /** Nothing more to download: the spare buffers are freed (pieces still in flight free theirs as they settle). */
    void releaseSpare() {
        spare.clear();
    }

    /**
     * The session stopped and {@link #drain} completed: the buffers of pieces in progress are dropped with their
     * blocks and, with the spare ones, freed. A later {@link #put} starts afresh.
     */
    void close() {
        for (PieceBuffer buffer : buffers.values()) {
            spare.give(buffer);
        }
        buffers.clear();
        senders.clear();
        lastPiece = -1;
        lastBuffer = null;
        lastSenders = null;
        spare.clear();
    }

    /** Bytes of spare buffers kept for reuse. */
    long spareBytes() {
        return spare.spareBytes();
    }

    /** Too much waits for hash or disk: no new requests until it drains (a slow disk slows the download). */
    boolean backlogged() {
        return pendingBytes > MAX_PENDING_BYTES;
    }

    /** Bytes of buffers still receiving blocks. */
    long bufferBytes() {
        long bytes = 0;
        for (PieceBuffer buffer : buffers.values()) {
            bytes += buffer.data().capacity();
        }
        return bytes;
    }

    /** Bytes of complete pieces waiting for their hash check or their write. */
    long pendingBytes() {
        return pendingBytes;
    }

    /** Completes once no verification is in flight (those in flight at stop finish and report first). */
    Future<Void> drain() {
        drained = Promise.promise();
        if (inFlight == 0) {
            drained.tryComplete();
        }
        return drained.future();
    }
}

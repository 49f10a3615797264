package me.bittorrent.engine.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spare piece buffers, reused instead of a new zeroed array per piece. One pool serves every session of the
 * process ({@link #SHARED}), so the next download takes the buffers the last one gave back: a download started on
 * a running service allocates none, where each new torrent used to allocate its own (16 MiB of 1 MiB arrays), which
 * the serial collector promoted into an old generation it had just shrunk, costing full collections in the middle
 * of the transfer. Bounded in bytes over every piece length; a buffer beyond the bound is left to the collector.
 *
 * <p>Thread-safe without locks (sessions live on different event loops); used once per piece, not per block.
 */
final class PieceBuffers {

    /** The process's pool, as large as one download's pending bound. */
    static final PieceBuffers SHARED = new PieceBuffers(PieceVerifier.MAX_SPARE_BYTES);

    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final ConcurrentHashMap<Integer, ConcurrentLinkedDeque<byte[]>> byLength = new ConcurrentHashMap<>();

    PieceBuffers(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A spare buffer of exactly {@code length} bytes (its content is stale), or a new one. */
    byte[] take(int length) {
        ConcurrentLinkedDeque<byte[]> spares = byLength.get(length);
        byte[] buffer = spares == null ? null : spares.pollFirst();
        if (buffer == null) {
            return new byte[length];
        }
        bytes.addAndGet(-length);
        return buffer;
    }

    /** Keeps {@code buffer} for reuse if the pool has room; nobody else may hold it any more. */
    void give(byte[] buffer) {
        if (bytes.addAndGet(buffer.length) > maxBytes) {
            bytes.addAndGet(-buffer.length);
            return;
        }
        byLength.computeIfAbsent(buffer.length, k -> new ConcurrentLinkedDeque<>()).offerFirst(buffer);
    }

    /** Bytes of spare buffers held. */
    long spareBytes() {
        return bytes.get();
    }

    /** Drops every spare buffer. */
    void clear() {
        for (ConcurrentLinkedDeque<byte[]> spares : byLength.values()) {
            for (byte[] b = spares.pollFirst(); b != null; b = spares.pollFirst()) {
                bytes.addAndGet(-b.length);
            }
        }
    }
}

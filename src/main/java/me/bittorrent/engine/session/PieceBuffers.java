package me.bittorrent.engine.session;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.internal.PlatformDependent;

/**
 * One download's piece buffers: memory off the Java heap, aligned to a page, so a verified piece goes to the disk
 * straight from it ({@code O_DIRECT} needs an aligned source; a heap array had to be copied into one first), and the
 * collector never sees a piece. A buffer given back is kept for the next piece, up to a bound in bytes; beyond it,
 * and all of them at {@link #clear}, the memory is freed at once rather than when a collection finds the buffer.
 *
 * <p>Off-heap memory is bounded over the whole process ({@link Budget#PROCESS}): past it a piece gets a heap buffer, written the slower way (through a staging copy). The JVM
 * would otherwise refuse the next direct allocation only after collecting and sleeping on the event loop.
 *
 * <p>Engine context only (one pool per session); the budget is shared by every session and thread-safe.
 */
final class PieceBuffers {

    /** Piece buffers start at a page: any file system's direct-I/O alignment up to 4 KiB. */
    static final int ALIGNMENT = 4096;

    /** Off-heap bytes that piece buffers may hold together; thread-safe. */
    static final class Budget {
        /**
         * Every session's: half the JVM's direct-memory limit, at most 256 MiB (64 MiB with the README's options).
         * Read at the first allocation, not when the class is initialised: a native image initialises it at build.
         */
        static final Budget PROCESS = new Budget(-1);

        private volatile long limit;
        private final AtomicLong used = new AtomicLong();

        /** At most {@code limit} bytes; -1: the process's share, read when first needed. */
        Budget(long limit) {
            this.limit = limit;
        }

        long limit() {
            long l = limit;
            if (l < 0) {
                l = Math.min(256L << 20, PlatformDependent.estimateMaxDirectMemory() / 2);
                limit = l;
            }
            return l;
        }

        /** Off-heap bytes held (spare or in use). */
        long used() {
            return used.get();
        }

        boolean reserve(long bytes) {
            if (used.addAndGet(bytes) <= limit()) {
                return true;
            }
            used.addAndGet(-bytes);
            return false;
        }

        void release(long bytes) {
            used.addAndGet(-bytes);
        }
    }

    /** A piece's bytes ({@code data}, position 0, as long as a piece) and the allocation it is cut from. */
    record PieceBuffer(ByteBuffer data, ByteBuffer memory) {
    }

    private final long maxSpareBytes;
    private final Budget budget;
    private final Map<Integer, ArrayDeque<PieceBuffer>> spares = new HashMap<>();
    private long spareBytes;

    PieceBuffers(long maxSpareBytes) {
        this(maxSpareBytes, Budget.PROCESS);
    }

    PieceBuffers(long maxSpareBytes, Budget budget) {
        this.maxSpareBytes = maxSpareBytes;
        this.budget = budget;
    }

    /** A spare buffer of exactly {@code length} bytes (its content is stale), or a new one. */
    PieceBuffer take(int length) {
        ArrayDeque<PieceBuffer> ofLength = spares.get(length);
        PieceBuffer spare = ofLength == null ? null : ofLength.pollFirst();
        if (spare != null) {
            spareBytes -= length;
            return spare;
        }
        return allocate(length);
    }

    /** Keeps {@code buffer} for reuse if the pool has room, else frees it; nobody else may hold it any more. */
    void give(PieceBuffer buffer) {
        int length = buffer.data().capacity();
        if (spareBytes + length > maxSpareBytes) {
            free(buffer);
            return;
        }
        spareBytes += length;
        spares.computeIfAbsent(length, k -> new ArrayDeque<>()).offerFirst(buffer);
    }

    /** Bytes of spare buffers held. */
    long spareBytes() {
        return spareBytes;
    }

    /** Frees every spare buffer. */
    void clear() {
        for (ArrayDeque<PieceBuffer> ofLength : spares.values()) {
            for (PieceBuffer b = ofLength.pollFirst(); b != null; b = ofLength.pollFirst()) {
                free(b);
            }
        }
        spareBytes = 0;
    }

    private PieceBuffer allocate(int length) {
        long size = (long) length + ALIGNMENT;
        if (!budget.reserve(size)) {
            return heap(length);
        }
        ByteBuffer memory;
        try {
            memory = ByteBuffer.allocateDirect((int) size);
        } catch (OutOfMemoryError e) { // the JVM's direct limit, shared with other users: the heap still works
            budget.release(size);
            return heap(length);
        }
        int skip = memory.alignmentOffset(0, ALIGNMENT) == 0 ? 0 : ALIGNMENT - memory.alignmentOffset(0, ALIGNMENT);
        return new PieceBuffer(memory.slice(skip, length), memory);
    }

    private static PieceBuffer heap(int length) {
        ByteBuffer data = ByteBuffer.allocate(length);
        return new PieceBuffer(data, data);
    }

    private void free(PieceBuffer buffer) {
        ByteBuffer memory = buffer.memory();
        if (memory.isDirect()) {
            budget.release(memory.capacity());
            PlatformDependent.freeDirectBuffer(memory);
        }
    }
}

package me.bittorrent.engine.session;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.buffer.impl.VertxByteBufAllocator;
import io.vertx.core.impl.TaskQueue;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.storage.PieceJournal;
import me.bittorrent.storage.PieceStore;
import org.jboss.logging.Logger;

/**
 * One session's disk: its {@link PieceStore} behind an ordered queue on the worker pool, so the store sees one thread
 * at a time and calls run in submission order. Every method is called on the engine context and returns a future
 * that completes there. The store exists once {@link #open} succeeded; calls before that touch nothing.
 */
final class DiskIo {

    private static final Logger LOG = Logger.getLogger(DiskIo.class);

    /** Opens a torrent's files (on the disk thread); a seam for tests that inject open failures. */
    @FunctionalInterface
    interface Opener {
        PieceStore open(TorrentMeta meta, Path downloadDir, boolean[] selection, boolean preallocate)
                throws java.io.IOException;
    }

    /** The engine context: results complete there. */
    private final ContextInternal context;
    /**
     * This session's disk calls, run one at a time in submission order on Vert.x's shared worker pool: no thread
     * of its own (200 started torrents used to keep 200 idle disk threads, their stacks and the JVM's per-thread
     * work), and still one thread at a time for the store.
     */
    private final TaskQueue queue = new TaskQueue();
    /**
     * This session's piece hashes, one at a time, beside {@link #queue}: a piece is hashed while the one before it
     * is being written, so the hash thread never waits for the disk (an O_DIRECT write blocks until the device has
     * the data) and the pieces waiting for both stay few.
     */
    private final TaskQueue hashes = new TaskQueue();
    /** The worker pool both queues run on (Vert.x's, shared by every session). */
    private final Executor workers;
    /** Appended on the disk thread before and after each piece write; null when the integrator keeps none. */
    private final PieceJournal journal;
    private final Opener opener;
    /**
     * Vert.x's pooled allocator, the one its sockets write from: upload buffers share its arenas. A field, not a
     * static: the native image must not hold the allocator in its image heap.
     */
    private final ByteBufAllocator allocator = VertxByteBufAllocator.POOLED_ALLOCATOR;
    private boolean journalBroken;
    private PieceStore store;

    /** Created on the engine context. */
    DiskIo(Vertx vertx, TorrentMeta meta, Path journalPath) {
        this(vertx, meta, journalPath, PieceStore::new);
    }

    /** Created on the engine context. */
    DiskIo(Vertx vertx, TorrentMeta meta, Path journalPath, Opener opener) {
        this.context = (ContextInternal) vertx.getOrCreateContext();
        this.workers = context.workerPool().executor();
        this.journal = journalPath == null ? null : new PieceJournal(journalPath);
        this.opener = opener;
    }

    /** Runs {@code task} in this session's disk order (tests hold the disk busy with it); completes on the context. */
    <T> Future<T> run(Callable<T> task) {
        return context.executeBlocking(task, queue);
    }

    /**
     * Opens the files; with {@code verified} null, checks every piece against its hash first; with
     * {@code suspects} or {@code sample} not empty, trusts {@code verified} after checking those
     * ({@link PieceStore#checkAfterUncleanStop}). Completes with the verified pieces. The store is kept even when
     * the caller stopped meanwhile, so {@link #close} closes it.
     */
    Future<BitSet> open(TorrentMeta meta, Path downloadDir, boolean[] selection, boolean preallocate,
            BitSet verified, BitSet suspects, BitSet sample) {
        return run(() -> {
            PieceStore opened = opener.open(meta, downloadDir, selection, preallocate);
            BitSet good = verified == null ? opened.checkAll()
                    : suspects.isEmpty() && sample.isEmpty() ? verified
                    : opened.checkAfterUncleanStop(verified, suspects, sample);
            if (verified == null || !suspects.isEmpty()) {
                LOG.infof("'%s': %d piece(s) hashed from disk, %d verified", meta.name(), opened.hashedPieces(),
                        good.cardinality());
            } else if (!sample.isEmpty() && opened.hashedPieces() > sample.cardinality()) {
                LOG.infof("'%s': %d piece(s) hashed from disk, %d verified", meta.name(), opened.hashedPieces(),
                        good.cardinality()); // a sampled piece failed: every piece was checked
            }
            return new Opened(opened, good);
        }).map(opened -> {
            store = opened.store();
            return opened.verified();
        });
    }

    private record Opened(PieceStore store, BitSet verified) {
    }

    /** Hashes {@code pieces} from disk (an unclean stop's suspects, while the torrent downloads): those that match. */
    Future<BitSet> check(BitSet pieces) {
        PieceStore source = store;
        return run(() -> source.check(pieces));
    }

    /**
     * Runs a piece's hash {@code check} in this session's hash order and, when it matched, writes the piece
     * ({@code data} from 0 to its limit) in its disk order, queued from the hash thread: nothing unverified is ever
     * written, the piece goes back to the context once (when written, or at once when it failed), and the next
     * piece's hash overlaps this one's write.
     */
    Future<PieceVerifier.Checked> checkThenWrite(int piece, ByteBuffer data, Callable<PieceVerifier.Checked> check) {
        PieceStore target = store;
        Promise<PieceVerifier.Checked> result = context.promise(); // listeners run on the context
        queued(hashes, result, () -> {
            PieceVerifier.Checked checked;
            try {
                checked = check.call();
            } catch (Throwable failed) {
                result.fail(failed);
                return;
            }
            if (!checked.ok()) {
                result.complete(checked);
                return;
            }
            queued(queue, result, () -> {
                try {
                    note(piece, true);
                    target.writePiece(piece, data);
                    note(piece, false);
                    result.complete(checked);
                } catch (Throwable failed) {
                    result.fail(failed);
                }
            });
        });
        return result.future();
    }

    /**
     * Queues {@code task} on the worker pool in {@code order}; a pool that refuses it (shutting down) fails
     * {@code result}, as executeBlocking does, so a piece in flight still settles and a stop's drain ends.
     */
    private void queued(TaskQueue order, Promise<?> result, Runnable task) {
        try {
            order.execute(task, workers);
        } catch (RejectedExecutionException refused) {
            result.fail(refused);
        }
    }

    /**
     * Reads blocks of a piece that follow each other from {@code begin}, {@code lengths[i]} bytes each, for an
     * upload: each into its own pooled direct buffer after {@code headroom} bytes left for a frame header (its
     * readable bytes: headroom and block). The caller owns the buffers; they are released here when a read fails.
     *
     * <p>Pooled direct buffers rather than a new array per read: the kernel copies the file's pages straight into
     * them (a heap array costs the JDK a copy through a temporary direct buffer, and Netty another into a direct
     * one before the socket), and nothing is allocated per read. That matters most in the native image, whose
     * serial GC gives every array of 128 KiB or more a chunk of its own, mapped and unmapped each time.
     */
    Future<List<ByteBuf>> readBlocks(int piece, int begin, int[] lengths, int headroom) {
        PieceStore source = store;
        return run(() -> {
            List<ByteBuf> blocks = new ArrayList<>(lengths.length);
            try {
                int at = begin;
                for (int length : lengths) {
                    ByteBuf block = allocator.directBuffer(headroom + length, headroom + length);
                    blocks.add(block);
                    source.readBlock(piece, at, block.nioBuffer(headroom, length));
                    block.writerIndex(headroom + length);
                    at += length;
                }
                return blocks;
            } catch (Throwable failed) {
                blocks.forEach(ByteBuf::release);
                throw failed;
            }
        });
    }

    /**
     * On the disk thread: notes a piece write about to begin or just done. A journal that cannot be written costs
     * only a longer check after a kill.
     */
    private void note(int piece, boolean before) {
        if (journal == null || journalBroken) {
            return;
        }
        try {
            if (before) {
                journal.writing(piece);
            } else {
                journal.written(piece);
            }
        } catch (java.io.IOException e) {
            journalBroken = true;
            LOG.warnf("cannot note written pieces (%s): after a crash every piece will be checked", e.getMessage());
        }
    }

    Future<Void> select(boolean[] selection) {
        PieceStore target = store;
        return run(() -> {
            target.setSelection(selection);
            return null;
        });
    }

    /** What was written is on disk when this completes (before the caller persists the verified set). */
    Future<Void> flush() {
        PieceStore target = store;
        if (target == null) {
            return Future.succeededFuture();
        }
        return run(() -> {
            target.flush();
            return null;
        });
    }

    /** Closes the journal and the store after every queued call. */
    Future<Void> close() {
        PieceStore closing = store;
        return run(() -> {
            if (journal != null) {
                journal.close();
            }
            if (closing != null) {
                closing.close();
            }
            return null;
        });
    }
}

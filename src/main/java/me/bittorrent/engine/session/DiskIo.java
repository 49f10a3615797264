package me.bittorrent.engine.session;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.storage.PieceJournal;
import me.bittorrent.storage.PieceStore;
import org.jboss.logging.Logger;

/**
 * One session's disk: its {@link PieceStore} behind a one-thread worker executor, so the store sees one thread
 * at a time and calls run in submission order. Every method is called on the engine context and returns a future
 * that completes there. The store exists once {@link #open} succeeded; calls before that touch nothing.
 */
final class DiskIo {

    private static final Logger LOG = Logger.getLogger(DiskIo.class);
    private static final AtomicLong NUMBERS = new AtomicLong();

    private final WorkerExecutor executor;
    /** Appended on the disk thread after each piece write; null when the integrator keeps none. */
    private final PieceJournal journal;
    private boolean journalBroken;
    private PieceStore store;

    DiskIo(Vertx vertx, TorrentMeta meta, Path journalPath) {
        this.journal = journalPath == null ? null : new PieceJournal(journalPath);
        // Vert.x shares worker executors by name: the name must be unique per session, or two sessions of one
        // torrent (a restart while the old one closes, a seeder and a leecher in one process) share a pool and
        // the first to close it takes the other's queued disk work with it.
        this.executor = vertx.createSharedWorkerExecutor("bt-disk-" + meta.infoHash().hex().substring(0, 12) + "-"
                + NUMBERS.incrementAndGet(), 1);
    }

    /** The one disk thread, for tests that must hold it busy (a disk slower than the network). */
    WorkerExecutor executor() {
        return executor;
    }

    /**
     * Opens the files; with {@code verified} null, checks every piece against its hash first; with
     * {@code suspects} or {@code sample} not empty, trusts {@code verified} after checking those
     * ({@link PieceStore#checkAfterUncleanStop}). Completes with the verified pieces. The store is kept even when
     * the caller stopped meanwhile, so {@link #close} closes it.
     */
    Future<BitSet> open(TorrentMeta meta, Path downloadDir, boolean[] selection, boolean preallocate,
            BitSet verified, BitSet suspects, BitSet sample) {
        return executor.executeBlocking(() -> {
            PieceStore opened = new PieceStore(meta, downloadDir, selection, preallocate);
            BitSet good = verified == null ? opened.checkAll()
                    : suspects.isEmpty() && sample.isEmpty() ? verified
                    : opened.checkAfterUncleanStop(verified, suspects, sample);
            if (verified == null || !suspects.isEmpty() || !sample.isEmpty()) {
                LOG.infof("'%s': %d piece(s) hashed from disk, %d verified", meta.name(), opened.hashedPieces(),
                        good.cardinality());
            }
            return new Opened(opened, good);
        }, true).map(opened -> {
            store = opened.store();
            return opened.verified();
        });
    }

    private record Opened(PieceStore store, BitSet verified) {
    }

    /** Writes a whole piece that passed its hash check (never anything unverified). */
    Future<Void> write(int piece, byte[] data) {
        PieceStore target = store;
        return executor.executeBlocking(() -> {
            target.writePiece(piece, data, 0);
            journalWritten(piece);
            return null;
        }, true);
    }

    /** Reads a block for an upload into a new array. */
    Future<byte[]> read(int piece, int begin, int length) {
        PieceStore source = store;
        return executor.executeBlocking(() -> {
            byte[] block = new byte[length];
            source.readBlock(piece, begin, length, block, 0);
            return block;
        }, true);
    }

    /** On the disk thread. A journal that cannot be written costs only a longer check after a kill. */
    private void journalWritten(int piece) {
        if (journal == null || journalBroken) {
            return;
        }
        try {
            journal.written(piece);
        } catch (java.io.IOException e) {
            journalBroken = true;
            LOG.warnf("cannot note written pieces (%s): after a crash every piece will be checked", e.getMessage());
        }
    }

    Future<Void> select(boolean[] selection) {
        PieceStore target = store;
        return executor.executeBlocking(() -> {
            target.setSelection(selection);
            return null;
        }, true);
    }

    /** What was written is on disk when this completes (before the caller persists the verified set). */
    Future<Void> flush() {
        PieceStore target = store;
        if (target == null) {
            return Future.succeededFuture();
        }
        return executor.executeBlocking(() -> {
            target.flush();
            return null;
        }, true);
    }

    /** Closes the store after every queued call, then the executor. */
    Future<Void> close() {
        PieceStore closing = store;
        Future<Void> closed = executor.executeBlocking(() -> {
            if (journal != null) {
                journal.close();
            }
            if (closing != null) {
                closing.close();
            }
            return null;
        }, true);
        return closed.transform(ar -> {
            executor.close();
            return ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause());
        });
    }
}

package me.bittorrent.engine.session;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.storage.PieceStore;

/**
 * One session's disk: its {@link PieceStore} behind a one-thread worker executor, so the store sees one thread
 * at a time and calls run in submission order. Every method is called on the engine context and returns a future
 * that completes there. The store exists once {@link #open} succeeded; calls before that touch nothing.
 */
final class DiskIo {

    private static final AtomicLong NUMBERS = new AtomicLong();

    /** Opens a torrent's files (on the disk thread); a seam for tests that inject open failures. */
    @FunctionalInterface
    interface Opener {
        PieceStore open(TorrentMeta meta, Path downloadDir, boolean[] selection, boolean preallocate)
                throws java.io.IOException;
    }

    private final WorkerExecutor executor;
    private final Opener opener;
    private PieceStore store;

    DiskIo(Vertx vertx, TorrentMeta meta) {
        this(vertx, meta, PieceStore::new);
    }

    DiskIo(Vertx vertx, TorrentMeta meta, Opener opener) {
        this.opener = opener;
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
     * Opens the files; with {@code verified} null, checks every piece against its hash first. Completes with the
     * verified pieces. The store is kept even when the caller stopped meanwhile, so {@link #close} closes it.
     */
    Future<BitSet> open(TorrentMeta meta, Path downloadDir, boolean[] selection, boolean preallocate,
            BitSet verified) {
        return executor.executeBlocking(() -> {
            PieceStore opened = opener.open(meta, downloadDir, selection, preallocate);
            return new Opened(opened, verified != null ? verified : opened.checkAll());
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
        Future<Void> closed = closing == null ? Future.succeededFuture() : executor.executeBlocking(() -> {
            closing.close();
            return null;
        }, true);
        return closed.transform(ar -> {
            executor.close();
            return ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause());
        });
    }
}

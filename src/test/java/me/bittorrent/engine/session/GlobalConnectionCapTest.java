package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.ConnectionBudget;
import me.bittorrent.wire.IncomingGate;
import me.bittorrent.wire.PeerServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 2: outgoing connections of every torrent share one global cap; a dial that finds it reached waits
 * and goes ahead once a place is given back.
 */
class GlobalConnectionCapTest {

    @TempDir
    Path tmp;

    @Test
    void aSecondTorrentWaitsForAPlaceThenConnects() throws Exception {
        Vertx vertx = Vertx.vertx();
        Context context = vertx.getOrCreateContext();
        PeerServer server = new PeerServer();
        try {
            Path seedDir = tmp.resolve("seed");
            TorrentMeta meta = TestTorrents.create(seedDir, "cap", 32 * 1024,
                    List.of(new TestTorrents.FileSpec("a.bin", 200_000)), List.of(), 9);
            BitSet all = new BitSet();
            all.set(0, meta.pieceCount());
            byte[] seedId = SessionHarness.newPeerId();
            TorrentSession seeder = new TorrentSession(vertx, context, seedId, 0, SessionHarness.NO_TRACKER, meta,
                    seedDir, SessionSettings.DEFAULTS, null, all);
            int seedPort = SessionHarness.listen(vertx, context, server, meta, seedId, seeder);
            seeder.start().await().atMost(Duration.ofSeconds(30));

            ConnectionBudget budget = new ConnectionBudget(1, new IncomingGate(new IncomingGate.Caps(64, 100, 8)));
            // two leechers that never finish (nothing verified is ever written: they stay connected while paused)
            List<io.vertx.core.Promise<Void>> firstWrites = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<io.vertx.core.Promise<Void>> secondWrites = new java.util.concurrent.CopyOnWriteArrayList<>();
            TorrentSession first = leecher(vertx, context, meta, Files.createDirectories(tmp.resolve("one")), budget,
                    firstWrites);
            TorrentSession second = leecher(vertx, context, meta, Files.createDirectories(tmp.resolve("two")), budget,
                    secondWrites);
            first.start().await().atMost(Duration.ofSeconds(30));
            first.addPeer("127.0.0.1", seedPort);
            await(() -> first.latestSnapshot().peersConnected() == 1, "the first torrent connects");

            second.start().await().atMost(Duration.ofSeconds(30));
            second.addPeer("127.0.0.1", seedPort);
            second.snapshot().await().atMost(Duration.ofSeconds(5)); // its dial round ran on the context
            assertEquals(1, budget.outgoing(), "the cap is reached: the second torrent's dial waits");
            assertEquals(0, second.snapshot().await().atMost(Duration.ofSeconds(5)).peersConnected());

            context.runOnContext(v -> firstWrites.forEach(io.vertx.core.Promise::tryComplete)); // stop drains writes
            first.stop().await().atMost(Duration.ofSeconds(30));
            await(() -> second.latestSnapshot().peersConnected() == 1, "the place given back goes to the waiting dial");
            assertTrue(budget.total() <= 1, "total " + budget.total());
            context.runOnContext(v -> secondWrites.forEach(io.vertx.core.Promise::tryComplete));
            second.stop().await().atMost(Duration.ofSeconds(30));
            await(() -> budget.outgoing() == 0, "every place is given back");
            seeder.stop().await().atMost(Duration.ofSeconds(30));
        } finally {
            server.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static TorrentSession leecher(Vertx vertx, Context context, TorrentMeta meta, Path dir,
            ConnectionBudget budget, List<io.vertx.core.Promise<Void>> writes) {
        TorrentSession leecher = new TorrentSession(vertx, context, SessionHarness.newPeerId(), 0,
                SessionHarness.NO_TRACKER, meta, dir, SessionSettings.DEFAULTS, null, new BitSet());
        leecher.connectionBudget(budget);
        // writes are held: the download never ends, so the connection stays (released before the stop)
        leecher.diskWriteFault(piece -> {
            io.vertx.core.Promise<Void> write = io.vertx.core.Promise.promise();
            writes.add(write);
            return write.future();
        });
        return leecher;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20); // bounded poll
        }
    }
}

package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.TorrentMeta;

/** One listening port serves two torrents; each leecher reaches the right seeder session through it. */
class PeerListenerTest {

    @TempDir
    Path tmp;

    @Test
    void oneListenerServesTwoTorrents() throws Exception {
        Vertx vertx = Vertx.vertx();
        Context context = vertx.getOrCreateContext();
        serveTwoTorrents(vertx, context, context, context);
    }

    /**
     * The listener on one event loop, each seeder on another (as SessionRunner spreads torrents): every inbound
     * connection is handed over to its torrent's context, and both downloads complete byte for byte.
     */
    @Test
    void inboundConnectionsReachSeedersOnOtherEventLoops() throws Exception {
        Vertx vertx = Vertx.vertx();
        // each new event-loop context takes the next event loop (Vert.x has 2 per core, at least 2 here)
        io.vertx.core.impl.VertxInternal internal = (io.vertx.core.impl.VertxInternal) vertx;
        Context listenerContext = internal.createEventLoopContext();
        Context first = internal.createEventLoopContext();
        Context second = internal.createEventLoopContext();
        assertNotSame(RateLimitInteropTest.threadOf(listenerContext), RateLimitInteropTest.threadOf(first));
        assertNotSame(RateLimitInteropTest.threadOf(first), RateLimitInteropTest.threadOf(second));
        serveTwoTorrents(vertx, listenerContext, first, second);
    }

    private void serveTwoTorrents(Vertx vertx, Context context, Context firstSeeder, Context secondSeeder)
            throws Exception {
        PeerListener listener = new PeerListener();
        try {
            Path seedDir = tmp.resolve("seed");
            TorrentMeta first = TestTorrents.create(seedDir, "first", 32 * 1024,
                    List.of(new TestTorrents.FileSpec("f.bin", 400_000)), List.of(), 1);
            TorrentMeta second = TestTorrents.create(seedDir, "second", 32 * 1024,
                    List.of(new TestTorrents.FileSpec("s.bin", 300_000)), List.of(), 2);
            byte[] seedId = SessionHarness.newPeerId();
            int port = listener.listen(vertx, context, "127.0.0.1", 0).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            for (TorrentMeta meta : List.of(first, second)) {
                BitSet all = new BitSet();
                all.set(0, meta.pieceCount());
                Context seederContext = meta == first ? firstSeeder : secondSeeder;
                TorrentSession seeder = new TorrentSession(vertx, seederContext, seedId, port,
                        SessionHarness.NO_TRACKER, meta, seedDir, SessionSettings.DEFAULTS, null, all);
                seeder.start().await().atMost(Duration.ofSeconds(30));
                listener.register(seeder, seedId);
            }
            for (TorrentMeta meta : List.of(first, second)) {
                Path leechDir = Files.createDirectories(tmp.resolve("leech-" + meta.name()));
                TorrentSession leecher = new TorrentSession(vertx, context, SessionHarness.newPeerId(), 0,
                        SessionHarness.NO_TRACKER, meta, leechDir, SessionSettings.DEFAULTS, null, new BitSet());
                CompletableFuture<Void> completed = SessionHarness.record(leecher).completed();
                leecher.start().await().atMost(Duration.ofSeconds(30));
                leecher.addPeer("127.0.0.1", port);
                completed.get(30, TimeUnit.SECONDS);
                assertEquals(meta.pieceCount(),
                        leecher.snapshot().await().atMost(Duration.ofSeconds(5)).verified().cardinality());
                leecher.stop().await().atMost(Duration.ofSeconds(30));
                LibtorrentInteropTest.assertSameFiles(meta, seedDir, leechDir);
            }
        } finally {
            listener.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}

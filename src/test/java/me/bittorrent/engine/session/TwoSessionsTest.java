package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.tracker.TrackerClient;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerServer;

/** Two sessions in one JVM over real loopback sockets: one seeds a multi-file torrent, the other downloads it. */
class TwoSessionsTest {

    static final TrackerClient NO_TRACKER = (url, request) -> Uni.createFrom()
            .failure(new IllegalStateException("no tracker in this test"));

    @TempDir
    Path tmp;
    Vertx vertx;
    Context context;
    PeerServer seedServer = new PeerServer();
    PeerServer leechServer = new PeerServer();

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        seedServer.close();
        leechServer.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static byte[] newPeerId() {
        byte[] id = new byte[20];
        ThreadLocalRandom.current().nextBytes(id);
        System.arraycopy("-BM0100-".getBytes(), 0, id, 0, 8);
        return id;
    }

    int listen(PeerServer server, TorrentMeta meta, byte[] peerId, TorrentSession session) throws Exception {
        return listen(vertx, context, server, meta, peerId, session);
    }

    /** Starts a PeerServer on the engine context (so accepted sockets live there) for one session. */
    static int listen(Vertx vertx, Context context, PeerServer server, TorrentMeta meta, byte[] peerId,
            TorrentSession session) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        context.runOnContext(v -> server.listen(vertx, "127.0.0.1", 0,
                ih -> ih.equals(meta.infoHash()) ? Optional.of(Handshake.ours(ih, peerId)) : Optional.empty(),
                session::acceptIncoming).onComplete(ar -> {
                    if (ar.succeeded()) {
                        port.complete(ar.result());
                    } else {
                        port.completeExceptionally(ar.cause());
                    }
                }));
        return port.get(10, TimeUnit.SECONDS);
    }

    @Test
    void leecherDownloadsEveryFileByteForByteFromSeeder() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = tmp.resolve("leech");
        Files.createDirectories(leechDir);
        int pieceLength = 32 * 1024;
        TorrentMeta meta = TestTorrents.create(seedDir, "multi", pieceLength, List.of(
                new TestTorrents.FileSpec("a/b/one.bin", 1_000_003),
                new TestTorrents.FileSpec("empty.txt", 0),
                new TestTorrents.FileSpec("two.bin", 333_333),
                new TestTorrents.FileSpec("c/three.bin", 2 * pieceLength + 5),
                new TestTorrents.FileSpec("c/d/four.bin", 3_000_000)), List.of(), 42);

        byte[] seedId = newPeerId();
        byte[] leechId = newPeerId();
        TorrentSession seeder = new TorrentSession(vertx, context, seedId, 0, NO_TRACKER, meta, seedDir,
                SessionSettings.DEFAULTS, null, null); // null verified: the seeder checks its files first
        TorrentSession leecher = new TorrentSession(vertx, context, leechId, 0, NO_TRACKER, meta, leechDir,
                SessionSettings.DEFAULTS, null, new BitSet());
        int seedPort = listen(seedServer, meta, seedId, seeder);
        listen(leechServer, meta, leechId, leecher);

        CompletableFuture<Void> completed = new CompletableFuture<>();
        ConcurrentLinkedQueue<TorrentEvent> leechEvents = new ConcurrentLinkedQueue<>();
        leecher.events().subscribe().with(e -> {
            leechEvents.add(e);
            if (e instanceof TorrentEvent.Completed) {
                completed.complete(null);
            }
        });

        seeder.start().await().atMost(Duration.ofSeconds(30));
        SessionSnapshot seeding = seeder.snapshot().await().atMost(Duration.ofSeconds(5));
        assertEquals(SessionState.SEEDING, seeding.state());
        assertEquals(meta.pieceCount(), seeding.verified().cardinality(), "the seeder's check found every piece");

        leecher.start().await().atMost(Duration.ofSeconds(30));
        leecher.addPeer("127.0.0.1", seedPort);
        completed.get(60, TimeUnit.SECONDS);

        SessionSnapshot done = leecher.snapshot().await().atMost(Duration.ofSeconds(5));
        assertEquals(SessionState.SEEDING, done.state());
        assertEquals(0, done.bytesLeft());
        assertEquals(meta.pieceCount(), done.verified().cardinality());
        long verifiedEvents = leechEvents.stream().filter(e -> e instanceof TorrentEvent.PieceVerified).count();
        assertEquals(meta.pieceCount(), verifiedEvents);
        assertTrue(leechEvents.stream().anyMatch(e -> e instanceof TorrentEvent.PeerConnected));
        assertTrue(leechEvents.stream().noneMatch(e -> e instanceof TorrentEvent.PieceFailed));

        leecher.stop().await().atMost(Duration.ofSeconds(30));
        SessionSnapshot seedAfter = seeder.snapshot().await().atMost(Duration.ofSeconds(5));
        assertTrue(seedAfter.uploaded() >= meta.totalLength(), "seeder counted its uploads");
        seeder.stop().await().atMost(Duration.ofSeconds(30));

        for (TorrentFile file : meta.files()) {
            Path original = seedDir.resolve("multi").resolve(file.displayPath());
            Path copy = leechDir.resolve("multi").resolve(file.displayPath());
            if (file.length() > 0) {
                assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), file.displayPath());
            }
        }
    }
}

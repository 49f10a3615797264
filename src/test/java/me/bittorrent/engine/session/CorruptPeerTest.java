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

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import me.bittorrent.engine.TorrentEvent;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;
import me.bittorrent.wire.PeerServer;

/**
 * A peer written here claims every piece and answers every request with random bytes, over the real wire
 * protocol. Its pieces fail their hash check, it is banned, and the download completes from an honest seeder.
 */
class CorruptPeerTest {

    @TempDir
    Path tmp;
    Vertx vertx;
    Context context;
    PeerServer seedServer = new PeerServer();
    PeerServer liarServer = new PeerServer();

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        seedServer.close();
        liarServer.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Serves garbage for every request. */
    static void lie(PeerConnection connection, int pieceCount) {
        byte[] bits = new byte[(pieceCount + 7) / 8];
        for (int i = 0; i < pieceCount; i++) {
            bits[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        }
        connection.handler(message -> {
            if (message instanceof PeerMessage.Interested) {
                connection.send(PeerMessage.UNCHOKE);
            } else if (message instanceof PeerMessage.Request r) {
                byte[] junk = new byte[r.length()];
                ThreadLocalRandom.current().nextBytes(junk);
                connection.send(new PeerMessage.Piece(r.piece(), r.begin(), Buffer.buffer(junk)));
            }
        });
        connection.send(new PeerMessage.Bitfield(bits));
    }

    @Test
    void liarIsBannedAndDownloadCompletesFromHonestSeeder() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        TorrentMeta meta = TestTorrents.create(seedDir, "victim", 32 * 1024, List.of(
                new TestTorrents.FileSpec("x.bin", 2_000_000), new TestTorrents.FileSpec("y/z.bin", 777_777)),
                List.of(), 3);
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());

        byte[] seedId = TwoSessionsTest.newPeerId();
        TorrentSession seeder = new TorrentSession(vertx, context, seedId, 0, TwoSessionsTest.NO_TRACKER, meta,
                seedDir, SessionSettings.DEFAULTS, null, all);
        int seedPort = TwoSessionsTest.listen(vertx, context, seedServer, meta, seedId, seeder);
        seeder.start().await().atMost(Duration.ofSeconds(30));

        byte[] liarId = TwoSessionsTest.newPeerId();
        int liarPort = liarServer.listen(vertx, "127.0.0.1", 0,
                ih -> Optional.of(Handshake.ours(ih, liarId)), c -> lie(c, meta.pieceCount()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        TorrentSession leecher = new TorrentSession(vertx, context, TwoSessionsTest.newPeerId(), 0,
                TwoSessionsTest.NO_TRACKER, meta, leechDir, SessionSettings.DEFAULTS, null, new BitSet());
        ConcurrentLinkedQueue<TorrentEvent> events = new ConcurrentLinkedQueue<>();
        CompletableFuture<Void> completed = new CompletableFuture<>();
        leecher.events().subscribe().with(e -> {
            events.add(e);
            if (e instanceof TorrentEvent.Completed) {
                completed.complete(null);
            }
        });
        leecher.start().await().atMost(Duration.ofSeconds(30));
        // the liar first, so it gets its chance to do harm before the honest seeder is there
        leecher.addPeer("127.0.0.1", liarPort);
        CompletableFuture<Void> banned = new CompletableFuture<>();
        String liarAddress = "127.0.0.1:" + liarPort;
        leecher.events().subscribe().with(e -> {
            if (e instanceof TorrentEvent.PeerDisconnected d && d.address().equals(liarAddress)
                    && d.reason().contains("banned")) {
                banned.complete(null);
            }
        });
        banned.get(30, TimeUnit.SECONDS);
        leecher.addPeer("127.0.0.1", seedPort);
        completed.get(60, TimeUnit.SECONDS);

        long failed = events.stream().filter(e -> e instanceof TorrentEvent.PieceFailed).count();
        assertTrue(failed >= 3, "pieces failed: " + failed);
        long liarConnections = events.stream()
                .filter(e -> e instanceof TorrentEvent.PeerConnected c && c.address().equals(liarAddress)).count();
        assertEquals(1, liarConnections, "a banned peer is never connected again");
        leecher.stop().await().atMost(Duration.ofSeconds(30));
        seeder.stop().await().atMost(Duration.ofSeconds(30));
        for (TorrentFile file : meta.files()) {
            assertArrayEquals(Files.readAllBytes(seedDir.resolve("victim").resolve(file.displayPath())),
                    Files.readAllBytes(leechDir.resolve("victim").resolve(file.displayPath())), file.displayPath());
        }
    }
}

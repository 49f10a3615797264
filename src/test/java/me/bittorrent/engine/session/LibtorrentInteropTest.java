package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.wire.PeerServer;

/** Our session against a real libtorrent 2.0 peer (python3-libtorrent) on loopback, both directions. */
class LibtorrentInteropTest {

    @TempDir
    Path tmp;
    Vertx vertx;
    Context context;
    PeerServer server = new PeerServer();

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    TorrentMeta torrent(Path dir) throws Exception {
        return TestTorrents.create(dir, "lt-multi", 256 * 1024, List.of(
                new TestTorrents.FileSpec("docs/a.bin", 5_000_011),
                new TestTorrents.FileSpec("empty.txt", 0),
                new TestTorrents.FileSpec("docs/deep/b.bin", 9_999_999),
                new TestTorrents.FileSpec("c.bin", 1_234_567)), List.of(), 7);
    }

    static void assertSameFiles(TorrentMeta meta, Path expectedDir, Path actualDir) throws Exception {
        for (TorrentFile file : meta.files()) {
            if (file.length() > 0) {
                Path expected = expectedDir.resolve(meta.name()).resolve(file.displayPath());
                Path actual = actualDir.resolve(meta.name()).resolve(file.displayPath());
                assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(actual), file.displayPath());
            }
        }
    }

    @Test
    void downloadsFromLibtorrentSeeder() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        TorrentMeta meta = torrent(seedDir);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            assertEquals(meta.infoHash().hex(), seed.infoHash());

            byte[] peerId = TwoSessionsTest.newPeerId();
            TorrentSession leecher = new TorrentSession(vertx, context, peerId, 0, TwoSessionsTest.NO_TRACKER, meta,
                    leechDir, SessionSettings.DEFAULTS, null, new BitSet());
            CompletableFuture<Void> completed = new CompletableFuture<>();
            leecher.events().subscribe().with(e -> {
                if (e instanceof TorrentEvent.Completed) {
                    completed.complete(null);
                }
            });
            leecher.start().await().atMost(Duration.ofSeconds(30));
            leecher.addPeer("127.0.0.1", seed.port());
            try {
                completed.get(90, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("did not complete: " + leecher.snapshot().await().atMost(Duration.ofSeconds(5))
                        + "\n" + seed.diagnostics(), e);
            }
            SessionSnapshot done = leecher.snapshot().await().atMost(Duration.ofSeconds(5));
            assertEquals(meta.pieceCount(), done.verified().cardinality());
            leecher.stop().await().atMost(Duration.ofSeconds(30));
        }
        assertSameFiles(meta, seedDir, leechDir);
    }

    @Test
    void seedsToLibtorrentLeecher() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        TorrentMeta meta = torrent(seedDir);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());

        byte[] peerId = TwoSessionsTest.newPeerId();
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        TorrentSession seeder = new TorrentSession(vertx, context, peerId, 0, TwoSessionsTest.NO_TRACKER, meta,
                seedDir, SessionSettings.DEFAULTS, null, all);
        int port = TwoSessionsTest.listen(vertx, context, server, meta, peerId, seeder);
        seeder.start().await().atMost(Duration.ofSeconds(30));
        try (LibtorrentPeer leech = LibtorrentPeer.leech(torrentFile, leechDir).noTrackers().recheckOnFinish()
                .connectTo("127.0.0.1", port).start()) {
            LibtorrentPeer.Progress finished = leech.awaitFinished(Duration.ofSeconds(90));
            assertEquals(0, finished.hashFailures());
            SessionSnapshot seeding = seeder.snapshot().await().atMost(Duration.ofSeconds(5));
            assertTrue(seeding.uploaded() >= meta.totalLength(), "uploaded " + seeding.uploaded());
        }
        seeder.stop().await().atMost(Duration.ofSeconds(30));
        assertSameFiles(meta, seedDir, leechDir);
    }
}

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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.wire.PeerServer;

/** Our session against a real libtorrent 2.0 peer (python3-libtorrent) on loopback, both directions. */
class LibtorrentInteropTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @TempDir
    Path tmp;
    final PeerServer server = harness.server();

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

            byte[] peerId = SessionHarness.newPeerId();
            TorrentSession leecher = harness.session(peerId, meta, leechDir, new BitSet());
            CompletableFuture<Void> completed = SessionHarness.record(leecher).completed();
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

        byte[] peerId = SessionHarness.newPeerId();
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        TorrentSession seeder = harness.session(peerId, meta, seedDir, all);
        int port = harness.listen(harness.context(), server, meta, peerId, seeder);
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

package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.wire.PeerServer;

/**
 * BEP 11 against real libtorrent 2.0 on loopback (no tracker, no DHT: PEX is the only way to hear of a peer):
 * we find a seed only through a libtorrent peer's PEX and download from it; a libtorrent leecher finds a seed only
 * through our PEX.
 */
class PexInteropTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @TempDir
    Path tmp;
    final PeerServer server = harness.server();

    TorrentMeta torrent(Path dir) throws Exception {
        return TestTorrents.create(dir, "pex-payload", 64 * 1024,
                List.of(new TestTorrents.FileSpec("data.bin", 4 * 1024 * 1024)), List.of(), 21);
    }

    @Test
    void aSeedHeardOfOnlyThroughALibtorrentPeersPexServesTheDownload() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path middleDir = Files.createDirectories(tmp.resolve("middle"));
        Path ourDir = Files.createDirectories(tmp.resolve("ours"));
        TorrentMeta meta = torrent(seedDir);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            // the middle peer knows the seed and downloads slowly: it has next to nothing to give us
            try (LibtorrentPeer middle = LibtorrentPeer.leech(torrentFile, middleDir).noTrackers()
                    .downloadLimit(16 * 1024).connectTo("127.0.0.1", seed.port()).start()) {
                middle.awaitReady(Duration.ofSeconds(30));
                middle.awaitProgress(p -> p.numPeers() >= 1, Duration.ofSeconds(30));
                TorrentSession ours = harness.session(SessionHarness.newPeerId(), meta, ourDir, new BitSet());
                ours.pex(() -> true);
                Set<String> connected = ConcurrentHashMap.newKeySet();
                CompletableFuture<Void> completed = new CompletableFuture<>();
                ours.events().subscribe().with(e -> {
                    if (e instanceof TorrentEvent.PeerConnected c) {
                        connected.add(c.address());
                    } else if (e instanceof TorrentEvent.Completed) {
                        completed.complete(null);
                    }
                });
                ours.start().await().atMost(Duration.ofSeconds(30));
                ours.addPeer("127.0.0.1", middle.port()); // the only address we are given
                try {
                    completed.get(120, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("not complete; connected to " + connected + "; middle: "
                            + middle.diagnostics(), e);
                }
                assertTrue(connected.contains("127.0.0.1:" + seed.port()),
                        "we dialled the seed, heard of only through PEX: " + connected);
                SessionSnapshot done = ours.snapshot().await().atMost(Duration.ofSeconds(10));
                assertEquals(0, done.bytesLeft());
                ours.stop().await().atMost(Duration.ofSeconds(30));
            }
        }
        LibtorrentInteropTest.assertSameFiles(meta, seedDir, ourDir);
    }

    @Test
    void aLibtorrentLeecherFindsTheSeedThroughOurPex() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path ourDir = Files.createDirectories(tmp.resolve("ours"));
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        TorrentMeta meta = torrent(seedDir);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            byte[] peerId = SessionHarness.newPeerId();
            // we download slowly (16 KiB/s), so we stay connected to the seed and have little to give
            TorrentSession ours = new TorrentSession(harness.vertx(), harness.context(), peerId, 0, SessionHarness.NO_TRACKER, meta,
                    ourDir, new SessionSettings(16 * 1024, 0, 50, 100, false), null, new BitSet());
            ours.pex(() -> true);
            int ourPort = SessionHarness.listen(harness.vertx(), harness.context(), server, meta, peerId, ours);
            ours.start().await().atMost(Duration.ofSeconds(30));
            ours.addPeer("127.0.0.1", seed.port());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ours.snapshot().await().atMost(Duration.ofSeconds(5)).peersConnected() < 1) {
                assertTrue(System.nanoTime() < deadline, "never connected to the libtorrent seed");
                Thread.sleep(100); // bounded poll of a snapshot
            }
            // the leecher is given only our address
            try (LibtorrentPeer leech = LibtorrentPeer.leech(torrentFile, leechDir).noTrackers()
                    .connectTo("127.0.0.1", ourPort).start()) {
                // (its peer count is sampled once a second: the seed may come, serve 4 MiB and go in between)
                LibtorrentPeer.Progress finished = leech.awaitFinished(Duration.ofSeconds(90));
                assertEquals(0, finished.hashFailures());
                // we hold a fraction of the torrent: the rest came from the seed, which only our PEX named
                long ourBytes = meta.totalLength() - ours.snapshot().await().atMost(Duration.ofSeconds(5)).bytesLeft();
                assertTrue(ourBytes < meta.totalLength() / 2, "we have " + ourBytes + " bytes only");
            }
            ours.stop().await().atMost(Duration.ofSeconds(30));
        }
        LibtorrentInteropTest.assertSameFiles(meta, seedDir, leechDir);
    }
}

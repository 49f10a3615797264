package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.HostileMetadataPeer;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.wire.PeerServer;

/**
 * BEP 9 against real libtorrent 2.0 on loopback: our metadata fetch from a libtorrent seed (x.pe only, no
 * tracker), in the presence of hostile peers; and a libtorrent leecher given only a magnet link fetching the
 * metadata from us, then the data.
 */
class MagnetInteropTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @TempDir
    Path tmp;
    final PeerServer server = harness.server();

    /** Many files, so the info dictionary spans several 16 KiB metadata pieces. */
    TorrentMeta torrent(Path dir) throws Exception {
        List<TestTorrents.FileSpec> files = new java.util.ArrayList<>();
        for (int i = 0; i < 800; i++) {
            files.add(new TestTorrents.FileSpec("folder-" + (i % 7) + "/a-rather-long-file-name-number-" + i + ".bin",
                    100 + i));
        }
        return TestTorrents.create(dir, "magnet-multi", 16 * 1024, files, List.of(), 11);
    }

    MetadataSession fetcher(TorrentMeta meta, List<PeerAddress> peers) {
        return new MetadataSession(harness.vertx(), harness.context(), SessionHarness.newPeerId(), 0,
                SessionHarness.NO_TRACKER, meta.infoHash(), "magnet-test", List.of(), peers, SessionSettings.DEFAULTS);
    }

    @Test
    void fetchesTheMetadataFromALibtorrentSeedGivenOnlyItsAddress() throws Exception {
        Path seedDir = tmp.resolve("seed");
        TorrentMeta meta = torrent(seedDir);
        byte[] info = MetainfoParser.infoDictionary(meta.torrentBytes());
        assertTrue(info.length > 2 * UtMetadata.PIECE_SIZE, "several metadata pieces: " + info.length);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            MetadataSession fetch = fetcher(meta, List.of(new PeerAddress("127.0.0.1", seed.port())));
            fetch.start().await().atMost(Duration.ofSeconds(10));
            MetadataSession.Fetched fetched;
            try {
                fetched = fetch.metadata().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no metadata; libtorrent: " + seed.logs() + seed.diagnostics(), e);
            }
            assertArrayEquals(info, fetched.info());
            assertTrue(fetched.peers().contains(new PeerAddress("127.0.0.1", seed.port())), fetched.peers().toString());
            fetch.stop().await().atMost(Duration.ofSeconds(10));
        }
    }

    @Test
    void liarsAndSilentAndOversizedPeersAreBoundedAndTheHonestSeedServes() throws Exception {
        Path seedDir = tmp.resolve("seed");
        TorrentMeta meta = torrent(seedDir);
        byte[] info = MetainfoParser.infoDictionary(meta.torrentBytes());
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        try (HostileMetadataPeer liar = new HostileMetadataPeer(HostileMetadataPeer.Mode.WRONG_HASH, info.length);
                HostileMetadataPeer silent = new HostileMetadataPeer(HostileMetadataPeer.Mode.SILENT, info.length);
                HostileMetadataPeer huge = new HostileMetadataPeer(HostileMetadataPeer.Mode.OVERSIZED, info.length);
                LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            // the hostile peers first: they are dialled and answer before the honest one
            MetadataSession fetch = fetcher(meta, List.of(new PeerAddress("127.0.0.1", liar.port()),
                    new PeerAddress("127.0.0.1", silent.port()), new PeerAddress("127.0.0.1", huge.port())));
            fetch.start().await().atMost(Duration.ofSeconds(10));
            huge.closedByRemote().get(20, TimeUnit.SECONDS); // refused at its handshake: 100 MiB is over the cap
            // wait until the liar was asked, then let the honest seed in
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (liar.requests() == 0) {
                assertTrue(System.nanoTime() < deadline, "the liar was never asked");
                Thread.sleep(50); // bounded poll of the scripted peer's counter
            }
            fetch.addPeer("127.0.0.1", seed.port());
            MetadataSession.Fetched fetched = fetch.metadata().toCompletionStage().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            assertArrayEquals(info, fetched.info(), "only the bytes that hash to the info-hash are accepted");
            liar.closedByRemote().get(10, TimeUnit.SECONDS); // dropped for the wrong hash (or at the hand-over)
            fetch.stop().await().atMost(Duration.ofSeconds(10));
        }
    }

    @Test
    void servesItsMetadataToALibtorrentLeecherThatHasOnlyAMagnetLink() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        TorrentMeta meta = torrent(seedDir);
        byte[] peerId = SessionHarness.newPeerId();
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        TorrentSession seeder = harness.session(peerId, meta, seedDir, all);
        int port = harness.listen(harness.context(), server, meta, peerId, seeder);
        seeder.start().await().atMost(Duration.ofSeconds(30));
        String magnet = "magnet:?xt=urn:btih:" + meta.infoHash().hex() + "&dn=magnet-multi";
        try (LibtorrentPeer leech = LibtorrentPeer.leechMagnet(magnet, leechDir).noTrackers()
                .connectTo("127.0.0.1", port).start()) {
            LibtorrentPeer.Progress finished = leech.awaitFinished(Duration.ofSeconds(90));
            assertEquals(0, finished.hashFailures());
        }
        seeder.stop().await().atMost(Duration.ofSeconds(30));
        LibtorrentInteropTest.assertSameFiles(meta, seedDir, leechDir);
    }
}

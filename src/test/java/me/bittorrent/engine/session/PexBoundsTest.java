package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.HostilePexPeer;
import me.bittorrent.wire.PeerServer;

/**
 * PEX from a hostile peer, between real sockets on loopback: a message naming 10,000 peers and a flood of messages
 * behind it cost at most 50 candidates while an honest download finishes alongside; a private torrent offers no
 * ut_pex and takes nothing from a peer that sends PEX anyway (BEP 27).
 */
class PexBoundsTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @TempDir
    Path tmp;
    final PeerServer server = harness.server();

    @Test
    void tenThousandPeersAndAFloodCostFiftyCandidatesAndTheHonestDownloadFinishes() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        TorrentMeta meta = TestTorrents.create(seedDir, "pex-bounds", 32 * 1024,
                List.of(new TestTorrents.FileSpec("x.bin", 1024 * 1024)), List.of(), 5);
        byte[] seedId = SessionHarness.newPeerId();
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        TorrentSession seeder = harness.session(seedId, meta, seedDir, all);
        int seedPort = SessionHarness.listen(harness.vertx(), harness.context(), server, meta, seedId, seeder);
        TorrentSession leecher = harness.session(SessionHarness.newPeerId(), meta, leechDir, new BitSet());
        leecher.pex(() -> true);
        CompletableFuture<Void> completed = new CompletableFuture<>();
        leecher.events().subscribe().with(e -> {
            if (e instanceof TorrentEvent.Completed) {
                completed.complete(null);
            }
        });
        seeder.start().await().atMost(Duration.ofSeconds(30));
        leecher.start().await().atMost(Duration.ofSeconds(30));
        try (HostilePexPeer hostile = new HostilePexPeer(10_000, 20)) {
            leecher.addPeer("127.0.0.1", hostile.port());
            assertTrue(hostile.theirHandshake().get(20, TimeUnit.SECONDS).contains("6:ut_pexi1e"),
                    "a public torrent offers ut_pex");
            hostile.answered().get(30, TimeUnit.SECONDS); // every PEX message before it was handled
            SessionSnapshot after = leecher.snapshot().await().atMost(Duration.ofSeconds(10));
            // the hostile peer itself + the 50 of its first message; the 20 messages behind it were dropped
            assertEquals(1 + PeerExchange.MAX_LEARNED, after.peersKnown(), "candidates: " + after.peersKnown());
            assertEquals(20L, leecher.pexFloods().await().atMost(Duration.ofSeconds(10)));
            leecher.addPeer("127.0.0.1", seedPort);
            completed.get(60, TimeUnit.SECONDS);
            SessionSnapshot done = leecher.snapshot().await().atMost(Duration.ofSeconds(10));
            assertTrue(done.peersKnown() <= 2 + PeerExchange.MAX_LEARNED, "still bounded: " + done.peersKnown());
        }
        leecher.stop().await().atMost(Duration.ofSeconds(30));
        seeder.stop().await().atMost(Duration.ofSeconds(30));
        LibtorrentInteropTest.assertSameFiles(meta, seedDir, leechDir);
    }

    @Test
    void aPrivateTorrentOffersNoPexAndIgnoresAPeersPex() throws Exception {
        TorrentMeta pub = TestTorrents.create(tmp.resolve("seed"), "pex-private", 32 * 1024,
                List.of(new TestTorrents.FileSpec("x.bin", 100_000)), List.of(), 6);
        TorrentMeta meta = new TorrentMeta(pub.infoHash(), pub.name(), pub.pieceLength(), pub.pieceHashes(),
                pub.totalLength(), pub.files(), pub.multiFile(), pub.announceTiers(), true, pub.torrentBytes());
        TorrentSession session = harness.session(SessionHarness.newPeerId(), meta, Files.createDirectories(tmp.resolve("leech")), new BitSet());
        session.pex(() -> true); // the switch is on: the torrent being private must be enough
        session.start().await().atMost(Duration.ofSeconds(30));
        try (HostilePexPeer hostile = new HostilePexPeer(100, 3)) {
            session.addPeer("127.0.0.1", hostile.port());
            String ours = hostile.theirHandshake().get(20, TimeUnit.SECONDS);
            assertFalse(ours.contains("ut_pex"), "no ut_pex offered for a private torrent: " + ours);
            hostile.answered().get(30, TimeUnit.SECONDS); // its PEX messages (sent to id 1 anyway) were handled
            SessionSnapshot after = session.snapshot().await().atMost(Duration.ofSeconds(10));
            assertEquals(1, after.peersKnown(), "only the peer itself: its PEX was ignored");
            assertEquals(1, after.peersConnected(), "ignored, not a reason to hang up");
            assertEquals(0L, session.pexFloods().await().atMost(Duration.ofSeconds(10)));
        }
        session.stop().await().atMost(Duration.ofSeconds(30));
    }
}

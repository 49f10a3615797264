package me.bittorrent.engine.session;

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
import java.util.concurrent.TimeUnit;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * BEP 5 in the peer protocol between two real sessions on loopback: with a DHT link both handshakes carry the DHT
 * bit and each side hears the other's DHT port in a PORT message; a session without one (a private torrent, or
 * the DHT off) sends neither the bit nor the message.
 */
class DhtPortMessageTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    /** A link that records the PORT messages it is told about. */
    record Recording(int port, ConcurrentLinkedQueue<String> seen) implements DhtLink {
        Recording(int port) {
            this(port, new ConcurrentLinkedQueue<>());
        }

        @Override
        public void nodeSeen(String host, int dhtPort) {
            seen.add(host + ":" + dhtPort);
        }
    }

    @TempDir
    Path tmp;
    final PeerServer server = harness.server();

    @Test
    void bothSidesTellTheirDhtPortWhenBothRunADht() throws Exception {
        Recording seedLink = new Recording(4242);
        Recording leechLink = new Recording(5353);
        download(seedLink, leechLink);
        assertEquals(List.of("127.0.0.1:5353"), List.copyOf(seedLink.seen()), "the seeder heard the leecher's port");
        assertEquals(List.of("127.0.0.1:4242"), List.copyOf(leechLink.seen()), "the leecher heard the seeder's port");
    }

    @Test
    void aSessionWithoutTheDhtSendsNoBitAndNoPort() throws Exception {
        Recording seedLink = new Recording(4242);
        Recording privateLeech = new Recording(0); // port 0: what a private torrent's session sees
        download(seedLink, privateLeech);
        assertTrue(seedLink.seen().isEmpty(), "no PORT message from a session without the DHT: " + seedLink.seen());
        assertTrue(privateLeech.seen().isEmpty(), "no PORT to a peer whose handshake lacks the DHT bit");
    }

    /** The leecher downloads a small torrent from the seeder; returns once it completed. */
    private void download(DhtLink seedLink, DhtLink leechLink) throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        TorrentMeta meta = TestTorrents.create(seedDir, "dht-port", 16384,
                List.of(new TestTorrents.FileSpec("x.bin", 100_000)), List.of(), 7);
        byte[] seedId = SessionHarness.newPeerId();
        TorrentSession seeder = harness.session(seedId, meta, seedDir, null);
        TorrentSession leecher = harness.session(SessionHarness.newPeerId(), meta, leechDir, new BitSet());
        seeder.dht(seedLink);
        leecher.dht(leechLink);
        CompletableFuture<Integer> port = new CompletableFuture<>();
        harness.context().runOnContext(v -> server.listen(harness.vertx(), "127.0.0.1", 0,
                ih -> Optional.of(Handshake.ours(ih, seedId, seeder.dhtPort() > 0)), seeder::acceptIncoming)
                .onComplete(ar -> port.complete(ar.succeeded() ? ar.result() : -1)));
        CompletableFuture<Void> completed = SessionHarness.record(leecher).completed();
        seeder.start().await().atMost(Duration.ofSeconds(30));
        leecher.start().await().atMost(Duration.ofSeconds(30));
        leecher.addPeer("127.0.0.1", port.get(10, TimeUnit.SECONDS));
        completed.get(60, TimeUnit.SECONDS);
        leecher.stop().await().atMost(Duration.ofSeconds(30));
        seeder.stop().await().atMost(Duration.ofSeconds(30));
    }
}

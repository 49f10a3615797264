package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.PeerServer;

/**
 * Issue 4 proof 4: max_connections caps the connections the peer list counts, raising it connects more, and
 * lowering it on a running torrent closes peers within a second while the download goes on. Four of our own
 * seeding sessions (real wire protocol over loopback) are the swarm.
 */
class ConnectionLimitTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    static final int SEEDS = 4;

    @TempDir
    Path tmp;
    final List<PeerServer> servers = new ArrayList<>();
    final List<TorrentSession> seeders = new ArrayList<>();
    TorrentSession leecher;

    @AfterEach
    void tearDown() throws Exception {
        if (leecher != null) {
            leecher.stop().await().atMost(Duration.ofSeconds(30));
        }
        for (TorrentSession seeder : seeders) {
            seeder.stop().await().atMost(Duration.ofSeconds(30));
        }
        for (PeerServer server : servers) {
            server.close();
        }
    }

    SessionSnapshot snap() {
        return leecher.snapshot().await().atMost(Duration.ofSeconds(5));
    }

    /** Polls the snapshot until the condition holds; every sample must also satisfy {@code invariant}. */
    SessionSnapshot await(Predicate<SessionSnapshot> condition, Predicate<SessionSnapshot> invariant,
            Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SessionSnapshot s = snap();
            assertTrue(invariant.test(s), "invariant broken while waiting for " + what + ": " + s);
            if (condition.test(s)) {
                return s;
            }
            assertTrue(System.nanoTime() < deadline, "not " + what + " within " + timeout + ": " + s);
            Thread.sleep(50); // polling the snapshot, bounded by the deadline
        }
    }

    @Test
    void maxConnectionsCapsAndLoweringClosesPeers() throws Exception {
        Path seedDir = tmp.resolve("seed");
        TorrentMeta meta = TestTorrents.create(seedDir, "capped", 64 * 1024,
                List.of(new TestTorrents.FileSpec("data.bin", 8 << 20)), List.of(), 31);
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < SEEDS; i++) {
            byte[] id = SessionHarness.newPeerId();
            TorrentSession seeder = harness.session(id, meta, seedDir, all);
            final PeerServer server = harness.server();
            servers.add(server);
            seeders.add(seeder);
            ports.add(harness.listen(harness.context(), server, meta, id, seeder));
            seeder.start().await().atMost(Duration.ofSeconds(30));
        }
        // 64 KB/s: the 8 MiB download stays running for the whole test
        SessionSettings two = new SessionSettings(64 * 1024, 0, 50, 2, false);
        leecher = harness.session(SessionHarness.newPeerId(), meta, Files.createDirectories(tmp.resolve("leech")), two,
                new BitSet());
        leecher.start().await().atMost(Duration.ofSeconds(30));
        for (int port : ports) {
            leecher.addPeer("127.0.0.1", port);
        }
        await(s -> s.peersConnected() == 2, s -> s.peersConnected() <= 2, Duration.ofSeconds(10), "2 peers");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < until) { // the cap holds while 2 more addresses are known
            assertTrue(snap().peersConnected() <= 2, "over the cap: " + snap());
            Thread.sleep(50); // sampling over a 2 s window
        }
        assertEquals(SEEDS, snap().peersKnown(), "every seed address is known");

        leecher.updateSettings(new SessionSettings(64 * 1024, 0, 50, SEEDS, false));
        await(s -> s.peersConnected() == SEEDS, s -> s.peersConnected() <= SEEDS, Duration.ofSeconds(10),
                "every seed connected after raising the cap");

        long before = snap().downloaded();
        long t0 = System.nanoTime();
        leecher.updateSettings(new SessionSettings(64 * 1024, 0, 50, 1, false));
        await(s -> s.peersConnected() == 1, s -> true, Duration.ofSeconds(1), "one peer left within a second");
        System.out.printf("measured: lowered max_connections 4 -> 1 applied in %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        await(s -> s.downloaded() > before + 64 * 1024, s -> s.peersConnected() <= 1, Duration.ofSeconds(10),
                "the download going on with one peer");
        assertEquals(SessionState.DOWNLOADING, snap().state());

        leecher.updateSettings(new SessionSettings(64 * 1024, 0, 1, 100, false));
        Thread.sleep(1000); // max_peers 1 = what is connected: nothing may change for a while
        assertEquals(1, snap().peersConnected(), "max_peers caps established peers");
    }
}

package me.bittorrent.engine.session;

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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.PeerServer;

/** Download limit as backpressure, pause that stops transfers at once, resume, and a live limit change. */
class PauseAndLimitTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    static final long LIMIT = 512 * 1024;

    @TempDir
    Path tmp;
    final PeerServer server = harness.server();
    TorrentMeta meta;
    TorrentSession seeder;
    TorrentSession leecher;
    int seedPort;
    final CompletableFuture<Void> completed = new CompletableFuture<>();

    @BeforeEach
    void setUp() throws Exception {
        Path seedDir = tmp.resolve("seed");
        meta = TestTorrents.create(seedDir, "limited", 64 * 1024,
                List.of(new TestTorrents.FileSpec("data.bin", 3 * 1024 * 1024)), List.of(), 5);
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        byte[] seedId = SessionHarness.newPeerId();
        seeder = harness.session(seedId, meta, seedDir, all);
        seedPort = harness.listen(harness.context(), server, meta, seedId, seeder);
        seeder.start().await().atMost(Duration.ofSeconds(30));
        SessionSettings limited = new SessionSettings(LIMIT, 0, 50, 100, false);
        leecher = harness.session(SessionHarness.newPeerId(), meta, Files.createDirectories(tmp.resolve("leech")),
                limited, new BitSet());
        leecher.events().subscribe().with(e -> {
            if (e instanceof TorrentEvent.Completed) {
                completed.complete(null);
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        leecher.stop().await().atMost(Duration.ofSeconds(30));
        seeder.stop().await().atMost(Duration.ofSeconds(30));
    }

    SessionSnapshot snap() {
        return leecher.snapshot().await().atMost(Duration.ofSeconds(5));
    }

    SessionSnapshot awaitDownloaded(long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        SessionSnapshot s = snap();
        while (s.downloaded() < bytes) {
            assertTrue(System.nanoTime() < deadline, "stuck at " + s.downloaded());
            Thread.sleep(50); // polling a counter, bounded by the deadline
            s = snap();
        }
        return s;
    }

    @Test
    void limitHoldsPauseStopsResumeCompletes() throws Exception {
        leecher.start().await().atMost(Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        leecher.addPeer("127.0.0.1", seedPort);
        SessionSnapshot first = awaitDownloaded(1024 * 1024);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // 1 MiB at 512 KiB/s with a one-second burst: at least about 1 s
        assertTrue(seconds >= 0.9, "1 MiB took only " + seconds + " s under a 512 KiB/s limit");
        assertTrue(first.downloadRate() <= LIMIT * 3 / 2, "rate " + first.downloadRate());

        leecher.pause().await().atMost(Duration.ofSeconds(5));
        assertEquals(SessionState.PAUSED, snap().state());
        SessionSnapshot atPause = snap();
        Thread.sleep(1500); // measuring that nothing happens for a while
        SessionSnapshot later = snap();
        // blocks already on the wire may still land, nothing new is requested
        assertTrue(later.downloaded() - atPause.downloaded() <= LIMIT + 64 * 1024,
                "downloaded while paused: " + (later.downloaded() - atPause.downloaded()));
        SessionSnapshot settled = snap();
        Thread.sleep(1000);
        assertEquals(settled.downloaded(), snap().downloaded(), "no transfer while paused");
        assertEquals(1, snap().peersConnected(), "pause keeps the peers");

        leecher.updateSettings(SessionSettings.DEFAULTS); // lift the limit live
        leecher.resume().await().atMost(Duration.ofSeconds(5));
        completed.get(30, TimeUnit.SECONDS);
        assertEquals(SessionState.SEEDING, snap().state());
        assertEquals(0, snap().bytesLeft());
    }
}

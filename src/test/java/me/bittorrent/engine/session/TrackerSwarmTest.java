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
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.Opentracker;
import me.bittorrent.tracker.HttpTrackerClient;
import me.bittorrent.tracker.TrackerStatus;
import me.bittorrent.tracker.Trackers;
import me.bittorrent.tracker.UdpTrackerClient;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerServer;

/** Peers found through a real opentracker (HTTP and UDP), with our seeder and with a libtorrent seeder. */
class TrackerSwarmTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @TempDir
    Path tmp;
    Trackers trackers;
    HttpTrackerClient http;
    UdpTrackerClient udp;
    final PeerServer seedServer = harness.server();
    final PeerServer leechServer = harness.server();

    @BeforeEach
    void setUp() {
        Opentracker.assumeInstalled();
        http = new HttpTrackerClient(harness.vertx());
        udp = new UdpTrackerClient(harness.vertx());
        trackers = new Trackers(http, udp);
    }

    @AfterEach
    void tearDown() throws Exception {
        http.close();
        udp.close();
    }

    /** A PeerServer on the engine context whose connections go to the session set later in {@code target}. */
    int listen(PeerServer server, TorrentMeta meta, byte[] peerId, AtomicReference<TorrentSession> target)
            throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        harness.context().runOnContext(v -> server.listen(harness.vertx(), "127.0.0.1", 0,
                ih -> ih.equals(meta.infoHash()) ? Optional.of(Handshake.ours(ih, peerId)) : Optional.empty(),
                c -> target.get().acceptIncoming(c)).onComplete(ar -> {
                    if (ar.succeeded()) {
                        port.complete(ar.result());
                    } else {
                        port.completeExceptionally(ar.cause());
                    }
                }));
        return port.get(10, TimeUnit.SECONDS);
    }

    TorrentMeta torrent(Path seedDir, Opentracker tracker, boolean overUdp) throws Exception {
        // a first meta to learn the info-hash, then the tracker whitelists it (the hash excludes the announce)
        return TestTorrents.create(seedDir, "tracked", 64 * 1024, List.of(
                new TestTorrents.FileSpec("one.bin", 1_500_000), new TestTorrents.FileSpec("sub/two.bin", 700_001)),
                List.of(List.of(overUdp ? tracker.udpUrl() : tracker.url())), 11);
    }

    /** Starts a leecher that knows nothing but the tracker; returns once it completed. */
    TorrentSession leech(TorrentMeta meta, Path leechDir) throws Exception {
        byte[] id = SessionHarness.newPeerId();
        AtomicReference<TorrentSession> ref = new AtomicReference<>();
        int port = listen(leechServer, meta, id, ref);
        TorrentSession leecher = new TorrentSession(harness.vertx(), harness.context(), id, port, trackers, meta,
                leechDir, SessionSettings.DEFAULTS, null, new BitSet());
        ref.set(leecher);
        SessionHarness.Recorder recorder = SessionHarness.record(leecher);
        ConcurrentLinkedQueue<TorrentEvent> events = recorder.events();
        CompletableFuture<Void> completed = recorder.completed();
        leecher.start().await().atMost(Duration.ofSeconds(30));
        try {
            completed.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("not complete: " + leecher.snapshot().await().atMost(Duration.ofSeconds(5))
                    + " events " + events, e);
        }
        assertTrue(events.stream().anyMatch(e -> e instanceof TorrentEvent.TrackerReplied r && r.peers() >= 1),
                events.toString());
        SessionSnapshot done = leecher.snapshot().await().atMost(Duration.ofSeconds(5));
        assertEquals(1, done.trackers().size());
        TrackerStatus status = done.trackers().get(0);
        // "updating" when the "completed" announce is on its way right now
        assertTrue(List.of(TrackerStatus.WORKING, TrackerStatus.UPDATING).contains(status.status()), status.toString());
        assertTrue(status.peersReceived() >= 1, status.toString());
        return leecher;
    }

    @Test
    void ourSeederToOurLeecherOverHttpTracker() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        try (Opentracker tracker = Opentracker.start()) {
            TorrentMeta meta = torrent(seedDir, tracker, false);
            tracker.whitelist(meta.infoHash());
            byte[] seedId = SessionHarness.newPeerId();
            AtomicReference<TorrentSession> ref = new AtomicReference<>();
            int seedPort = listen(seedServer, meta, seedId, ref);
            BitSet all = new BitSet();
            all.set(0, meta.pieceCount());
            TorrentSession seeder = new TorrentSession(harness.vertx(), harness.context(), seedId, seedPort, trackers,
                    meta, seedDir, SessionSettings.DEFAULTS, null, all);
            ref.set(seeder);
            CompletableFuture<Void> announced = new CompletableFuture<>();
            seeder.events().subscribe().with(e -> {
                if (e instanceof TorrentEvent.TrackerReplied) {
                    announced.complete(null);
                }
            });
            seeder.start().await().atMost(Duration.ofSeconds(30));
            announced.get(20, TimeUnit.SECONDS);

            TorrentSession leecher = leech(meta, leechDir);
            leecher.stop().await().atMost(Duration.ofSeconds(30));
            seeder.stop().await().atMost(Duration.ofSeconds(30));
            LibtorrentInteropTest.assertSameFiles(meta, seedDir, leechDir);
        }
    }

    @Test
    void libtorrentSeederOverHttpTracker() throws Exception {
        libtorrentSeeder(false);
    }

    @Test
    void libtorrentSeederOverUdpTracker() throws Exception {
        libtorrentSeeder(true);
    }

    /** The seeder's announce reached the tracker (its log reports the reply), so the tracker will name it. */
    static void awaitTrackerReply(LibtorrentPeer seed) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seed.logs().stream().noneMatch(m -> m.contains("received peers"))) {
            assertTrue(System.nanoTime() < deadline, "libtorrent never heard from the tracker: " + seed.logs());
            Thread.sleep(100); // bounded poll of the peer's log
        }
    }

    void libtorrentSeeder(boolean overUdp) throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        try (Opentracker tracker = Opentracker.start()) {
            TorrentMeta meta = torrent(seedDir, tracker, overUdp);
            tracker.whitelist(meta.infoHash());
            Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
            try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().start()) {
                seed.awaitReady(Duration.ofSeconds(30));
                awaitTrackerReply(seed);
                TorrentSession leecher = leech(meta, leechDir);
                leecher.stop().await().atMost(Duration.ofSeconds(30));
            }
            LibtorrentInteropTest.assertSameFiles(meta, seedDir, leechDir);
        }
    }
}

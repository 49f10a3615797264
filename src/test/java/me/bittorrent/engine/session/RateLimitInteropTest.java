package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.Context;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.wire.PeerServer;

/**
 * Issue 4 proofs 1-3: rate limits as backpressure against real libtorrent 2.0 peers on loopback, each measured
 * over 10 s after a ramp-up. The ratios are printed ("measured ...") so a run shows how close they came.
 */
class RateLimitInteropTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    static final long KIB = 1024;
    static final Duration RAMP_UP = Duration.ofSeconds(3);
    static final Duration WINDOW = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    final PeerServer server = harness.server();

    TorrentMeta torrent(Path dir, String name, int megabytes, long seed) throws Exception {
        return TestTorrents.create(dir, name, 256 * 1024,
                List.of(new TestTorrents.FileSpec("payload.bin", megabytes << 20)), List.of(), seed);
    }

    static SessionSnapshot snap(TorrentSession session) {
        return session.snapshot().await().atMost(Duration.ofSeconds(5));
    }

    /** Bytes/s of {@code counter} over {@code window} (a measurement: the wait is the window itself). */
    static double rateOver(LongSupplier counter, Duration window) throws InterruptedException {
        long c0 = counter.getAsLong();
        long t0 = System.nanoTime();
        Thread.sleep(window.toMillis());
        long c1 = counter.getAsLong();
        return (c1 - c0) / ((System.nanoTime() - t0) / 1e9);
    }

    static void awaitFirstBytes(TorrentSession session, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (snap(session).downloaded() == 0) {
            assertTrue(System.nanoTime() < deadline, "no data within " + timeout + ": " + snap(session));
            Thread.sleep(100); // polling a counter, bounded by the deadline
        }
    }

    static void assertRatio(String what, double measured, long limit) {
        double ratio = measured / limit;
        System.out.printf("measured %s: %.0f B/s against a limit of %d B/s, ratio %.3f%n", what, measured, limit,
                ratio);
        assertTrue(ratio >= 0.8 && ratio <= 1.1, what + ": ratio " + ratio + " (" + measured + " B/s, limit "
                + limit + ")");
    }

    TorrentSession leecher(TorrentMeta meta, Path dir, SessionSettings settings, RateLimiter globalDown)
            throws Exception {
        return leecher(harness.context(), meta, dir, settings, globalDown);
    }

    TorrentSession leecher(Context on, TorrentMeta meta, Path dir, SessionSettings settings, RateLimiter globalDown)
            throws Exception {
        return new TorrentSession(harness.vertx(), on, SessionHarness.newPeerId(), 0, SessionHarness.NO_TRACKER, meta,
                Files.createDirectories(dir), settings, null, new BitSet(), globalDown, null);
    }

    /** Proof 1 (download) and 2: 1024 KB/s holds, then a limit lowered to 512 KB/s mid-download holds too. */
    @Test
    void downloadLimitHoldsAndMovesWhenChanged() throws Exception {
        Path seedDir = tmp.resolve("seed");
        TorrentMeta meta = torrent(seedDir, "limited-down", 40, 11);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            long limit = 1024 * KIB;
            TorrentSession leecher = leecher(meta, tmp.resolve("leech"),
                    new SessionSettings(limit, 0, 50, 100, false), null);
            leecher.start().await().atMost(Duration.ofSeconds(30));
            leecher.addPeer("127.0.0.1", seed.port());
            awaitFirstBytes(leecher, Duration.ofSeconds(20));
            Thread.sleep(RAMP_UP.toMillis()); // ramp-up before measuring
            assertRatio("download at 1024 KB/s", rateOver(() -> snap(leecher).downloaded(), WINDOW), limit);

            long lower = 512 * KIB;
            leecher.updateSettings(new SessionSettings(lower, 0, 50, 100, false));
            Thread.sleep(2000); // "within a second or two": the window starts 2 s after the change
            assertRatio("download after lowering to 512 KB/s",
                    rateOver(() -> snap(leecher).downloaded(), WINDOW), lower);
            leecher.stop().await().atMost(Duration.ofSeconds(30));
        }
    }

    /** Proof 1 (upload): our session seeding to a libtorrent leecher at 1024 KB/s, measured by libtorrent. */
    @Test
    void uploadLimitHolds() throws Exception {
        Path seedDir = tmp.resolve("seed");
        TorrentMeta meta = torrent(seedDir, "limited-up", 24, 12);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        byte[] peerId = SessionHarness.newPeerId();
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        long limit = 1024 * KIB;
        TorrentSession seeder = harness.session(peerId, meta, seedDir, new SessionSettings(0, limit, 50, 100, false),
                all);
        int port = harness.listen(harness.context(), server, meta, peerId, seeder);
        seeder.start().await().atMost(Duration.ofSeconds(30));
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        try (LibtorrentPeer leech = LibtorrentPeer.leech(torrentFile, leechDir).noTrackers()
                .connectTo("127.0.0.1", port).start()) {
            leech.awaitReady(Duration.ofSeconds(30));
            leech.awaitProgress(p -> p.totalDownload() > 0, Duration.ofSeconds(30));
            Thread.sleep(RAMP_UP.toMillis()); // ramp-up before measuring
            // time each end of the window by the arrival of a fresh libtorrent report
            LibtorrentPeer.Progress before = leech.latestProgress().orElseThrow();
            LibtorrentPeer.Progress first = leech.awaitProgress(p -> p != before, Duration.ofSeconds(5));
            long t0 = System.nanoTime();
            long ours0 = snap(seeder).uploaded();
            Thread.sleep(WINDOW.toMillis());
            LibtorrentPeer.Progress mid = leech.latestProgress().orElseThrow();
            LibtorrentPeer.Progress last = leech.awaitProgress(p -> p != mid, Duration.ofSeconds(5));
            double seconds = (System.nanoTime() - t0) / 1e9;
            long ours1 = snap(seeder).uploaded();
            assertRatio("upload at 1024 KB/s, received by libtorrent",
                    (last.totalDownload() - first.totalDownload()) / seconds, limit);
            assertRatio("upload at 1024 KB/s, sent by us", (ours1 - ours0) / seconds, limit);
        }
        seeder.stop().await().atMost(Duration.ofSeconds(30));
    }

    /** Proof 3: a 2048 KB/s global limit shared by two torrents at once: the sum holds, each gets about half. */
    @Test
    void globalLimitIsSharedFairly() throws Exception {
        globalLimitShared(harness.context(), harness.context());
    }

    /** Issue 10: the same with the two torrents on two event loops (two threads share the global bucket). */
    @Test
    void globalLimitHoldsAcrossEventLoops() throws Exception {
        // a new event-loop context takes the next event loop (Vert.x has 2 per core)
        Context other = ((io.vertx.core.impl.VertxInternal) harness.vertx()).createEventLoopContext();
        assertTrue(threadOf(harness.context()) != threadOf(other), "the two torrents run on two threads");
        globalLimitShared(harness.context(), other);
    }

    static Thread threadOf(Context c) throws Exception {
        java.util.concurrent.CompletableFuture<Thread> thread = new java.util.concurrent.CompletableFuture<>();
        c.runOnContext(v -> thread.complete(Thread.currentThread()));
        return thread.get(5, TimeUnit.SECONDS);
    }

    private void globalLimitShared(Context contextA, Context contextB) throws Exception {
        Path seedA = tmp.resolve("seedA");
        Path seedB = tmp.resolve("seedB");
        TorrentMeta metaA = torrent(seedA, "global-a", 40, 21);
        TorrentMeta metaB = torrent(seedB, "global-b", 40, 22);
        Path fileA = Files.write(tmp.resolve("a.torrent"), metaA.torrentBytes());
        Path fileB = Files.write(tmp.resolve("b.torrent"), metaB.torrentBytes());
        long global = 2048 * KIB;
        RateLimiter globalDown = new RateLimiter(global, null);
        try (LibtorrentPeer a = LibtorrentPeer.seed(fileA, seedA).seedMode().noTrackers().start();
                LibtorrentPeer b = LibtorrentPeer.seed(fileB, seedB).seedMode().noTrackers().start()) {
            a.awaitReady(Duration.ofSeconds(30));
            b.awaitReady(Duration.ofSeconds(30));
            TorrentSession la = leecher(contextA, metaA, tmp.resolve("leechA"), SessionSettings.DEFAULTS, globalDown);
            TorrentSession lb = leecher(contextB, metaB, tmp.resolve("leechB"), SessionSettings.DEFAULTS, globalDown);
            la.start().await().atMost(Duration.ofSeconds(30));
            lb.start().await().atMost(Duration.ofSeconds(30));
            la.addPeer("127.0.0.1", a.port());
            lb.addPeer("127.0.0.1", b.port());
            awaitFirstBytes(la, Duration.ofSeconds(20));
            awaitFirstBytes(lb, Duration.ofSeconds(20));
            Thread.sleep(RAMP_UP.toMillis()); // ramp-up before measuring
            long a0 = snap(la).downloaded();
            long b0 = snap(lb).downloaded();
            long t0 = System.nanoTime();
            Thread.sleep(WINDOW.toMillis());
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rateA = (snap(la).downloaded() - a0) / seconds;
            double rateB = (snap(lb).downloaded() - b0) / seconds;
            assertRatio("sum of two torrents under a 2048 KB/s global limit", rateA + rateB, global);
            double shareA = rateA / (rateA + rateB);
            System.out.printf("measured shares: a %.0f B/s, b %.0f B/s (a's share %.3f)%n", rateA, rateB, shareA);
            assertTrue(shareA >= 0.4 && shareA <= 0.6, "unfair: a " + rateA + " B/s, b " + rateB + " B/s");
            la.stop().await().atMost(Duration.ofSeconds(30));
            lb.stop().await().atMost(Duration.ofSeconds(30));
        }
    }
}

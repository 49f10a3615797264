package me.bittorrent.engine.session;

import static me.bittorrent.engine.session.RateLimitInteropTest.KIB;
import static me.bittorrent.engine.session.RateLimitInteropTest.assertRatio;
import static me.bittorrent.engine.session.RateLimitInteropTest.awaitFirstBytes;
import static me.bittorrent.engine.session.RateLimitInteropTest.rateOver;
import static me.bittorrent.engine.session.RateLimitInteropTest.snap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.engine.GlobalPreferences;
import me.bittorrent.engine.GlobalSettingsUpdate;
import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.FilePriority;
import me.bittorrent.state.TorrentRepository;
import me.bittorrent.testing.LibtorrentPeer;

/**
 * Issue 13/14 proofs against a real libtorrent 2.0 seeder on loopback: file priorities order the download (the
 * high-priority file is verified before any piece of the normal one, the skipped file is never fetched), and the
 * alternative speed limits take over the global limiter when switched on and give it back when switched off.
 */
class PrioritiesAndAltSpeedInteropTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    static final Duration WINDOW = Duration.ofSeconds(6);

    @TempDir
    Path tmp;

    static BitSet piecesOf(TorrentMeta meta, TorrentFile f) {
        BitSet pieces = new BitSet();
        pieces.set(meta.geometry().pieceAt(f.offset()), meta.geometry().lastPieceOf(f.offset(), f.length()) + 1);
        return pieces;
    }

    @Test
    void highPriorityFileFirstAndSkippedFileNever() throws Exception {
        Path seedDir = tmp.resolve("seed");
        // the normal file comes first in the torrent: without priorities it would be as likely to go first
        TorrentMeta meta = TestTorrents.create(seedDir, "prio", 256 * 1024, List.of(
                new TestTorrents.FileSpec("normal.bin", 3 << 20),
                new TestTorrents.FileSpec("high.bin", 3 << 20),
                new TestTorrents.FileSpec("skip.bin", 3 << 20)), List.of(), 31);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        BitSet normal = piecesOf(meta, meta.files().get(0));
        BitSet high = piecesOf(meta, meta.files().get(1));
        BitSet skip = piecesOf(meta, meta.files().get(2));
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            TorrentSession leecher = new TorrentSession(harness.vertx(), harness.context(), SessionHarness.newPeerId(), 0,
                    SessionHarness.NO_TRACKER, meta, Files.createDirectories(tmp.resolve("leech")),
                    new SessionSettings(4096 * KIB, 0, 50, 100, false), new boolean[] {true, true, false},
                    new BitSet(), null, null);
            leecher.updatePriorities(new FilePriority[] {FilePriority.NORMAL, FilePriority.HIGH, FilePriority.SKIP});
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> completed = new CompletableFuture<>();
            leecher.events().subscribe().with(e -> {
                if (e instanceof TorrentEvent.PieceVerified v) {
                    order.add(v.piece());
                } else if (e instanceof TorrentEvent.Completed) {
                    completed.complete(null);
                }
            });
            leecher.start().await().atMost(Duration.ofSeconds(30));
            leecher.addPeer("127.0.0.1", seed.port());
            completed.get(60, TimeUnit.SECONDS);
            List<Integer> seen = List.copyOf(order);
            int lastHigh = -1;
            int lastNormal = -1;
            int firstNormal = Integer.MAX_VALUE;
            for (int i = 0; i < seen.size(); i++) {
                int piece = seen.get(i);
                assertTrue(!skip.get(piece), "piece " + piece + " of the skipped file was downloaded: " + seen);
                if (high.get(piece)) {
                    lastHigh = i;
                } else if (normal.get(piece)) {
                    firstNormal = Math.min(firstNormal, i);
                    lastNormal = i;
                }
            }
            assertEquals(high.cardinality() + normal.cardinality(), seen.size(), "every wanted piece once: " + seen);
            // Priority orders what is picked, not what completes: once every high piece is requested, normal pieces
            // are picked while the last high ones are still in flight, and one of them can be verified first. A
            // picker blind to priority interleaves the files (about 11 normal pieces before the last high one).
            long normalBeforeHighDone = seen.subList(0, lastHigh + 1).stream().filter(normal::get).count();
            String story = seen + " (high " + high + ", normal " + normal + ")";
            assertTrue(firstNormal >= high.cardinality() / 2, "the first pieces are the high file's: " + story);
            assertTrue(normalBeforeHighDone <= 3, "at most a pipeline's worth of normal pieces completes before the "
                    + "high-priority file: " + story);
            assertTrue(lastHigh < lastNormal, "the high-priority file completes first: " + story);
            System.out.printf("verified order: %s%n", seen);
            assertTrue(snap(leecher).downloaded() < meta.totalLength() - (3 << 20) + (256 << 10),
                    "the skipped file's bytes were not fetched: " + snap(leecher).downloaded());
            leecher.stop().await().atMost(Duration.ofSeconds(30));
        }
    }

    @Test
    void alternativeLimitsTakeOverWhenSwitchedOnAndGiveBackWhenOff() throws Exception {
        Path seedDir = tmp.resolve("seed");
        TorrentMeta meta = TestTorrents.create(seedDir, "turtle", 256 * 1024,
                List.of(new TestTorrents.FileSpec("payload.bin", 64 << 20)), List.of(), 32);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        GlobalPreferences preferences = new GlobalPreferences(
                new TorrentRepository(harness.vertx(), Files.createDirectories(tmp.resolve("state"))), 1, 0, 0);
        preferences.load().await().atMost(Duration.ofSeconds(10));
        long normal = 2048;
        long alt = 512;
        preferences.update(new GlobalSettingsUpdate(normal, 0L, null, null, null, null, null, null, null, null, null,
                alt, 0L, false)).await().atMost(Duration.ofSeconds(10));
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            TorrentSession leecher = new TorrentSession(harness.vertx(), harness.context(), SessionHarness.newPeerId(), 0,
                    SessionHarness.NO_TRACKER, meta, Files.createDirectories(tmp.resolve("leech")),
                    SessionSettings.DEFAULTS, null, new BitSet(), preferences.downloadLimiter(),
                    preferences.uploadLimiter());
            leecher.start().await().atMost(Duration.ofSeconds(30));
            leecher.addPeer("127.0.0.1", seed.port());
            awaitFirstBytes(leecher, Duration.ofSeconds(20));
            Thread.sleep(RateLimitInteropTest.RAMP_UP.toMillis()); // ramp-up before measuring
            assertRatio("download under the normal 2048 KB/s", rateOver(() -> snap(leecher).downloaded(), WINDOW),
                    normal * KIB);

            preferences.update(GlobalSettingsUpdate.altSpeed(null, null, true)).await().atMost(Duration.ofSeconds(10));
            Thread.sleep(2000); // the window starts 2 s after the switch
            assertRatio("download with the alternative 512 KB/s on",
                    rateOver(() -> snap(leecher).downloaded(), WINDOW), alt * KIB);

            preferences.update(GlobalSettingsUpdate.altSpeed(null, null, false)).await().atMost(Duration.ofSeconds(10));
            Thread.sleep(2000);
            assertRatio("download with the alternative limits off again",
                    rateOver(() -> snap(leecher).downloaded(), WINDOW), normal * KIB);
            leecher.stop().await().atMost(Duration.ofSeconds(30));
        }
    }
}

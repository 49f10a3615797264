package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;

/** Two sessions in one JVM over real loopback sockets: one seeds a multi-file torrent, the other downloads it. */
class TwoSessionsTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @TempDir
    Path tmp;

    @Test
    void leecherDownloadsEveryFileByteForByteFromSeeder() throws Exception {
        Path seedDir = tmp.resolve("seed");
        Path leechDir = tmp.resolve("leech");
        Files.createDirectories(leechDir);
        int pieceLength = 32 * 1024;
        TorrentMeta meta = TestTorrents.create(seedDir, "multi", pieceLength, List.of(
                new TestTorrents.FileSpec("a/b/one.bin", 1_000_003),
                new TestTorrents.FileSpec("empty.txt", 0),
                new TestTorrents.FileSpec("two.bin", 333_333),
                new TestTorrents.FileSpec("c/three.bin", 2 * pieceLength + 5),
                new TestTorrents.FileSpec("c/d/four.bin", 3_000_000)), List.of(), 42);

        byte[] seedId = SessionHarness.newPeerId();
        TorrentSession seeder = harness.session(seedId, meta, seedDir, null); // null verified: it checks its files
        byte[] leechId = SessionHarness.newPeerId();
        TorrentSession leecher = harness.session(leechId, meta, leechDir, new BitSet());
        int seedPort = harness.listen(meta, seedId, seeder);
        harness.listen(meta, leechId, leecher);
        SessionHarness.Recorder leech = SessionHarness.record(leecher);

        seeder.start().await().atMost(Duration.ofSeconds(30));
        SessionSnapshot seeding = seeder.snapshot().await().atMost(Duration.ofSeconds(5));
        assertEquals(SessionState.SEEDING, seeding.state());
        assertEquals(meta.pieceCount(), seeding.verified().cardinality(), "the seeder's check found every piece");

        leecher.start().await().atMost(Duration.ofSeconds(30));
        leecher.addPeer("127.0.0.1", seedPort);
        leech.awaitCompleted(60);

        SessionSnapshot done = leecher.snapshot().await().atMost(Duration.ofSeconds(5));
        assertEquals(SessionState.SEEDING, done.state());
        assertEquals(0, done.bytesLeft());
        assertEquals(meta.pieceCount(), done.verified().cardinality());
        assertEquals(meta.pieceCount(), leech.count(e -> e instanceof TorrentEvent.PieceVerified));
        assertTrue(leech.count(e -> e instanceof TorrentEvent.PeerConnected) > 0);
        assertEquals(0, leech.count(e -> e instanceof TorrentEvent.PieceFailed));

        leecher.stop().await().atMost(Duration.ofSeconds(30));
        SessionSnapshot seedAfter = seeder.snapshot().await().atMost(Duration.ofSeconds(5));
        assertTrue(seedAfter.uploaded() >= meta.totalLength(), "seeder counted its uploads");
        seeder.stop().await().atMost(Duration.ofSeconds(30));

        for (TorrentFile file : meta.files()) {
            Path original = seedDir.resolve("multi").resolve(file.displayPath());
            Path copy = leechDir.resolve("multi").resolve(file.displayPath());
            if (file.length() > 0) {
                assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), file.displayPath());
            }
        }
    }
}

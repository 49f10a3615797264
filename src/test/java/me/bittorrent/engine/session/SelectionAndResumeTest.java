package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.TorrentFile;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.PeerServer;

/** File selection (only selected files appear) and resume from a verified set (nothing verified is fetched again). */
class SelectionAndResumeTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    @TempDir
    Path tmp;
    final PeerServer server = harness.server();
    TorrentMeta meta;
    Path seedDir;
    Path leechDir;
    TorrentSession seeder;
    int seedPort;

    @BeforeEach
    void setUp() throws Exception {
        seedDir = tmp.resolve("seed");
        leechDir = Files.createDirectories(tmp.resolve("leech"));
        meta = TestTorrents.create(seedDir, "sel", 32 * 1024, List.of(
                new TestTorrents.FileSpec("keep/a.bin", 300_001),
                new TestTorrents.FileSpec("skip/b.bin", 500_000),
                new TestTorrents.FileSpec("keep/c.bin", 123_457),
                new TestTorrents.FileSpec("skip/d.bin", 400_000)), List.of(), 21);
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        byte[] seedId = SessionHarness.newPeerId();
        seeder = harness.session(seedId, meta, seedDir, all);
        seedPort = harness.listen(harness.context(), server, meta, seedId, seeder);
        seeder.start().await().atMost(Duration.ofSeconds(30));
    }

    @AfterEach
    void tearDown() throws Exception {
        seeder.stop().await().atMost(Duration.ofSeconds(30));
    }

    TorrentSession leecher(boolean[] selected, BitSet verified, CompletableFuture<Void> completed) {
        return leecher(selected, verified, completed, SessionSettings.DEFAULTS);
    }

    TorrentSession leecher(boolean[] selected, BitSet verified, CompletableFuture<Void> completed,
            SessionSettings settings) {
        TorrentSession leecher = new TorrentSession(harness.vertx(), harness.context(), SessionHarness.newPeerId(), 0,
                SessionHarness.NO_TRACKER, meta, leechDir, settings, selected, verified);
        leecher.events().subscribe().with(e -> {
            if (e instanceof TorrentEvent.Completed) {
                completed.complete(null);
            }
        });
        return leecher;
    }

    void assertSame(int fileIndex) throws Exception {
        TorrentFile f = meta.files().get(fileIndex);
        assertArrayEquals(Files.readAllBytes(seedDir.resolve("sel").resolve(f.displayPath())),
                Files.readAllBytes(leechDir.resolve("sel").resolve(f.displayPath())), f.displayPath());
    }

    @Test
    void onlySelectedFilesAppearComplete() throws Exception {
        boolean[] selected = {true, false, true, false};
        CompletableFuture<Void> completed = new CompletableFuture<>();
        TorrentSession leecher = leecher(selected, new BitSet(), completed);
        leecher.start().await().atMost(Duration.ofSeconds(30));
        leecher.addPeer("127.0.0.1", seedPort);
        completed.get(60, TimeUnit.SECONDS);
        SessionSnapshot done = leecher.snapshot().await().atMost(Duration.ofSeconds(5));
        assertEquals(0, done.bytesLeft());
        assertEquals(PiecePicker.wantedPieces(meta, selected), done.verified(), "exactly the wanted pieces");
        leecher.stop().await().atMost(Duration.ofSeconds(30));
        assertSame(0);
        assertSame(2);
        assertFalse(Files.exists(leechDir.resolve("sel/skip/b.bin")));
        assertFalse(Files.exists(leechDir.resolve("sel/skip/d.bin")));
    }

    /**
     * A first run stopped once {@code pieces} pieces are verified: what its final snapshot says is verified. Its
     * download is limited to 256 KiB/s: unlimited, the whole 1.3 MB torrent can arrive before the stop takes effect
     * (seen in CI on a busy machine), and a second run that starts complete has nothing left to prove.
     */
    BitSet downloadSomeThenStop(int pieces) throws Exception {
        TorrentSession first = leecher(null, new BitSet(), new CompletableFuture<>(),
                new SessionSettings(256 * 1024, 0, 50, 100, false));
        CompletableFuture<Void> enough = new CompletableFuture<>();
        int[] verifiedCount = {0};
        first.events().subscribe().with(e -> {
            if (e instanceof TorrentEvent.PieceVerified && ++verifiedCount[0] == pieces) {
                enough.complete(null);
            }
        });
        first.start().await().atMost(Duration.ofSeconds(30));
        first.addPeer("127.0.0.1", seedPort);
        enough.get(30, TimeUnit.SECONDS);
        first.stop().await().atMost(Duration.ofSeconds(30));
        BitSet verified = first.latestSnapshot().verified();
        assertTrue(verified.cardinality() >= pieces, "verified " + verified.cardinality());
        assertTrue(verified.cardinality() < meta.pieceCount(), "the first run must leave pieces to fetch: " + verified);
        assertEquals(SessionState.STOPPED, first.latestSnapshot().state());
        return verified;
    }

    @Test
    void resumeFetchesOnlyWhatWasNotVerified() throws Exception {
        // first run: stop after some pieces, keep what the final snapshot says is verified
        BitSet persisted = downloadSomeThenStop(10);

        // second run from the persisted set
        CompletableFuture<Void> completed = new CompletableFuture<>();
        TorrentSession second = leecher(null, persisted, completed);
        second.start().await().atMost(Duration.ofSeconds(30));
        second.addPeer("127.0.0.1", seedPort);
        completed.get(60, TimeUnit.SECONDS);
        BitSet missing = new BitSet();
        missing.set(0, meta.pieceCount());
        missing.andNot(persisted);
        assertFetchedOnly(second, missing);
    }

    /**
     * The session, complete, downloaded the {@code missing} pieces and no whole piece more (endgame duplicates may
     * cost a few blocks; re-fetching a piece it had would cost a whole piece); stopped, its files equal the seed's.
     */
    void assertFetchedOnly(TorrentSession session, BitSet missing) throws Exception {
        SessionSnapshot done = session.snapshot().await().atMost(Duration.ofSeconds(5));
        long missingBytes = 0;
        for (int p = missing.nextSetBit(0); p >= 0; p = missing.nextSetBit(p + 1)) {
            missingBytes += meta.pieceSize(p);
        }
        assertTrue(done.downloaded() >= missingBytes, "downloaded " + done.downloaded() + " for " + missingBytes
                + " missing bytes");
        assertTrue(done.downloaded() < missingBytes + 4L * PiecePicker.BLOCK_SIZE,
                "downloaded " + done.downloaded() + " for " + missingBytes + " missing bytes: a whole piece more");
        session.stop().await().atMost(Duration.ofSeconds(30));
        for (int i = 0; i < meta.files().size(); i++) {
            assertSame(i);
        }
    }

    /**
     * After an unclean stop the pieces written since the last save are hashed while the torrent downloads: it
     * reads downloading at once, each suspect whose data is whole is verified without being fetched, a damaged
     * one is fetched again, and the files end up right.
     */
    @Test
    void anUncleanStopsSuspectsAreHashedWhileItDownloads() throws Exception {
        BitSet onDisk = downloadSomeThenStop(12);

        // the last save knew half of them; the rest were written after it (the journal's suspects)
        BitSet saved = new BitSet();
        BitSet suspects = new BitSet();
        int n = 0;
        for (int p = onDisk.nextSetBit(0); p >= 0; p = onDisk.nextSetBit(p + 1)) {
            (n++ % 2 == 0 ? saved : suspects).set(p);
        }
        // one suspect's write was cut by the kill: its bytes on disk are not the piece's
        int damaged = suspects.nextSetBit(0);
        long at = (long) damaged * meta.pieceLength() + 100;
        TorrentFile file = meta.files().stream().filter(f -> f.offset() <= at && at + 64 <= f.offset() + f.length())
                .findFirst().orElseThrow();
        try (var raf = new java.io.RandomAccessFile(leechDir.resolve("sel").resolve(file.displayPath()).toFile(),
                "rw")) {
            raf.seek(at - file.offset());
            raf.write(new byte[64]);
        }

        CompletableFuture<Void> completed = new CompletableFuture<>();
        TorrentSession second = leecher(null, saved, completed);
        second.checkFirst(suspects, new BitSet());
        second.start().await().atMost(Duration.ofSeconds(30));
        assertEquals(SessionState.DOWNLOADING, second.latestSnapshot().state(), "downloading at once, not checking");
        second.addPeer("127.0.0.1", seedPort);
        completed.get(60, TimeUnit.SECONDS);
        // the damaged suspect is fetched again, the whole ones are not
        BitSet missing = new BitSet();
        missing.set(0, meta.pieceCount());
        missing.andNot(onDisk);
        missing.set(damaged);
        assertFetchedOnly(second, missing);
    }
}

package me.bittorrent.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import me.bittorrent.testing.LibtorrentPeer.Progress;
import me.bittorrent.testing.LibtorrentTorrentMaker.MadeTorrent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self-test of the interop harness: two real libtorrent processes swap a multi-file torrent on loopback. */
class LibtorrentHarnessTest {

    @BeforeAll
    static void libtorrentPresent() {
        Tools.requireTool("libtorrent");
    }

    @Test
    void aLibtorrentLeecherGetsAMultiFileTorrentFromALibtorrentSeeder(@TempDir Path tmp) throws IOException {
        Path content = tmp.resolve("seed").resolve("album");
        // 4 MiB in all, sizes that are not multiples of the piece size, nested folders, an empty file
        write(content.resolve("cd1/track one.bin"), 1_500_001, 1);
        write(content.resolve("cd1/deeper/track two.bin"), 1_000_000, 2);
        write(content.resolve("cover.bin"), 4 * 1024 * 1024 - 2_500_001, 3);
        write(content.resolve("empty.txt"), 0, 4);
        MadeTorrent torrent = LibtorrentTorrentMaker.make(content, tmp.resolve("album.torrent"), 256 * 1024);
        assertEquals(16, torrent.pieces());
        assertEquals(4 * 1024 * 1024, torrent.totalSize());

        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrent.torrent(), tmp.resolve("seed")).noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(60));
            assertEquals(torrent.infoHash(), seed.infoHash());
            assertTrue(seed.port() > 0);
            try (LibtorrentPeer leech = LibtorrentPeer.leech(torrent.torrent(), leechDir)
                    .connectTo("127.0.0.1", seed.port()).noTrackers().recheckOnFinish().start()) {
                leech.awaitReady(Duration.ofSeconds(60));
                assertTrue(leech.port() > 0 && leech.port() != seed.port());
                Progress done = leech.awaitFinished(Duration.ofSeconds(90));
                assertTrue(done.complete(), "finished at " + done);
                assertEquals(0, done.hashFailures());
                assertEquals(4 * 1024 * 1024, done.totalDone());
            }
        }
        assertSameTree(content, leechDir.resolve("album"));
    }

    @Test
    void transmissionCompletesFromALibtorrentSeederThatDialsIt(@TempDir Path tmp) throws IOException {
        Tools.requireTool("transmission-cli");
        Path content = tmp.resolve("seed").resolve("one.bin");
        write(content, 3_000_017, 5);
        MadeTorrent torrent = LibtorrentTorrentMaker.make(content, tmp.resolve("one.torrent"), 64 * 1024);
        Path out = tmp.resolve("transmission");
        try (TransmissionLeecher transmission = TransmissionLeecher.start(torrent.torrent(), out);
                LibtorrentPeer seed = LibtorrentPeer.seed(torrent.torrent(), tmp.resolve("seed")).noTrackers()
                        .connectTo("127.0.0.1", transmission.port()).start()) {
            seed.awaitReady(Duration.ofSeconds(60));
            transmission.awaitComplete(Duration.ofSeconds(90));
        }
        assertArrayEquals(Files.readAllBytes(content), Files.readAllBytes(out.resolve("one.bin")));
    }

    private static void write(Path file, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        List<Path> files = relativeFiles(expected);
        assertEquals(files, relativeFiles(actual), "file lists differ");
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)),
                    "content of " + f);
        }
    }

    private static List<Path> relativeFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(root::relativize).sorted().collect(Collectors.toList());
        }
    }
}

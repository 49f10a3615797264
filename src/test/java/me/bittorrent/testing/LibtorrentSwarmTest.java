package me.bittorrent.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.testing.LibtorrentTorrentMaker.MadeTorrent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-test of the swarm the interop tests build: opentracker on loopback, a libtorrent seeder announced to it,
 * and a libtorrent leecher that learns the seeder from the tracker alone (HTTP and UDP announce URLs).
 */
class LibtorrentSwarmTest {

    @BeforeAll
    static void toolsPresent() {
        Tools.requireTool("libtorrent");
        Tools.requireTool("opentracker");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "udp"})
    void aLeecherFindsTheSeederThroughOpentracker(String scheme, @TempDir Path tmp) throws Exception {
        byte[] bytes = new byte[2_000_003];
        new Random(7).nextBytes(bytes);
        Path content = Files.createDirectories(tmp.resolve("seed")).resolve("payload.bin");
        Files.write(content, bytes);
        try (Opentracker tracker = Opentracker.start()) {
            String url = "udp".equals(scheme) ? tracker.udpUrl() : tracker.url();
            MadeTorrent torrent = LibtorrentTorrentMaker.make(content, tmp.resolve("t.torrent"), 64 * 1024, url);
            tracker.whitelist(InfoHash.fromHex(torrent.infoHash()));
            Path out = Files.createDirectories(tmp.resolve("leech"));
            try (LibtorrentPeer seed = LibtorrentPeer.seed(torrent.torrent(), tmp.resolve("seed")).seedMode().start()) {
                seed.awaitReady(Duration.ofSeconds(60)).awaitAnnounced(Duration.ofSeconds(30));
                try (LibtorrentPeer leech = LibtorrentPeer.leech(torrent.torrent(), out).start()) {
                    assertEquals(bytes.length, leech.awaitFinished(Duration.ofSeconds(60)).totalDone());
                }
            }
            assertArrayEquals(bytes, Files.readAllBytes(out.resolve("payload.bin")));
        }
    }
}

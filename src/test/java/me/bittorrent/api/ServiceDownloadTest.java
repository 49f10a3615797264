package me.bittorrent.api;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.Opentracker;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import me.bittorrent.testing.Tools;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service as a user drives it: a libtorrent seeder announced to a real opentracker, the torrent uploaded with
 * POST /upload and started with POST /start; the files must equal the originals. Then pause, resume, stop, and a
 * second start that seeds at once without downloading again; then again with auto_stop, which ends completed.
 */
@QuarkusTest
class ServiceDownloadTest {

    static final List<String> FILES = List.of("a.bin", "sub/b.bin", "sub/deeper/c.bin", "empty.txt");

    @Inject
    DownloadEngine engine;

    @Test
    void downloadsFromALibtorrentSeederThroughTheRestApi() throws Exception {
        Tools.requireTool("libtorrent");
        Path seedDir = Payloads.tempDir("service-seed");
        Path root = seedDir.resolve("album");
        TorrentBuilder.randomFile(root.resolve("a.bin"), 300_001, 1);
        TorrentBuilder.randomFile(root.resolve("sub/b.bin"), 65_536, 2);
        TorrentBuilder.randomFile(root.resolve("sub/deeper/c.bin"), 123_457, 3);
        Files.write(root.resolve("empty.txt"), new byte[0]);
        try (Opentracker tracker = Opentracker.start()) {
            TorrentBuilder builder = TorrentBuilder.of(root).pieceLength(32768).announce(tracker.url());
            tracker.whitelist(InfoHash.fromHex(builder.infoHashHex()));
            Path torrentFile = builder.writeTo(seedDir.resolve("album.torrent"));
            try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().start()) {
                seed.awaitReady(Duration.ofSeconds(30));
                awaitTrackerReply(seed);

                String id = ApiTest.upload(Files.readAllBytes(torrentFile), null);
                given().post("/start/" + id).then().statusCode(200);
                ControlTest.awaitState(id, "seeding", Duration.ofSeconds(90));

                RegisteredTorrent torrent = engine.find(id).orElseThrow();
                Path downloaded = Path.of(torrent.stored().downloadDir()).resolve("album");
                for (String file : FILES) {
                    assertEquals(sha256(root.resolve(file)), sha256(downloaded.resolve(file)), file);
                }
                given().get("/status/" + id).then().statusCode(200)
                        .body("progress", equalTo(100.0f))
                        .body("completed", equalTo(true))
                        .body("downloaded", greaterThanOrEqualTo(300_001 + 65_536 + 123_457))
                        .body("eta", equalTo(0))
                        .body("trackers[0].url", equalTo(tracker.url()))
                        .body("trackers[0].peers_received", greaterThanOrEqualTo(1));
                given().get("/files/" + id).then().body("files.progress", org.hamcrest.Matchers.everyItem(
                        org.hamcrest.Matchers.anyOf(equalTo(100.0f), equalTo(0.0f))));
                given().get("/q/metrics").then().body(containsString("bittorrent_downloaded_bytes_total"))
                        .body(containsString("bittorrent_pieces_verified_total"))
                        .body(containsString("bittorrent_peers_connected"));
                assertEquals(TorrentLifecycle.SEEDING, engine.find(id).orElseThrow().stored().lifecycle());

                given().post("/pause/" + id).then().statusCode(200).body("state", equalTo("paused"));
                given().post("/resume/" + id).then().statusCode(200);
                ControlTest.awaitState(id, "seeding", Duration.ofSeconds(10));
                given().post("/stop/" + id).then().statusCode(200);
                ControlTest.awaitState(id, "completed", Duration.ofSeconds(10));
                RegisteredTorrent stopped = engine.find(id).orElseThrow();
                assertEquals(TorrentLifecycle.STOPPED, stopped.stored().lifecycle());
                assertEquals(torrent.meta().pieceCount(), stopped.verifiedPieces().cardinality());
                assertFalse(stopped.stored().fingerprints().isEmpty());
                long downloadedBefore = stopped.stored().downloaded();

                // the files are as they were: a second start seeds at once, without a check or a download
                given().post("/start/" + id).then().statusCode(200);
                ControlTest.awaitState(id, "seeding", Duration.ofSeconds(10));
                given().post("/stop/" + id).then().statusCode(200);
                ControlTest.awaitState(id, "completed", Duration.ofSeconds(10));
                assertEquals(downloadedBefore, engine.find(id).orElseThrow().stored().downloaded());

                given().post("/remove/" + id + "?delete_files=true").then().statusCode(200);
                assertFalse(Files.exists(downloaded));

                // auto_stop: once complete the torrent stops by itself and shows completed
                ApiTest.upload(Files.readAllBytes(torrentFile), "{\"auto_stop\": true}");
                given().get("/start/" + id).then().statusCode(200);
                ControlTest.awaitState(id, "completed", Duration.ofSeconds(90));
                assertEquals(TorrentLifecycle.STOPPED, engine.find(id).orElseThrow().stored().lifecycle());
                for (String file : FILES) {
                    assertEquals(sha256(root.resolve(file)), sha256(downloaded.resolve(file)), file);
                }
                given().post("/remove/" + id + "?delete_files=true").then().statusCode(200);
            }
        }
    }

    static void awaitTrackerReply(LibtorrentPeer seed) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seed.logs().stream().noneMatch(m -> m.contains("received peers"))) {
            assertTrue(System.nanoTime() < deadline, "libtorrent never heard from the tracker: " + seed.logs());
            Thread.sleep(100); // bounded poll of the peer's log
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}

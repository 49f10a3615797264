package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.RegisteredTorrent;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.Opentracker;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import me.bittorrent.testing.Tools;

/**
 * A magnet link as a user adds it through the API: metadata from a libtorrent seed (found through opentracker, or
 * given as x.pe), then the data; duplicates, bad links, and GET /torrent/{id} before and after the metadata.
 */
@QuarkusTest
class MagnetApiTest {

    @Inject
    DownloadEngine engine;

    record Seeded(Path root, Path torrentFile, TorrentBuilder builder) {
    }

    static Seeded album(String name, String announce) throws Exception {
        Path seedDir = Payloads.tempDir("magnet-seed");
        Path root = seedDir.resolve(name);
        TorrentBuilder.randomFile(root.resolve("a.bin"), 200_003, 1);
        TorrentBuilder.randomFile(root.resolve("sub/b.bin"), 70_000, 2);
        TorrentBuilder.randomFile(root.resolve("c.bin"), 30_000, 3);
        TorrentBuilder builder = TorrentBuilder.of(root).pieceLength(16384);
        if (announce != null) {
            builder = builder.announce(announce);
        }
        return new Seeded(root, builder.writeTo(seedDir.resolve(name + ".torrent")), builder);
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void aMagnetWithATrackerGetsItsMetadataAndDataFromLibtorrent() throws Exception {
        Tools.requireTool("libtorrent");
        try (Opentracker tracker = Opentracker.start()) {
            Seeded s = album("magnet-album", tracker.url());
            String hash = s.builder().infoHashHex();
            tracker.whitelist(InfoHash.fromHex(hash));
            try (LibtorrentPeer seed = LibtorrentPeer.seed(s.torrentFile(), s.root().getParent()).seedMode().start()) {
                seed.awaitReady(Duration.ofSeconds(30));
                ServiceDownloadTest.awaitTrackerReply(seed);
                // BEP 53: files 0 and 1 only (a.bin, c.bin: the info dictionary lists them sorted by path)
                String magnet = "magnet:?xt=urn:btih:" + hash + "&dn=magnet-album&tr=" + enc(tracker.url())
                        + "&so=0,1";
                String id = given().multiPart("magnet", magnet).when().post("/upload").then().statusCode(200)
                        .body("message", equalTo("Magnet link added")).body("name", equalTo("magnet-album"))
                        .extract().path("torrent_id");
                assertEquals(hash, id);
                given().get("/status/" + id).then().body("state", equalTo("stopped"));
                given().get("/torrent/" + id).then().statusCode(404).body("detail", containsString("not known yet"));
                // the same magnet again, or the .torrent of the same info-hash: 409
                given().multiPart("magnet", magnet).when().post("/upload").then().statusCode(409)
                        .body("detail", notNullValue()).body("torrent_id", equalTo(id));
                given().multiPart("file", "t.torrent", Files.readAllBytes(s.torrentFile()), "application/x-bittorrent")
                        .when().post("/upload").then().statusCode(409).body("detail", notNullValue());

                given().post("/start/" + id).then().statusCode(200);
                ControlTest.awaitState(id, "seeding", Duration.ofSeconds(90));

                RegisteredTorrent torrent = engine.find(id).orElseThrow();
                Path downloaded = Path.of(torrent.stored().downloadDir()).resolve("magnet-album");
                assertEquals(ServiceDownloadTest.sha256(s.root().resolve("a.bin")),
                        ServiceDownloadTest.sha256(downloaded.resolve("a.bin")));
                assertEquals(ServiceDownloadTest.sha256(s.root().resolve("c.bin")),
                        ServiceDownloadTest.sha256(downloaded.resolve("c.bin")));
                assertEquals(Map.of("a.bin", true, "c.bin", true, "sub/b.bin", false),
                        torrent.stored().fileSelection(), "so=0,1 applied");

                byte[] served = given().get("/torrent/" + id).then().statusCode(200)
                        .contentType("application/x-bittorrent").extract().asByteArray();
                TorrentMeta meta = MetainfoParser.parse(served, 1 << 24);
                assertEquals(hash, meta.infoHash().hex(), "the .torrent is the fetched info dictionary");
                assertEquals(tracker.url(), meta.announceTiers().get(0).get(0), "with the magnet's tracker");
                assertArrayEquals(MetainfoParser.infoDictionary(Files.readAllBytes(s.torrentFile())),
                        MetainfoParser.infoDictionary(served));
                given().post("/remove/" + id + "?delete_files=true").then().statusCode(200);
            }
        }
    }

    @Test
    void aMagnetWithOnlyAPeerAddressAddedAsJsonDownloads() throws Exception {
        Tools.requireTool("libtorrent");
        Seeded s = album("xpe-album", null);
        String hash = s.builder().infoHashHex();
        try (LibtorrentPeer seed = LibtorrentPeer.seed(s.torrentFile(), s.root().getParent()).seedMode().noTrackers()
                .start()) {
            seed.awaitReady(Duration.ofSeconds(30));
            String magnet = "magnet:?xt=urn:btih:" + hash + "&x.pe=127.0.0.1:" + seed.port();
            String id = given().contentType("application/json").body(Map.of("magnet", magnet))
                    .when().post("/upload").then().statusCode(200).extract().path("torrent_id");
            given().post("/start/" + id).then().statusCode(200);
            ControlTest.awaitState(id, "seeding", Duration.ofSeconds(90));
            Path downloaded = Path.of(engine.find(id).orElseThrow().stored().downloadDir()).resolve("xpe-album");
            for (String file : new String[] {"a.bin", "sub/b.bin", "c.bin"}) {
                assertEquals(ServiceDownloadTest.sha256(s.root().resolve(file)),
                        ServiceDownloadTest.sha256(downloaded.resolve(file)), file);
            }
            given().contentType("application/json").body(Map.of("magnet", magnet)).when().post("/upload").then()
                    .statusCode(409);
            given().post("/remove/" + id + "?delete_files=true").then().statusCode(200);
            assertFalse(Files.exists(downloaded));
        }
    }

    @Test
    void aMagnetWithoutPeersReadsMetadataWhileStartedAndIsPausedAndStoppedLikeAnyOther() {
        String hash = "0123456789abcdef0123456789abcdef01234567";
        String id = given().contentType("application/json")
                .body(Map.of("magnet", "magnet:?xt=urn:btih:" + hash + "&dn=nobody%20seeds%20this"))
                .when().post("/upload").then().statusCode(200).body("name", equalTo("nobody seeds this"))
                .body("pieces", equalTo(0)).extract().path("torrent_id");
        given().post("/start/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "metadata");
        given().get("/status/" + id).then().body("metadata_peers", equalTo(0)).body("total_size", equalTo(0));
        given().get("/files/" + id).then().statusCode(200);
        given().post("/pause/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "paused");
        given().post("/resume/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "metadata");
        given().post("/stop/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "stopped");
        given().get("/torrent/" + id).then().statusCode(404);
        given().post("/remove/" + id).then().statusCode(200);
        given().get("/torrent/" + id).then().statusCode(404).body("detail", equalTo("Download not found"));
    }

    @Test
    void metadataThatHashesRightButEscapesTheDownloadFolderPutsTheTorrentInError() throws Exception {
        // a path with ".." in an info dictionary whose SHA-1 is the magnet's info-hash: no peer can fix that
        byte[] info = ("d5:filesld6:lengthi10e4:pathl2:..4:evileee4:name4:trap12:piece lengthi16384e"
                + "6:pieces20:").getBytes(StandardCharsets.US_ASCII);
        info = java.util.Arrays.copyOf(info, info.length + 21);
        info[info.length - 1] = 'e';
        String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(info));
        try (me.bittorrent.testing.HostileMetadataPeer peer = me.bittorrent.testing.HostileMetadataPeer.serving(info)) {
            String id = given().contentType("application/json")
                    .body(Map.of("magnet", "magnet:?xt=urn:btih:" + hash + "&x.pe=127.0.0.1:" + peer.port()))
                    .when().post("/upload").then().statusCode(200).extract().path("torrent_id");
            given().post("/start/" + id).then().statusCode(200);
            ControlTest.awaitState(id, "error", Duration.ofSeconds(30));
            given().get("/status/" + id).then().body("error", containsString("not a valid torrent"));
            given().get("/torrent/" + id).then().statusCode(404);
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    @Test
    void badMagnetLinksAre400() {
        given().contentType("application/json").body(Map.of("magnet", "magnet:?xt=urn:btih:nothex"))
                .when().post("/upload").then().statusCode(400).body("detail", notNullValue());
        given().contentType("application/json").body(Map.of("magnet", "http://example.org/x.torrent"))
                .when().post("/upload").then().statusCode(400).body("detail", notNullValue());
        given().contentType("application/json").body("{}").when().post("/upload").then().statusCode(400)
                .body("detail", containsString("magnet"));
        given().multiPart("magnet", "magnet:?dn=no-hash").when().post("/upload").then().statusCode(400)
                .body("detail", notNullValue());
        assertTrue(engine.torrents().stream().noneMatch(t -> t.stored().magnet() != null
                && t.stored().magnet().contains("nothex")));
    }
}

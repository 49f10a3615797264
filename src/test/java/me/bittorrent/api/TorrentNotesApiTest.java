package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;

/** Comment, creator, creation date and time active in /status, qBittorrent's info/properties and Transmission. */
@QuarkusTest
class TorrentNotesApiTest {

    static final String QB = "/api/v2/";

    @Inject
    DownloadEngine engine;

    @Test
    void notesAndTimeActiveInEveryApi() throws Exception {
        Path file = Payloads.file(Payloads.tempDir("notes").resolve("notes.bin"), 40000);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(16384);
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("comment", "Ripped by\nsomeone \u202eevil");
        top.put("created by", "mktorrent 1.1");
        top.put("creation date", 1_700_000_000L);
        top.put("info", builder.infoDict());
        String hash = builder.infoHashHex();
        given().multiPart("file", "notes.torrent", TorrentBuilder.encode(top)).multiPart("paused", "true")
                .post(QB + "torrents/add").then().body(equalTo("Ok."));
        try {
            given().get("/status/" + hash).then().statusCode(200)
                    .body("comment", equalTo("Ripped by someone \uFFFDevil"))
                    .body("created_by", equalTo("mktorrent 1.1")).body("creation_date", equalTo(1_700_000_000))
                    .body("time_active", equalTo(0));
            given().get(QB + "torrents/properties?hash=" + hash).then().statusCode(200)
                    .body("comment", equalTo("Ripped by someone \uFFFDevil"))
                    .body("created_by", equalTo("mktorrent 1.1")).body("creation_date", equalTo(1_700_000_000))
                    .body("time_elapsed", equalTo(0));
            Map<String, Object> t = FilePrioritiesApiTest.rpc("torrent-get", Map.of("ids", List.of(hash),
                    "fields", List.of("comment", "creator", "dateCreated", "secondsDownloading")))
                    .getMap("arguments.torrents[0]");
            assertEquals("mktorrent 1.1", t.get("creator"));
            assertEquals(1_700_000_000, t.get("dateCreated"));
            assertEquals("Ripped by someone \uFFFDevil", t.get("comment"));

            // running (no peer: downloading, then stalled) counts as active; stopping keeps the count
            given().formParam("hashes", hash).post(QB + "torrents/start").then().statusCode(200);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int active = 0;
            while (active < 2) {
                assertTrue(System.nanoTime() < deadline, "time_active never reached 2 s: " + active);
                Thread.sleep(200); // bounded poll of the public figure
                active = given().get(QB + "torrents/info?hashes=" + hash).then().extract().path("[0].time_active");
            }
            given().formParam("hashes", hash).post(QB + "torrents/stop").then().statusCode(200);
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (engine.find(hash).orElseThrow().stored().activeSeconds() < 2) {
                assertTrue(System.nanoTime() < deadline, "time active was not stored on stop");
                Thread.sleep(100); // bounded poll of the stored state
            }
            long stored = engine.find(hash).orElseThrow().stored().activeSeconds();
            given().get("/status/" + hash).then().body("time_active", equalTo((int) stored));
        } finally {
            given().formParam("hashes", hash).formParam("deleteFiles", "true").post(QB + "torrents/delete");
        }
    }
}

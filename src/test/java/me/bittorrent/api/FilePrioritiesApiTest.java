package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.state.FilePriority;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;

/** File priorities through the original API, qBittorrent's torrents/files + filePrio and Transmission's torrent-set. */
@QuarkusTest
class FilePrioritiesApiTest {

    static final String QB = "/api/v2/";
    static final String RPC = "/transmission/rpc";

    @Inject
    DownloadEngine engine;

    static JsonPath rpc(String method, Map<String, ?> arguments) {
        String session = given().contentType("application/json").body("{\"method\":\"session-get\"}").post(RPC)
                .then().statusCode(409).extract().header("X-Transmission-Session-Id");
        return given().header("X-Transmission-Session-Id", session).contentType("application/json")
                .body(Map.of("method", method, "arguments", arguments)).post(RPC)
                .then().statusCode(200).extract().jsonPath();
    }

    static List<String> priorities(String hash) {
        return given().get("/files/" + hash).then().statusCode(200).extract().jsonPath().getList("files.priority");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theThreeApisShareOnePriorityPerFile() {
        Path dir = Payloads.tempDir("prio").resolve("Album");
        Payloads.file(dir.resolve("a.bin"), 20000);
        Payloads.file(dir.resolve("b.bin"), 20000);
        Payloads.file(dir.resolve("c.bin"), 20000);
        TorrentBuilder builder = TorrentBuilder.of(dir).pieceLength(16384);
        String hash = builder.infoHashHex();
        given().multiPart("file", "album.torrent", builder.build()).multiPart("paused", "true")
                .post(QB + "torrents/add").then().body(equalTo("Ok."));
        try {
            // the original API: every file normal at first, then the new body shape
            assertEquals(List.of("normal", "normal", "normal"), priorities(hash));
            given().contentType("application/json")
                    .body(Map.of("file_priorities", Map.of("a.bin", "high", "b.bin", "skip", "c.bin", "low")))
                    .post("/files/" + hash).then().statusCode(200)
                    .body("files.priority", equalTo(List.of("high", "skip", "low")))
                    .body("files.selected", equalTo(List.of(true, false, true)));
            assertEquals(Map.of("a.bin", FilePriority.HIGH, "c.bin", FilePriority.LOW),
                    engine.find(hash).orElseThrow().stored().filePriorities(), "kept with the torrent");
            given().contentType("application/json").body(Map.of("file_priorities", Map.of("a.bin", "urgent")))
                    .post("/files/" + hash).then().statusCode(400)
                    .body("detail", containsString("skip, low, normal, high"));
            given().contentType("application/json").body(Map.of("file_priorities", Map.of("nope.bin", "high")))
                    .post("/files/" + hash).then().statusCode(400).body("detail", containsString("nope.bin"));
            // the old body keeps working: selecting b again makes it normal, a keeps its level
            given().contentType("application/json").body(Map.of("file_selections", Map.of("b.bin", true)))
                    .post("/files/" + hash).then().statusCode(200)
                    .body("files.priority", equalTo(List.of("high", "normal", "low")));

            // qBittorrent: 0 skip, 1 normal, 6 high, 7 maximum (high); low has no number of its own there
            given().get(QB + "torrents/files?hash=" + hash).then().statusCode(200)
                    .body("priority", equalTo(List.of(6, 1, 1)));
            given().formParam("hash", hash).formParam("id", "1|2").formParam("priority", "7")
                    .post(QB + "torrents/filePrio").then().statusCode(200);
            given().formParam("hash", hash).formParam("id", "0").formParam("priority", "0")
                    .post(QB + "torrents/filePrio").then().statusCode(200);
            given().get(QB + "torrents/files?hash=" + hash).then().body("priority", equalTo(List.of(0, 6, 6)));
            assertEquals(List.of("skip", "high", "high"), priorities(hash));
            given().formParam("hash", hash).formParam("id", "2").formParam("priority", "1")
                    .post(QB + "torrents/filePrio").then().statusCode(200);
            given().formParam("hash", hash).formParam("id", "0").formParam("priority", "3")
                    .post(QB + "torrents/filePrio").then().statusCode(400);
            assertEquals(List.of("skip", "high", "normal"), priorities(hash));

            // Transmission: wanted and priority apart; -1 low, 0 normal, 1 high
            Map<String, Object> t = rpc("torrent-get", Map.of("ids", List.of(hash),
                    "fields", List.of("priorities", "wanted", "fileStats"))).getMap("arguments.torrents[0]");
            assertEquals(List.of(1, 1, 0), t.get("priorities"), "a skipped file keeps its level (a was high)");
            assertEquals(List.of(0, 1, 1), t.get("wanted"));
            assertEquals("success", rpc("torrent-set", Map.of("ids", List.of(hash), "priority-low", List.of(2),
                    "priority-high", List.of(0), "files-wanted", List.of(0))).getString("result"));
            t = rpc("torrent-get", Map.of("ids", List.of(hash), "fields", List.of("priorities", "wanted",
                    "fileStats"))).getMap("arguments.torrents[0]");
            assertEquals(List.of(1, 1, -1), t.get("priorities"));
            assertEquals(List.of(1, 1, 1), t.get("wanted"));
            assertEquals(-1, ((List<Map<String, Object>>) t.get("fileStats")).get(2).get("priority"));
            assertEquals(List.of("high", "high", "low"), priorities(hash));
            // an empty list means every file, as in Transmission
            assertEquals("success", rpc("torrent-set", Map.of("ids", List.of(hash), "priority-normal", List.of()))
                    .getString("result"));
            assertEquals(List.of("normal", "normal", "normal"), priorities(hash));
            assertEquals(Map.of(), engine.find(hash).orElseThrow().stored().filePriorities());
        } finally {
            given().formParam("hashes", hash).formParam("deleteFiles", "true").post(QB + "torrents/delete");
        }
    }
}

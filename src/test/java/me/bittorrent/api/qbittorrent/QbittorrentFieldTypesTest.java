package me.bittorrent.api.qbittorrent;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON types of a torrents/info item, field by field, as qBittorrent sends them: clients written in typed
 * languages (Sonarr in C#, @ctrl/qbittorrent in TypeScript) fail on a string where a number belongs, on a missing
 * added_on/completion_on, or on tags that is not a string. Whole numbers must not be written as decimals.
 */
@QuarkusTest
class QbittorrentFieldTypesTest {

    static final Set<String> INTEGERS = Set.of("added_on", "amount_left", "completed", "completion_on", "dl_limit",
            "dlspeed", "downloaded", "downloaded_session", "eta", "last_activity", "max_seeding_time", "num_complete",
            "num_incomplete", "num_leechs", "num_seeds", "priority", "seeding_time", "seeding_time_limit",
            "seen_complete", "size", "time_active", "total_size", "trackers_count", "up_limit", "uploaded",
            "uploaded_session", "upspeed");
    static final Set<String> DECIMALS = Set.of("progress", "ratio", "ratio_limit", "max_ratio", "availability");
    static final Set<String> STRINGS = Set.of("hash", "infohash_v1", "infohash_v2", "name", "magnet_uri", "state",
            "category", "tags", "save_path", "content_path", "download_path", "tracker");
    static final Set<String> BOOLEANS = Set.of("auto_tmm", "f_l_piece_prio", "force_start", "seq_dl",
            "super_seeding");

    @Test
    void everyInfoFieldHasQbittorrentsType() {
        TorrentBuilder builder = TorrentBuilder.of(Payloads.file(Payloads.tempDir("qbtypes").resolve("t.bin"), 50000))
                .pieceLength(16384).announce("http://127.0.0.1:1/announce");
        String hash = builder.infoHashHex();
        given().multiPart("torrents", "t.torrent", builder.build()).multiPart("stopped", "true")
                .post("/api/v2/torrents/add").then().statusCode(200).body(equalTo("Ok."));
        try {
            List<Map<String, Object>> items = given().get("/api/v2/torrents/info?hashes=" + hash).then()
                    .statusCode(200).extract().jsonPath().getList("$");
            assertEquals(1, items.size());
            Map<String, Object> item = items.get(0);
            for (String key : INTEGERS) {
                Object v = item.get(key);
                assertTrue(v instanceof Integer || v instanceof Long, key + " is a whole number: " + v);
            }
            for (String key : DECIMALS) {
                assertTrue(item.get(key) instanceof Number, key + " is a number: " + item.get(key));
            }
            for (String key : STRINGS) {
                assertTrue(item.get(key) instanceof String, key + " is a string: " + item.get(key));
            }
            for (String key : BOOLEANS) {
                assertTrue(item.get(key) instanceof Boolean, key + " is a boolean: " + item.get(key));
            }
            double progress = ((Number) item.get("progress")).doubleValue();
            assertTrue(progress >= 0 && progress <= 1, "progress is 0-1");
            assertEquals(8640000, item.get("eta"), "an unknown eta is qBittorrent's 8640000");
            assertEquals("stoppedDL", item.get("state"));
            assertEquals("", item.get("tags"));
            assertEquals("", item.get("category"));
            assertEquals(hash, item.get("infohash_v1"));
            assertTrue(((String) item.get("magnet_uri")).startsWith("magnet:?xt=urn:btih:" + hash + "&dn=t.bin&tr="));
            // sync/maindata carries the same item, without its hash
            JsonPath maindata = given().get("/api/v2/sync/maindata").then().statusCode(200).extract().jsonPath();
            Map<String, Object> synced = maindata.getMap("torrents." + hash);
            item.remove("hash");
            item.keySet().forEach(key -> assertTrue(synced.containsKey(key), "maindata has " + key));
        } finally {
            given().formParam("hashes", hash).post("/api/v2/torrents/delete").then().statusCode(200);
        }
    }
}

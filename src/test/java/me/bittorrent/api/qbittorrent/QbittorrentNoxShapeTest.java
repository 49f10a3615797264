package me.bittorrent.api.qbittorrent;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same .torrent added to qbittorrent-nox (Debian's, WebAPI 2.8) and to this service: every field qBittorrent
 * sends in torrents/info, torrents/properties, torrents/files, torrents/trackers and transfer/info is here too,
 * with the same JSON type (number, string, boolean, array). Our own extra fields (newer WebAPI versions) are free.
 */
@QuarkusTest
class QbittorrentNoxShapeTest {

    @Test
    void fieldsAndTypesMatchQbittorrentNox() throws Exception {
        Path dir = Payloads.tempDir("qbnox");
        TorrentBuilder builder = TorrentBuilder.of(Payloads.file(dir.resolve("same.bin"), 100000))
                .pieceLength(32768).announce("http://127.0.0.1:1/announce");
        String hash = builder.infoHashHex();
        try (QbittorrentNox nox = new QbittorrentNox(dir.resolve("profile"))) {
            nox.add(builder.build());
            given().multiPart("torrents", "same.torrent", builder.build()).multiPart("stopped", "true")
                    .post("/api/v2/torrents/add").then().statusCode(200);
            try {
                JsonPath theirs = awaitListed(nox, hash);
                List<String> problems = new ArrayList<>();
                compare("torrents/info", theirs.getMap("[0]"), ours("torrents/info?hashes=" + hash).getMap("[0]"),
                        problems);
                for (String method : List.of("torrents/properties", "torrents/files", "torrents/trackers")) {
                    JsonPath reference = new JsonPath(nox.get(method + "?hash=" + hash));
                    JsonPath mine = ours(method + "?hash=" + hash);
                    String path = method.equals("torrents/properties") ? "$" : "[-1]";
                    compare(method, reference.getMap(path), mine.getMap(path), problems);
                }
                compare("transfer/info", new JsonPath(nox.get("transfer/info")).getMap("$"),
                        ours("transfer/info").getMap("$"), problems);
                assertEquals(List.of(), problems, "fields missing or of another type than qbittorrent-nox's");
            } finally {
                given().formParam("hashes", hash).post("/api/v2/torrents/delete").then().statusCode(200);
            }
        }
    }

    private static JsonPath ours(String method) {
        return given().get("/api/v2/" + method).then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath awaitListed(QbittorrentNox nox, String hash) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath info = new JsonPath(nox.get("torrents/info?hashes=" + hash));
            if (!info.getList("$").isEmpty()) {
                return info;
            }
            Thread.sleep(100); // bounded wait for qBittorrent to list what it added
        }
        throw new AssertionError("qbittorrent-nox never listed " + hash);
    }

    private static void compare(String method, Map<String, Object> theirs, Map<String, Object> mine,
            List<String> problems) {
        theirs.forEach((key, value) -> {
            if (!mine.containsKey(key)) {
                problems.add(method + ": no " + key);
            } else if (!type(value).equals(type(mine.get(key)))) {
                problems.add(method + ": " + key + " is a " + type(mine.get(key)) + ", qBittorrent's a " + type(value));
            }
        });
    }

    private static String type(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number) {
            return "number";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof List) {
            return "array";
        }
        return value instanceof Map ? "object" : value.getClass().getSimpleName();
    }
}

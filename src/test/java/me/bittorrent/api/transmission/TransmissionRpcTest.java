package me.bittorrent.api.transmission;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TestCredentials;
import me.bittorrent.testing.TorrentBuilder;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Transmission RPC as its clients meet it: the Basic challenge, the session-id handshake, then the methods,
 * with the quirks of transmission-remote (trailing slash, a JSON body labelled as a form).
 */
@QuarkusTest
class TransmissionRpcTest {

    static final String RPC = "/transmission/rpc";

    @Inject
    DownloadEngine engine;

    static String sessionId() {
        return given().contentType("application/json").body("{\"method\":\"session-get\"}").post(RPC)
                .then().statusCode(409).extract().header("X-Transmission-Session-Id");
    }

    static JsonPath call(String method, Map<String, ?> arguments) {
        return given().header("X-Transmission-Session-Id", sessionId()).contentType("application/json")
                .body(Map.of("method", method, "arguments", arguments, "tag", 7)).post(RPC)
                .then().statusCode(200).body("tag", equalTo(7)).extract().jsonPath();
    }

    static Map<String, Object> torrent(Object id, String... fields) {
        List<Map<String, Object>> torrents = call("torrent-get", Map.of("ids", List.of(id), "fields", List.of(fields)))
                .getList("arguments.torrents");
        return torrents.isEmpty() ? null : torrents.get(0);
    }

    static void awaitStatus(int id, List<Integer> statuses) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Object seen = null;
        while (System.nanoTime() < deadline) {
            seen = torrent(id, "status").get("status");
            if (statuses.contains(seen)) {
                return;
            }
            Thread.sleep(50); // bounded poll of the public state
        }
        throw new AssertionError("status never in " + statuses + "; last " + seen);
    }

    @Test
    void challengeAndHandshake() {
        // transmission-remote 3.00 sends its first request without credentials and waits for this challenge
        given().auth().none().body("{}").post(RPC + "/").then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Basic realm=\"Transmission\""));
        // then 409 with the session id, on both paths; a wrong id is refused the same way
        String id = given().body("{\"method\":\"session-get\"}").post(RPC + "/").then().statusCode(409)
                .header("X-Transmission-Session-Id", matchesPattern("[0-9a-f]{48}"))
                .extract().header("X-Transmission-Session-Id");
        given().header("X-Transmission-Session-Id", "stale").body("{}").post(RPC).then().statusCode(409)
                .header("X-Transmission-Session-Id", equalTo(id));
        // its JSON body comes labelled as a form
        given().header("X-Transmission-Session-Id", id).contentType("application/x-www-form-urlencoded")
                .body("{\"method\":\"session-get\",\"arguments\":{\"fields\":[\"version\",\"rpc-version\"]}}")
                .post(RPC + "/").then().statusCode(200).body("result", equalTo("success"))
                .body("arguments.rpc-version", equalTo(17))
                .body("arguments.version", containsString("bittorrent-me"));
        given().header("X-Transmission-Session-Id", id).contentType("application/json").body("{\"method\":\"nope\"}")
                .post(RPC).then().statusCode(200).body("result", equalTo("method name not recognized"));
        given().header("X-Transmission-Session-Id", id).body("not json").post(RPC).then().statusCode(400);
        // a page of another site cannot drive it with the browser's credentials
        given().header("X-Transmission-Session-Id", id).header("Origin", "http://evil.example")
                .body("{\"method\":\"session-get\"}").post(RPC).then().statusCode(403);
    }

    @Test
    void aBodyOverTheCapIsRefusedNotBuffered() {
        byte[] big = new byte[TransmissionRpc.MAX_BODY + 1024]; // under the 20 MiB declared-length check in front
        given().contentType("application/json").body(big).post(RPC).then().statusCode(413)
                .body("detail", containsString("over 16 MiB"));
    }

    @Test
    void sessionMethods() {
        JsonPath session = call("session-get", Map.of());
        assertEquals("success", session.getString("result"));
        assertTrue(session.getString("arguments.download-dir").length() > 0);
        assertEquals(session.getInt("arguments.peer-port"), session.getInt("arguments.peer-port"));
        assertEquals("success", call("session-stats", Map.of()).getString("result"));
        assertTrue(call("session-stats", Map.of()).getInt("arguments.torrentCount") >= 0);
        JsonPath free = call("free-space", Map.of("path", session.getString("arguments.download-dir")));
        assertTrue(free.getLong("arguments.size-bytes") > 0);
        call("session-set", Map.of("speed-limit-down", 300, "speed-limit-down-enabled", true));
        assertEquals(300, call("session-get", Map.of()).getInt("arguments.speed-limit-down"));
        call("session-set", Map.of("speed-limit-down-enabled", false));
        assertFalse(call("session-get", Map.of()).getBoolean("arguments.speed-limit-down-enabled"));
        assertEquals("argument 'peer-port' must be a whole number",
                call("session-set", Map.of("peer-port", "x")).getString("result"));
    }

    @Test
    void torrentLifecycle() throws Exception {
        Path dir = Payloads.tempDir("tr");
        Files.createDirectories(dir.resolve("album"));
        Payloads.file(dir.resolve("album").resolve("a.bin"), 40000);
        Payloads.file(dir.resolve("album").resolve("b.bin"), 30000);
        TorrentBuilder builder = TorrentBuilder.of(dir.resolve("album")).pieceLength(16384)
                .announce("http://127.0.0.1:9/announce");
        String hash = builder.infoHashHex();
        String metainfo = Base64.getEncoder().encodeToString(builder.build());

        JsonPath added = call("torrent-add", Map.of("metainfo", metainfo, "paused", true));
        assertEquals("success", added.getString("result"));
        int id = added.getInt("arguments.torrent-added.id");
        assertEquals(hash, added.getString("arguments.torrent-added.hashString"));
        assertEquals("album", added.getString("arguments.torrent-added.name"));
        // the same again: torrent-duplicate with the same id
        assertEquals(id, call("torrent-add", Map.of("metainfo", metainfo)).getInt("arguments.torrent-duplicate.id"));
        try {
            // what transmission-remote -l asks
            Map<String, Object> t = torrent(id, "error", "errorString", "eta", "id", "isFinished", "leftUntilDone",
                    "name", "peersGettingFromUs", "peersSendingToUs", "rateDownload", "rateUpload", "sizeWhenDone",
                    "status", "uploadRatio", "noSuchField");
            assertEquals(id, t.get("id"));
            assertEquals(0, t.get("status"));
            assertEquals(70000, t.get("sizeWhenDone"));
            assertEquals(70000, t.get("leftUntilDone"));
            assertEquals(-1, t.get("eta"));
            assertFalse(t.containsKey("noSuchField"));
            // a hash names it too; the files carry the torrent's folder
            Map<String, Object> byHash = torrent(hash.toUpperCase(), "id", "files", "wanted", "downloadDir",
                    "hashString", "addedDate", "doneDate", "pieceCount", "percentDone");
            assertEquals(id, byHash.get("id"));
            assertEquals(List.of(1, 1), byHash.get("wanted"));
            assertEquals("album/a.bin", ((List<Map<String, Object>>) byHash.get("files")).get(0).get("name"));
            assertEquals(5, byHash.get("pieceCount"));
            assertTrue(((Number) byHash.get("addedDate")).longValue() > 1_600_000_000L);
            // the table format of the Transmission 4 web client
            List<List<Object>> table = call("torrent-get", Map.of("ids", id, "format", "table",
                    "fields", List.of("id", "name"))).getList("arguments.torrents");
            assertEquals(List.of(List.of("id", "name"), List.of(id, "album")), table);

            assertEquals("success", call("torrent-set", Map.of("ids", List.of(id), "files-unwanted", List.of(1),
                    "downloadLimit", 100, "downloadLimited", true)).getString("result"));
            Map<String, Object> set = torrent(id, "wanted", "downloadLimit", "downloadLimited", "sizeWhenDone");
            assertEquals(List.of(1, 0), set.get("wanted"));
            assertEquals(100, set.get("downloadLimit"));
            assertEquals(true, set.get("downloadLimited"));
            assertEquals(40000, set.get("sizeWhenDone"));
            assertEquals("file index out of range: 9",
                    call("torrent-set", Map.of("ids", id, "files-wanted", List.of(9))).getString("result"));

            assertEquals("success", call("torrent-start", Map.of("ids", List.of(id))).getString("result"));
            awaitStatus(id, List.of(2, 3, 4));
            assertEquals("success", call("torrent-stop", Map.of("ids", List.of(hash))).getString("result"));
            awaitStatus(id, List.of(0));

            // verify, queue moves and set-location reach the engine; what it cannot do is said, never a 500
            assertEquals("success", call("torrent-verify", Map.of("ids", id)).getString("result"));
            assertEquals("success", call("queue-move-top", Map.of("ids", id)).getString("result"));
            Path moved = Files.createDirectories(Path.of("target/rpc-moved-" + System.nanoTime()).toAbsolutePath());
            assertEquals("success", call("torrent-set-location", Map.of("ids", id, "location", moved.toString(),
                    "move", true)).getString("result"));
            assertEquals(moved.toString(), torrent(id, "downloadDir").get("downloadDir"));
            // move false: the folder changes, nothing is moved (the data is said to be there already)
            Path adopted = Files.createDirectories(Path.of("target/rpc-adopted-" + System.nanoTime()).toAbsolutePath());
            assertEquals("success", call("torrent-set-location", Map.of("ids", id, "location", adopted.toString(),
                    "move", false)).getString("result"));
            assertEquals(adopted.toString(), torrent(id, "downloadDir").get("downloadDir"));
            // a magnet link of a torrent we have: the duplicate, named
            assertEquals(id, call("torrent-add", Map.of("filename", "magnet:?xt=urn:btih:" + hash))
                    .getInt("arguments.torrent-duplicate.id"));
            assertTrue(call("torrent-add", Map.of("filename", "/etc/passwd")).getString("result")
                    .contains("not read"));
            assertTrue(call("torrent-add", Map.of("metainfo", "bm90IGEgdG9ycmVudA==")).getString("result")
                    .startsWith("invalid or corrupt torrent file"));
            // the id is kept in the state folder for the next start
            Path idsFile = engine.stateDir().resolve(TorrentIds.FILE);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!(Files.exists(idsFile) && Files.readString(idsFile).contains(hash))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20); // bounded wait for the write on a worker
            }
            assertTrue(Files.readString(idsFile).contains(hash));
        } finally {
            assertEquals("success", call("torrent-remove", Map.of("ids", List.of(id), "delete-local-data", true))
                    .getString("result"));
        }
        assertEquals(null, torrent(id, "id"));
        // the web client asks for "recently-active" and drops what comes back as removed
        assertTrue(call("torrent-get", Map.of("ids", "recently-active", "fields", List.of("id")))
                .getList("arguments.removed").contains(id));
        // ids are never given again
        JsonPath again = call("torrent-add", Map.of("metainfo", metainfo, "paused", true));
        int newId = again.getInt("arguments.torrent-added.id");
        assertTrue(newId > id);
        call("torrent-remove", Map.of("ids", newId));
    }
}

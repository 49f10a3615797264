package me.bittorrent.api.qbittorrent;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 (engine side): a download whose only tracker is dead is {@code stalled}, says why in
 * {@code state_reason}, and is stalledDL in the qBittorrent API; a queued one says why it waits.
 */
@QuarkusTest
class StalledStateTest {

    @Test
    void aDownloadWhoseTrackerIsDeadIsStalledAndSaysWhy() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort(); // closed again: every connection to it is refused
        }
        Path dir = Payloads.tempDir("stalled");
        TorrentBuilder dead = TorrentBuilder.of(Payloads.file(dir.resolve("dead-tracker.bin"), 40000))
                .pieceLength(16384).announce("http://127.0.0.1:" + deadPort + "/announce");
        TorrentBuilder waiting = TorrentBuilder.of(Payloads.file(dir.resolve("waiting.bin"), 40000))
                .pieceLength(16384);
        String id = upload(dead.build(), null);
        String second = upload(waiting.build(), null);
        try {
            given().post("/start/" + id).then().statusCode(200);
            JsonPath status = await(id, s -> "stalled".equals(s.getString("state")));
            String reason = status.getString("state_reason");
            assertTrue(reason.startsWith("no peers: the tracker failed: "), reason);
            assertTrue(reason.contains("connect") && reason.contains(String.valueOf(deadPort)), reason);
            assertTrue(status.getBoolean("downloading"), "a stalled torrent still wants data");

            // the test profile runs one download at a time: the second one waits and says why
            given().post("/start/" + second).then().statusCode(200);
            JsonPath queued = await(second, s -> "queued".equals(s.getString("state")));
            assertEquals("waiting: 1 download already active (max active downloads = 1)",
                    queued.getString("state_reason"));

            String sid = QbittorrentContractTest.login();
            QbittorrentContractTest.awaitState(sid, dead.infoHashHex(), List.of("stalledDL"));
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
            given().post("/remove/" + second).then().statusCode(200);
        }
    }

    @Test
    void aStoppedTorrentHasNoReason() {
        Path dir = Payloads.tempDir("stalled-stopped");
        String id = upload(TorrentBuilder.of(Payloads.file(dir.resolve("idle.bin"), 20000))
                .pieceLength(16384).build(), null);
        try {
            JsonPath status = given().get("/status/" + id).then().statusCode(200).extract().jsonPath();
            assertEquals("stopped", status.getString("state"));
            assertTrue(status.getMap("").containsKey("state_reason"), "the field is always there");
            assertNull(status.get("state_reason"));
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    static String upload(byte[] torrent, String settingsJson) {
        return given().multiPart("file", "test.torrent", torrent, "application/x-bittorrent")
                .when().post("/upload").then().statusCode(200).extract().path("torrent_id");
    }

    static JsonPath await(String id, java.util.function.Predicate<JsonPath> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonPath seen = null;
        while (System.nanoTime() < deadline) {
            seen = given().get("/status/" + id).then().statusCode(200).extract().jsonPath();
            if (wanted.test(seen)) {
                return seen;
            }
            Thread.sleep(100); // bounded poll of the public status
        }
        throw new AssertionError("never reached the wanted state; last seen " + (seen == null ? null : seen.prettify()));
    }
}

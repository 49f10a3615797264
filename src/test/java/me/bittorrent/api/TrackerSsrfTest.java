package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 6: a torrent whose tracker URL is the service's own API cannot drive it. The attacker's
 * torrent names /remove of another torrent as its tracker; starting it must leave the victim and its files alone
 * and show the refusal as the tracker's error.
 */
@QuarkusTest
class TrackerSsrfTest {

    @Test
    void aTrackerUrlPointingAtTheApiIsRefusedAndTheVictimSurvives() throws Exception {
        Path victimDir = Payloads.tempDir("victim");
        Payloads.file(victimDir.resolve("precious.bin"), 20000);
        TorrentBuilder victim = TorrentBuilder.of(victimDir.resolve("precious.bin")).pieceLength(16384);
        String victimId = ApiTest.upload(victim.build(), null);

        int apiPort = RestAssured.port;
        String removeUrl = "http://127.0.0.1:" + apiPort + "/remove/" + victimId + "?delete_files=true";
        String ownPortUrl = "http://localhost:" + apiPort + "/announce";
        String localService = "http://127.0.0.1:9/admin/reboot"; // another local service, not a tracker
        TorrentBuilder attacker = ApiTest.singleFile("bait.bin", 20000)
                .announceList(List.of(List.of(removeUrl), List.of(ownPortUrl), List.of(localService)));
        String attackerId = ApiTest.upload(attacker.build(), null);
        try {
            given().post("/start/" + attackerId).then().statusCode(200);
            awaitTrackerErrors(attackerId, Duration.ofSeconds(20));

            given().get("/status/" + attackerId).then().statusCode(200)
                    .body("trackers.find { it.url == '" + removeUrl + "' }.last_error",
                            equalTo("tracker URL points at this service's own port " + apiPort + ": refused"))
                    .body("trackers.find { it.url == '" + ownPortUrl + "' }.last_error",
                            equalTo("tracker URL points at this service's own port " + apiPort + ": refused"))
                    .body("trackers.find { it.url == '" + localService + "' }.last_error",
                            equalTo("a tracker on a local address must have a path ending in /announce: refused"
                                    + " (SSRF protection)"));
            given().get("/status/" + victimId).then().statusCode(200).body("name", equalTo("precious.bin"));
            assertTrue(Files.exists(victimDir.resolve("precious.bin")));
        } finally {
            given().post("/remove/" + attackerId).then().statusCode(200);
            given().post("/remove/" + victimId).then().statusCode(200);
        }
    }

    private static void awaitTrackerErrors(String id, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        List<String> statuses = null;
        while (System.nanoTime() < deadline) {
            statuses = given().get("/status/" + id).then().statusCode(200).extract().path("trackers.status");
            if (statuses != null && statuses.size() == 3 && statuses.stream().allMatch("error"::equals)) {
                return;
            }
            Thread.sleep(50); // bounded poll of the public status
        }
        throw new AssertionError("the trackers never showed their refusal; last seen " + statuses);
    }
}

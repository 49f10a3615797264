package me.bittorrent.api;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control routes in the test profile (bt.max-concurrent-downloads=1). The torrents name no tracker and no peer
 * connects, so a started torrent stays "downloading".
 */
@QuarkusTest
class ControlTest {

    static final String[] CONTROLS = {"start", "pause", "resume", "stop"};

    @Inject
    DownloadEngine engine;

    static String uploadUnreachable(String name) {
        Path dir = Payloads.tempDir("control");
        TorrentBuilder builder = TorrentBuilder.of(Payloads.file(dir.resolve(name), 40000)).pieceLength(16384);
        return ApiTest.upload(builder.build(), null);
    }

    static void awaitState(String id, String state) {
        awaitState(id, state, Duration.ofSeconds(20));
    }

    static void awaitState(String id, String state, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = given().get("/status/" + id).then().statusCode(200).extract().path("state");
            if (state.equals(seen)) {
                return;
            }
            try {
                Thread.sleep(50); // bounded poll of the public status
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(id + " never reached state " + state + "; last seen " + seen);
    }

    @Test
    void unknownTorrentIs404ForEveryControl() {
        for (String control : CONTROLS) {
            given().get("/" + control + "/" + ApiTest.UNKNOWN_ID).then().statusCode(404)
                    .body("detail", equalTo("Download not found"));
            given().post("/" + control + "/" + ApiTest.UNKNOWN_ID).then().statusCode(404)
                    .body("detail", equalTo("Download not found"));
        }
    }

    @Test
    void crossSiteGetStartIsRefused() {
        String id = uploadUnreachable("csrf.bin");
        try {
            given().header("Origin", "http://evil.example").get("/start/" + id).then().statusCode(403)
                    .body("detail", containsString("Cross-site"));
            given().get("/status/" + id).then().body("state", equalTo("stopped"));
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    @Test
    void secondDownloadWaitsInTheQueueUntilTheFirstStops() {
        String first = uploadUnreachable("first.bin");
        String second = uploadUnreachable("second.bin");
        try {
            given().post("/pause/" + first).then().statusCode(409).body("detail", containsString("not running"));
            given().post("/resume/" + first).then().statusCode(409).body("detail", containsString("not paused"));

            given().get("/start/" + first).then().statusCode(200).body("torrent_id", equalTo(first));
            awaitState(first, "downloading");
            given().post("/start/" + first).then().statusCode(200); // lenient: already running
            assertEquals(TorrentLifecycle.DOWNLOADING, engine.find(first).orElseThrow().stored().lifecycle());

            given().post("/start/" + second).then().statusCode(200).body("state", equalTo("queued"));
            given().get("/status/" + second).then().body("state", equalTo("queued"))
                    .body("downloading", equalTo(false));
            given().get("/status").then().body(first + ".downloading", equalTo(true));

            given().post("/pause/" + first).then().statusCode(200).body("state", equalTo("paused"));
            given().get("/status/" + first).then().body("paused", equalTo(true));
            assertEquals(TorrentLifecycle.PAUSED, engine.find(first).orElseThrow().stored().lifecycle());
            // a paused torrent does not hold the download slot
            awaitState(second, "downloading");
            given().post("/resume/" + first).then().statusCode(200);
            awaitState(first, "downloading");

            given().post("/stop/" + second).then().statusCode(200);
            awaitState(second, "stopped");
            assertEquals(TorrentLifecycle.STOPPED, engine.find(second).orElseThrow().stored().lifecycle());
            given().post("/stop/" + second).then().statusCode(200); // lenient: already stopped
            given().post("/stop/" + first).then().statusCode(200).body("state", equalTo("stopped"));
            given().get("/files/" + first).then().statusCode(200).body("files[0].progress", equalTo(0.0f));
        } finally {
            given().post("/remove/" + first).then().statusCode(200);
            given().post("/remove/" + second).then().statusCode(200);
        }
        assertTrue(engine.find(first).isEmpty());
    }

    @Test
    void removingARunningTorrentStopsItFirst() {
        String id = uploadUnreachable("running-removed.bin");
        given().post("/start/" + id).then().statusCode(200);
        awaitState(id, "downloading");
        given().post("/remove/" + id).then().statusCode(200);
        given().get("/status/" + id).then().statusCode(404);
        assertTrue(engine.events(id).collect().asList().await().atMost(Duration.ofSeconds(5)).isEmpty());
    }
}

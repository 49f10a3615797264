package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.GlobalPreferences;
import me.bittorrent.engine.GlobalSettings;

/** GET/POST /settings: defaults from the configuration, validation, merge, persistence, live global limits. */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the first test sees the configured defaults
@TestProfile(PreferencesApiTest.OwnStateDir.class)
class PreferencesApiTest {

    /** Named by the process id: the profile runs in another class loader and must see the same folder. */
    static final Path STATE = Path.of(System.getProperty("java.io.tmpdir"),
            "bt-prefs-test-" + ProcessHandle.current().pid());

    /** A state folder of its own, so the saved preferences do not leak into other tests. */
    public static class OwnStateDir implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bt.state-dir", STATE.toString(), "bt.default-speed-limit", "300",
                    "bt.max-concurrent-downloads", "4", "bt.peer-port", "0");
        }
    }

    @Inject
    GlobalPreferences preferences;

    @Inject
    DownloadEngine engine;

    static io.restassured.response.ValidatableResponse post(String json) {
        return given().contentType(ContentType.JSON).body(json).when().post("/settings").then();
    }

    @Test
    @Order(1)
    void settingsAreValidatedMergedPersistedAndApplied() throws Exception {
        given().when().get("/settings").then().statusCode(200)
                .body("download_limit", equalTo(0))
                .body("upload_limit", equalTo(0))
                .body("max_concurrent_downloads", equalTo(4))
                .body("default_settings.speed_limit", equalTo(300)) // BT_DEFAULT_SPEED_LIMIT
                .body("default_settings.max_peers", equalTo(50));

        post("{\"download_limit\": -1}").statusCode(400).body("detail", containsString("download_limit"));
        post("{\"upload_limit\": -5}").statusCode(400).body("detail", containsString("upload_limit"));
        post("{\"peer_port\": 0}").statusCode(400).body("detail", containsString("peer_port"));
        post("{\"peer_port\": 65536}").statusCode(400).body("detail", containsString("peer_port"));
        post("{\"max_concurrent_downloads\": 0}").statusCode(400)
                .body("detail", containsString("max_concurrent_downloads"));
        post("{\"default_settings\": {\"speed_limit\": -2}}").statusCode(400)
                .body("detail", containsString("default_settings: speed_limit"));
        post("{\"download_limit\": \"fast\"}").statusCode(400);
        post("{not json").statusCode(400);

        post("{\"download_limit\": 2048, \"upload_limit\": 512, \"max_concurrent_downloads\": 2, "
                + "\"peer_port\": 51413, \"default_settings\": {\"max_peers\": 20}}").statusCode(200)
                .body("download_limit", equalTo(2048))
                .body("upload_limit", equalTo(512))
                .body("max_concurrent_downloads", equalTo(2))
                .body("peer_port", equalTo(51413))
                .body("default_settings.max_peers", equalTo(20))
                .body("default_settings.speed_limit", equalTo(300));
        post("{\"upload_limit\": 0}").statusCode(200)
                .body("download_limit", equalTo(2048)).body("upload_limit", equalTo(0));

        assertEquals(2048 * 1024, preferences.downloadLimiter().rate(), "the global limiter follows at once");
        assertEquals(0, preferences.uploadLimiter().rate());
        String saved = Files.readString(STATE.resolve("preferences.json"));
        assertTrue(saved.contains("\"download_limit\" : 2048"), saved);
        assertTrue(saved.contains("\"peer_port\" : 51413"), saved);

        GlobalSettings reloaded = preferences.load().await().indefinitely();
        assertEquals(2048, reloaded.downloadLimit());
        assertEquals(51413, reloaded.peerPort());
        assertEquals(20, reloaded.defaultSettings().maxPeers());
        assertEquals(20, preferences.defaultTorrentSettings().maxPeers());
    }

    static void awaitState(String id, String state) {
        ControlTest.awaitState(id, state, Duration.ofSeconds(10));
    }

    @Test
    void newTorrentsGetTheDefaultsAndStatusShowsTheLimits() {
        post("{\"download_limit\": 900, \"default_settings\": {\"speed_limit\": 77, \"upload_limit\": 33}}")
                .statusCode(200);
        String id = ControlTest.uploadUnreachable("defaults.bin");
        try {
            given().get("/status/" + id).then().statusCode(200)
                    .body("settings.speed_limit", equalTo(77))
                    .body("download_limit", equalTo(77))
                    .body("upload_limit", equalTo(33))
                    .body("global_download_limit", equalTo(900))
                    .body("download_speed", equalTo(0.0f));
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    @Test
    void fewerConcurrentDownloadsQueueTheNewestAndANewPortMovesTheListener() throws Exception {
        post("{\"max_concurrent_downloads\": 2}").statusCode(200);
        String older = ControlTest.uploadUnreachable("older.bin");
        String newer = ControlTest.uploadUnreachable("newer.bin");
        try {
            given().post("/start/" + older).then().statusCode(200);
            given().post("/start/" + newer).then().statusCode(200);
            awaitState(older, "downloading");
            awaitState(newer, "downloading");
            post("{\"max_concurrent_downloads\": 1}").statusCode(200);
            awaitState(newer, "queued");
            given().get("/status/" + older).then().body("state", equalTo("downloading"));
            post("{\"max_concurrent_downloads\": 2}").statusCode(200);
            awaitState(newer, "downloading");
        } finally {
            given().post("/remove/" + older).then().statusCode(200);
            given().post("/remove/" + newer).then().statusCode(200);
        }

        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        post("{\"peer_port\": " + port + "}").statusCode(200).body("peer_port", equalTo(port));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.peerPort() != port) {
            assertTrue(System.nanoTime() < deadline, "the listener did not move to " + port);
            Thread.sleep(50); // bounded poll
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            assertTrue(socket.isConnected(), "peers can connect on the new port");
        }
    }
}

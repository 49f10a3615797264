package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import me.bittorrent.engine.DownloadEngine;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 5: with the state folder read-only every change is refused with 503 and not made (it would be
 * undone at the next start), and the health checks say why.
 */
@QuarkusTest
class ReadOnlyStateTest {

    @Inject
    DownloadEngine engine;

    /** chmod is enough for a normal user; root ignores it, so then the folders are made immutable. */
    private static void readOnly(List<Path> dirs, boolean on) throws Exception {
        if (!on) {
            for (Path dir : dirs) { // undo chattr first (it also forbids chmod); fails harmlessly when never set
                new ProcessBuilder("chattr", "-i", dir.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (Path dir : dirs) {
            run("chmod", on ? "a-w" : "u+w", dir.toString());
        }
        if (on && Files.isWritable(dirs.get(0))) { // root ignores permissions
            for (Path dir : dirs) {
                run("chattr", "+i", dir.toString());
            }
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0,
                String.join(" ", command) + ": " + new String(p.getInputStream().readAllBytes()));
    }

    @Test
    void changesAreRefusedWith503AndNotMadeAndHealthSaysWhy() throws Exception {
        String id = ApiTest.upload(ApiTest.singleFile("kept.bin", 20000).build(), null);
        List<Path> dirs = List.of(engine.stateDir(), engine.stateDir().resolve("torrents"));
        readOnly(dirs, true);
        try {
            given().post("/remove/" + id).then().statusCode(503)
                    .body("detail", containsString("cannot be written"))
                    .body("detail", containsString("the change was not made"));
            given().contentType(ContentType.JSON).body("{\"max_peers\": 7}").post("/settings/" + id)
                    .then().statusCode(503);
            given().contentType(ContentType.JSON).body("{\"download_limit\": 7}").post("/settings")
                    .then().statusCode(503);
            given().post("/start/" + id).then().statusCode(503);
            given().get("/status/" + id).then().statusCode(200)
                    .body("settings.max_peers", equalTo(50)).body("state", equalTo("stopped"));
            given().get("/settings").then().body("download_limit", equalTo(0));
            given().get("/health").then().statusCode(200).body("status", equalTo("degraded"))
                    .body("state_folder_error", containsString("cannot be written"));
            given().get("/q/health/ready").then().statusCode(503)
                    .body("checks[0].data.state_folder", containsString("cannot be written"));
        } finally {
            readOnly(dirs, false);
        }
        given().get("/health").then().body("status", equalTo("healthy")).body("state_folder_error", nullValue());
        given().post("/remove/" + id).then().statusCode(200);
        given().get("/status/" + id).then().statusCode(404);
    }
}

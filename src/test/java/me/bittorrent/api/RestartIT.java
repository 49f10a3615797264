package me.bittorrent.api;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Black box, against the packaged jar: torrents survive kill -9; one corrupt state file hurts only its torrent. */
class RestartIT {

    private static TorrentBuilder multiFile(String name) {
        Path root = Payloads.tempDir("payload").resolve(name);
        Payloads.file(root.resolve("one.bin"), 30000);
        Payloads.file(root.resolve("nested/two.bin"), 30000);
        Payloads.file(root.resolve("nested/déjà vu/three.bin"), 1000);
        return TorrentBuilder.of(root).pieceLength(16384);
    }

    private static TorrentBuilder singleFile(String name) {
        return TorrentBuilder.of(Payloads.file(Payloads.tempDir("payload").resolve(name), 70000)).pieceLength(32768);
    }

    private static String upload(AppProcess app, TorrentBuilder torrent, String settings) {
        return api(app).multiPart("file", "t.torrent", torrent.build(), "application/x-bittorrent")
                .multiPart("settings", settings)
                .post("/upload").then().statusCode(200).extract().path("torrent_id");
    }

    private static RequestSpecification api(AppProcess app) {
        return given().baseUri(app.baseUrl());
    }

    @Test
    void everyTorrentComesBackAfterKill9WithItsSettingsAndSelection() throws Exception {
        try (AppProcess app = AppProcess.start()) {
            String multi = upload(app, multiFile("Restart Album"), "{\"speed_limit\": 120, \"max_peers\": 9}");
            String single = upload(app, singleFile("restart.iso"), "{\"upload_limit\": 33, \"auto_stop\": true}");
            String third = upload(app, singleFile("third.bin"), "{}");
            api(app).contentType(ContentType.JSON).body("{\"file_selections\": {\"nested/two.bin\": false}}")
                    .post("/files/" + multi).then().statusCode(200);
            api(app).contentType(ContentType.JSON).body("{\"max_connections\": 17, \"pre_allocate\": true}")
                    .post("/settings/" + single).then().statusCode(200);
            Path chosen = app.downloadDir().resolveSibling("chosen-downloads");
            api(app).contentType(ContentType.JSON).body("{\"directory\": \"" + chosen + "\"}")
                    .post("/set-download-dir").then().statusCode(200);
            api(app).post("/remove/" + third).then().statusCode(200);
            // library fields: a category, share limits, tags, a queue move
            api(app).contentType(ContentType.JSON).body("{\"name\": \"iso\", \"save_path\": \"isos\"}")
                    .post("/categories").then().statusCode(200);
            api(app).contentType(ContentType.JSON).body("{\"category\": \"iso\", \"ratio_limit\": 1.5, "
                    + "\"seeding_time_limit\": 30, \"share_limit_action\": \"remove\"}")
                    .post("/settings/" + single).then().statusCode(200);
            api(app).contentType(ContentType.JSON).body("{\"tags\": [\"linux\"]}").post("/tags/" + single).then()
                    .statusCode(200);
            api(app).contentType(ContentType.JSON).body("{\"move\": \"top\"}").post("/queue/" + single).then()
                    .statusCode(200).body("queue_position", equalTo(1));

            app.kill9();
            app.restart();

            api(app).get("/status").then().statusCode(200).body("$", aMapWithSize(2));
            api(app).get("/status/" + multi).then().statusCode(200)
                    .body("name", equalTo("Restart Album"))
                    .body("state", equalTo("stopped"))
                    .body("progress", equalTo(0.0f))
                    .body("settings.speed_limit", equalTo(120))
                    .body("settings.max_peers", equalTo(9))
                    .body("error", nullValue());
            api(app).get("/files/" + multi).then().statusCode(200)
                    .body("files.find { it.path == 'nested/two.bin' }.selected", equalTo(false))
                    .body("files.find { it.path == 'one.bin' }.selected", equalTo(true))
                    .body("files.find { it.path == 'nested/déjà vu/three.bin' }.selected", equalTo(true));
            api(app).get("/status/" + single).then().statusCode(200)
                    .body("settings.upload_limit", equalTo(33))
                    .body("settings.auto_stop", equalTo(true))
                    .body("settings.max_connections", equalTo(17))
                    .body("settings.pre_allocate", equalTo(true))
                    .body("category", equalTo("iso")).body("tags", equalTo(java.util.List.of("linux")))
                    .body("ratio_limit", equalTo(1.5f)).body("seeding_time_limit", equalTo(30))
                    .body("share_limit_action", equalTo("remove")).body("queue_position", equalTo(1));
            api(app).get("/status/" + multi).then().body("queue_position", equalTo(2)).body("category", equalTo(""));
            api(app).get("/categories").then().body("find { it.name == 'iso' }.save_path", equalTo("isos"));
            api(app).get("/status/" + third).then().statusCode(404);
            api(app).get("/get-download-dir").then().body("directory", equalTo(chosen.toString()));
        }
    }

    @Test
    void aCorruptStateFilePutsOnlyThatTorrentInError() throws Exception {
        try (AppProcess app = AppProcess.start()) {
            String good = upload(app, singleFile("good.bin"), "{\"speed_limit\": 5}");
            String bad = upload(app, singleFile("bad.bin"), "{}");
            app.kill9();
            Path torrents = app.stateDir().resolve("torrents");
            Files.writeString(torrents.resolve(bad + ".json"), "{\"id\": \"" + bad + "\", \"settings\": {");
            Path leftover = Files.writeString(torrents.resolve("." + good + ".json.123.tmp"), "{\"half");
            app.restart();

            api(app).get("/status/" + good).then().statusCode(200)
                    .body("state", equalTo("stopped"))
                    .body("settings.speed_limit", equalTo(5))
                    .body("error", nullValue());
            api(app).get("/status/" + bad).then().statusCode(200)
                    .body("name", equalTo("bad.bin"))
                    .body("state", equalTo("error"))
                    .body("error", containsString("corrupt"));
            assertFalse(Files.exists(leftover), "a leftover temp file is cleaned at start-up");
            api(app).get("/q/health/ready").then().statusCode(200);
            // the torrent in error can still be removed
            api(app).post("/remove/" + bad).then().statusCode(200);
        }
    }
}

package me.bittorrent.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ApiTest {

    static final String UNKNOWN_ID = "0123456789abcdef0123456789abcdef01234567";

    @Inject
    DownloadEngine engine;

    static TorrentBuilder singleFile(String name, int size) {
        Path dir = Payloads.tempDir("payload");
        return TorrentBuilder.of(Payloads.file(dir.resolve(name), size)).pieceLength(16384);
    }

    /** A multi-file torrent with nested folders and a non-ASCII name. */
    static TorrentBuilder multiFile(String name) {
        Path root = Payloads.tempDir("payload").resolve(name);
        Payloads.file(root.resolve("a.txt"), 20000);
        Payloads.file(root.resolve("sub/b.bin"), 40000);
        Payloads.file(root.resolve("sub/deeper/Überraschung ü.dat"), 5000);
        return TorrentBuilder.of(root).pieceLength(16384);
    }

    static String upload(byte[] torrent, String settingsJson) {
        var request = given().multiPart("file", "test.torrent", torrent, "application/x-bittorrent");
        if (settingsJson != null) {
            request = request.multiPart("settings", settingsJson);
        }
        return request.when().post("/upload").then().statusCode(200).extract().path("torrent_id");
    }

    @Test
    void statusGivesTheFieldsAskedForAndOnePage() {
        for (String name : new String[] {"page-a.bin", "page-b.bin", "page-c.bin"}) {
            upload(singleFile(name, 20000).build(), null);
        }
        java.util.List<String> ids = new java.util.ArrayList<String>(given().get("/status").then().statusCode(200)
                .contentType(io.restassured.http.ContentType.JSON) // the body is a Vert.x buffer, still JSON
                .extract().jsonPath().<String, Object>getMap("$").keySet());
        java.util.Collections.sort(ids);
        var narrow = given().get("/status?fields=name,state,progress").then().statusCode(200).extract().jsonPath();
        java.util.Map<String, Object> first = narrow.getMap("'" + ids.get(0) + "'");
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Set.of("name", "state", "progress"), first.keySet());
        org.junit.jupiter.api.Assertions.assertEquals(ids.size(), narrow.getMap("$").size());

        var page = given().get("/status?offset=1&limit=2&fields=total_pieces").then().statusCode(200)
                .header("X-Total-Count", String.valueOf(ids.size())).extract().jsonPath();
        org.junit.jupiter.api.Assertions.assertEquals(ids.subList(1, 3),
                new java.util.ArrayList<>(page.<String, Object>getMap("$").keySet()), "the 2nd and 3rd torrent by id, in order");
        given().get("/status?offset=" + ids.size()).then().statusCode(200).body("size()", equalTo(0));

        given().get("/status?fields=name,bogus").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("'bogus'"));
        given().get("/status?limit=-1").then().statusCode(400).body("detail", org.hamcrest.Matchers.notNullValue());
        given().get("/status?offset=x").then().statusCode(400 /* not a number */);
    }

    @Test
    void uploadSingleFileShowsItStoppedWithNothingVerified() {
        TorrentBuilder builder = singleFile("movie.bin", 50000);
        given().multiPart("file", "movie.torrent", builder.build(), "application/x-bittorrent")
                .when().post("/upload")
                .then().statusCode(200)
                .body("message", equalTo("Torrent added"))
                .body("torrent_id", equalTo(builder.infoHashHex()))
                .body("name", equalTo("movie.bin"))
                .body("pieces", equalTo(4))
                .body("total_size", equalTo(50000))
                .body("is_multi_file", equalTo(false))
                .body("files.size()", equalTo(0));

        String id = builder.infoHashHex();
        given().get("/status/" + id).then().statusCode(200)
                .body("name", equalTo("movie.bin"))
                .body("state", equalTo("stopped"))
                .body("downloading", equalTo(false))
                .body("paused", equalTo(false))
                .body("progress", equalTo(0.0f))
                .body("download_speed", equalTo(0.0f))
                .body("upload_speed", equalTo(0.0f))
                .body("downloaded_pieces", equalTo(0))
                .body("total_pieces", equalTo(4))
                .body("total_size", equalTo(50000))
                .body("downloaded_size", equalTo(0))
                .body("completed", equalTo(false))
                .body("settings.max_peers", equalTo(50))
                .body("settings.speed_limit", equalTo(0))
                .body("error", nullValue());
        given().get("/status").then().statusCode(200).body("$", hasKey(id)).body(id + ".name", equalTo("movie.bin"));
        given().get("/files/" + id).then().statusCode(200)
                .body("files.path", hasItems("movie.bin"))
                .body("files[0].size", equalTo(50000))
                .body("files[0].selected", equalTo(true))
                .body("files[0].progress", equalTo(0.0f));
    }

    @Test
    void uploadMultiFileWithSettingsListsFilesAndKeepsSettings() {
        TorrentBuilder builder = multiFile("Album ☃");
        given().multiPart("file", "album.torrent", builder.build(), "application/x-bittorrent")
                .multiPart("settings", "{\"speed_limit\": 100, \"max_peers\": 7, \"auto_stop\": true}")
                .when().post("/upload")
                .then().statusCode(200)
                .body("name", equalTo("Album ☃"))
                .body("is_multi_file", equalTo(true))
                .body("total_size", equalTo(65000))
                .body("files.path", hasItems("a.txt", "sub/b.bin", "sub/deeper/Überraschung ü.dat"))
                .body("files.selected", hasItems(true));
        String id = builder.infoHashHex();
        given().get("/status/" + id).then().statusCode(200)
                .body("settings.speed_limit", equalTo(100))
                .body("settings.max_peers", equalTo(7))
                .body("settings.auto_stop", equalTo(true))
                .body("settings.max_connections", equalTo(100))
                .body("settings.verify_pieces", equalTo(false));
    }

    @Test
    void sameTorrentTwiceIs409WithItsId() {
        TorrentBuilder builder = singleFile("twice.bin", 1000);
        String id = upload(builder.build(), null);
        given().multiPart("file", "again.torrent", builder.build(), "application/x-bittorrent")
                .when().post("/upload")
                .then().statusCode(409)
                .body("detail", containsString("already"))
                .body("torrent_id", equalTo(id));
    }

    @Test
    void theSameTorrentUploadedTwiceAtOnceIsAddedOnce() throws Exception {
        byte[] torrent = singleFile("race.bin", 5000).build();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> given()
                        .multiPart("file", "race.torrent", torrent, "application/x-bittorrent")
                        .post("/upload").then().extract().statusCode()));
            }
            List<Integer> codes = new java.util.ArrayList<>();
            for (var answer : answers) {
                codes.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(1, codes.stream().filter(code -> code == 200).count(), codes.toString());
            assertEquals(3, codes.stream().filter(code -> code == 409).count(), codes.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nonTorrentFilesAre400() {
        String message = "Invalid file format. Only .torrent files are supported.";
        given().multiPart("file", "notes.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain")
                .when().post("/upload").then().statusCode(400).body("detail", equalTo(message));
        given().multiPart("file", "fake.torrent", "just text".getBytes(StandardCharsets.UTF_8), "application/x-bittorrent")
                .when().post("/upload").then().statusCode(400).body("detail", equalTo(message));
        given().multiPart("file", "empty.torrent", new byte[0], "application/x-bittorrent")
                .when().post("/upload").then().statusCode(400).body("detail", equalTo(message));
    }

    @Test
    void bencodeThatIsNotAValidTorrentIs400WithTheParsersReason() {
        given().multiPart("file", "bad.torrent", "d3:fooi1ee".getBytes(StandardCharsets.UTF_8), "application/x-bittorrent")
                .when().post("/upload").then().statusCode(400)
                .body("detail", not(equalTo("Invalid file format. Only .torrent files are supported.")))
                .body("detail", containsString("info"));
    }

    @Test
    void uploadWithoutFileOrWithBadSettingsIs400() {
        given().multiPart("settings", "{}").when().post("/upload").then().statusCode(400)
                .body("detail", containsString("file"));
        byte[] torrent = singleFile("settings.bin", 1000).build();
        given().multiPart("file", "s.torrent", torrent, "application/x-bittorrent")
                .multiPart("settings", "{not json").when().post("/upload").then().statusCode(400)
                .body("detail", containsString("settings"));
        given().multiPart("file", "s.torrent", torrent, "application/x-bittorrent")
                .multiPart("settings", "{\"upload_limit\": -1}").when().post("/upload").then().statusCode(400)
                .body("detail", containsString("upload_limit"));
        given().multiPart("file", "s.torrent", torrent, "application/x-bittorrent")
                .multiPart("settings", "{\"max_peers\": \"many\"}").when().post("/upload").then().statusCode(400)
                .body("detail", containsString("max_peers"));
    }

    @Test
    void unknownIdIs404OnEveryRoute() {
        given().get("/status/" + UNKNOWN_ID).then().statusCode(404).body("detail", equalTo("Download not found"));
        given().get("/files/" + UNKNOWN_ID).then().statusCode(404).body("detail", equalTo("Download not found"));
        given().contentType(ContentType.JSON).body("{\"file_selections\": {\"x\": false}}")
                .post("/files/" + UNKNOWN_ID).then().statusCode(404).body("detail", equalTo("Download not found"));
        given().contentType(ContentType.JSON).body("{\"max_peers\": 3}")
                .post("/settings/" + UNKNOWN_ID).then().statusCode(404).body("detail", equalTo("Download not found"));
        given().get("/remove/" + UNKNOWN_ID).then().statusCode(404).body("detail", equalTo("Download not found"));
        given().post("/remove/" + UNKNOWN_ID).then().statusCode(404).body("detail", equalTo("Download not found"));
        given().get("/status/not-even-hex").then().statusCode(404).body("detail", equalTo("Download not found"));
    }

    @Test
    void fileSelectionIsKeptAndUnknownPathsAreNamed() {
        TorrentBuilder builder = multiFile("selection");
        String id = upload(builder.build(), null);
        given().contentType(ContentType.JSON).body("{\"file_selections\": {\"sub/b.bin\": false}}")
                .post("/files/" + id).then().statusCode(200)
                .body("files.find { it.path == 'sub/b.bin' }.selected", equalTo(false))
                .body("files.find { it.path == 'a.txt' }.selected", equalTo(true));
        given().get("/files/" + id).then().statusCode(200)
                .body("name", equalTo("selection"))
                .body("files.find { it.path == 'sub/b.bin' }.selected", equalTo(false));
        given().contentType(ContentType.JSON).body("{\"file_selections\": {\"nope/missing.txt\": true}}")
                .post("/files/" + id).then().statusCode(400).body("detail", containsString("nope/missing.txt"));
        given().contentType(ContentType.JSON).body("{\"file_selections\": {\"a.txt\": tru")
                .post("/files/" + id).then().statusCode(400).body("detail", containsString("JSON"));
        given().contentType(ContentType.JSON).body("{}")
                .post("/files/" + id).then().statusCode(400).body("detail", containsString("file_selections"));
        // a refused request changed nothing
        given().get("/files/" + id).then().body("files.find { it.path == 'a.txt' }.selected", equalTo(true));
    }

    @Test
    void settingsAreValidatedAndMerged() {
        String id = upload(singleFile("settings2.bin", 2000).build(), "{\"upload_limit\": 20}");
        given().contentType(ContentType.JSON).body("{\"speed_limit\": 250, \"pre_allocate\": true}")
                .post("/settings/" + id).then().statusCode(200)
                .body("message", equalTo("Settings updated"))
                .body("settings.speed_limit", equalTo(250))
                .body("settings.upload_limit", equalTo(20))
                .body("settings.pre_allocate", equalTo(true));
        given().contentType(ContentType.JSON).body("{\"speed_limit\": -5}")
                .post("/settings/" + id).then().statusCode(400).body("detail", containsString("speed_limit"));
        given().contentType(ContentType.JSON).body("{\"max_connections\": -1}")
                .post("/settings/" + id).then().statusCode(400).body("detail", containsString("max_connections"));
        given().contentType(ContentType.JSON).body("[1,2")
                .post("/settings/" + id).then().statusCode(400).body("detail", containsString("JSON"));
        given().get("/status/" + id).then().body("settings.speed_limit", equalTo(250));
    }

    @Test
    void downloadDirCanBeSetAndRead() throws Exception {
        Path original = engine.downloadDir();
        Path wanted = Payloads.tempDir("dl").resolve("new/nested");
        try {
            given().contentType(ContentType.JSON).body(Map.of("directory", wanted.toString()))
                    .post("/set-download-dir").then().statusCode(200)
                    .body("directory", equalTo(wanted.toString()));
            assertTrue(Files.isDirectory(wanted));
            given().get("/get-download-dir").then().statusCode(200).body("directory", equalTo(wanted.toString()));

            Path aFile = Files.writeString(Payloads.tempDir("dl").resolve("plain-file"), "x");
            given().contentType(ContentType.JSON).body(Map.of("directory", aFile.resolve("sub").toString()))
                    .post("/set-download-dir").then().statusCode(400).body("detail", containsString("cannot"));
            given().contentType(ContentType.JSON).body("{}")
                    .post("/set-download-dir").then().statusCode(400).body("detail", containsString("directory"));
            given().get("/get-download-dir").then().body("directory", equalTo(wanted.toString()));
        } finally {
            given().contentType(ContentType.JSON).body(Map.of("directory", original.toString()))
                    .post("/set-download-dir").then().statusCode(200);
        }
    }

    @Test
    void removeDeletesOnlyTheTorrentsOwnFiles() throws Exception {
        TorrentBuilder builder = multiFile("to-remove");
        String id = upload(builder.build(), null);
        Path dir = engine.downloadDir();
        Path root = dir.resolve("to-remove");
        Payloads.file(root.resolve("a.txt"), 10);
        Payloads.file(root.resolve("sub/b.bin"), 10);
        Path stranger = Payloads.file(root.resolve("sub/not-mine.txt"), 10);
        Path neighbour = Payloads.file(dir.resolve("neighbour.txt"), 10);

        given().get("/remove/" + id).then().statusCode(200)
                .body("torrent_id", equalTo(id))
                .body("files_deleted", equalTo(true))
                .body("deleted_files", equalTo(2));
        assertFalse(Files.exists(root.resolve("a.txt")));
        assertFalse(Files.exists(root.resolve("sub/b.bin")));
        assertFalse(Files.exists(root.resolve("sub/deeper")), "an emptied folder is removed");
        assertTrue(Files.exists(stranger), "a file that is not the torrent's stays");
        assertTrue(Files.exists(neighbour));
        given().get("/status/" + id).then().statusCode(404);
        given().get("/status").then().body("$", not(hasKey(id)));
        assertFalse(Files.exists(engine.stateDir().resolve("torrents/" + id + ".json")));
        assertFalse(Files.exists(engine.stateDir().resolve("torrents/" + id + ".torrent")));

        // it can be added again once removed
        upload(builder.build(), null);
    }

    @Test
    void removeWithDeleteFilesFalseKeepsTheFiles() {
        TorrentBuilder builder = singleFile("keep-me.bin", 3000);
        String id = upload(builder.build(), null);
        Path file = Payloads.file(engine.downloadDir().resolve("keep-me.bin"), 3000);
        given().post("/remove/" + id + "?delete_files=false").then().statusCode(200)
                .body("files_deleted", equalTo(false));
        assertTrue(Files.exists(file));
        String again = upload(builder.build(), null);
        given().post("/remove/" + again + "?delete_files=maybe").then().statusCode(400)
                .body("detail", containsString("delete_files"));
        given().post("/remove/" + again + "?delete_files=true").then().statusCode(200).body("files_deleted", equalTo(true));
        assertFalse(Files.exists(file));
    }

    @Test
    void healthMetricsAndDocs() {
        given().get("/health").then().statusCode(200)
                .body("status", equalTo("healthy"))
                .body("version", equalTo(me.bittorrent.Version.VERSION))
                .body("active_downloads", equalTo(0))
                .body("$", hasKey("uptime"))
                .body("memory", hasKey("used_bytes"))
                .body("cpu", hasKey("cores"));
        upload(singleFile("metrics.bin", 1000).build(), null);
        given().get("/metrics").then().statusCode(200)
                .body("downloads", hasKey("total"))
                .body("downloads.active", equalTo(0))
                .body("totals", hasKey("total_size"))
                .body("system", hasKey("download_dir_free_bytes"));
        given().redirects().follow(false).get("/docs").then().statusCode(303)
                .header("Location", endsWith("/q/swagger-ui"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("bittorrent_torrents{state=\"stopped\"}"));
    }

    @Test
    void openApiDocumentsEveryRoute() {
        String doc = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        for (String path : new String[] {"/upload", "/status", "/status/{torrent_id}", "/files/{torrent_id}",
                "/settings/{torrent_id}", "/set-download-dir", "/get-download-dir", "/remove/{torrent_id}",
                "/health", "/metrics", "/docs"}) {
            assertTrue(doc.contains("\"" + path + "\""), "OpenAPI lacks " + path);
        }
        // schemas name the fields as the JSON does
        assertTrue(doc.contains("\"download_speed\""), "OpenAPI schemas are not snake_case");
        assertFalse(doc.contains("\"downloadSpeed\""), "OpenAPI schemas are not snake_case");
    }

    @Test
    void unexpectedRoutesAndMethodsAnswerWithDetail() {
        given().get("/no-such-route").then().statusCode(404);
        given().delete("/status").then().statusCode(405).body("detail", not(nullValue()));
    }
}

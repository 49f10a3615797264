package me.bittorrent.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route family of the packaged service, black box, in one process: what the API tests check in depth
 * inside Quarkus, checked here once against whatever was packaged (the jar, or the native runner after
 * {@code -Dnative}), where reflection, serialisation, resources and static state differ. Downloads, restarts and
 * the dashboard in a browser have their own ITs.
 */
class RoutesIT {

    static final String UNKNOWN = "0123456789abcdef0123456789abcdef01234567";
    static final Duration BOUND = Duration.ofSeconds(20);

    static AppProcess app;

    @BeforeAll
    static void start() {
        app = AppProcess.start();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    static RequestSpecification api() {
        return given().baseUri(app.baseUrl());
    }

    /** A torrent whose only tracker is a closed local port: it runs, but nothing arrives. */
    static TorrentBuilder unreachable(String name) {
        Path file = Payloads.file(Payloads.tempDir("routes").resolve(name), 40000);
        return TorrentBuilder.of(file).pieceLength(16384).announce("http://127.0.0.1:9/announce");
    }

    static String upload(TorrentBuilder torrent, String settings) {
        RequestSpecification request = api().multiPart("file", "t.torrent", torrent.build(), "application/x-bittorrent");
        if (settings != null) {
            request.multiPart("settings", settings);
        }
        return request.post("/upload").then().statusCode(200).extract().path("torrent_id");
    }

    /** Waits until the torrent's state is one of {@code states}; answers the one seen. */
    static String awaitState(String id, String... states) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = api().get("/status/" + id).then().statusCode(200).extract().path("state");
            if (java.util.Arrays.asList(states).contains(seen)) {
                return seen;
            }
            ServiceClient.pause(ServiceClient.POLL); // bounded poll of the public status
        }
        throw new AssertionError(id + " never reached state " + String.join(" or ", states) + "; last seen " + seen);
    }

    @Test
    void uploadStatusFilesSettingsAndEveryControl() {
        Path folder = Payloads.tempDir("routes").resolve("Routes Album");
        Payloads.file(folder.resolve("a.bin"), 20000);
        Payloads.file(folder.resolve("sub/b é.bin"), 30000);
        TorrentBuilder album = TorrentBuilder.of(folder).pieceLength(16384).announce("http://127.0.0.1:9/announce");
        api().multiPart("file", "album.torrent", album.build(), "application/x-bittorrent")
                .multiPart("settings", "{\"speed_limit\": 300, \"max_peers\": 7}")
                .post("/upload").then().statusCode(200)
                .body("message", equalTo("Torrent added"))
                .body("torrent_id", equalTo(album.infoHashHex()))
                .body("name", equalTo("Routes Album"))
                .body("is_multi_file", equalTo(true))
                .body("total_size", equalTo(50000))
                .body("files.path", hasItem("sub/b é.bin"));
        String id = album.infoHashHex();
        try {
            api().get("/status").then().statusCode(200).body(id + ".name", equalTo("Routes Album"));
            api().get("/status/" + id).then().statusCode(200)
                    .body("state", equalTo("stopped"))
                    .body("total_pieces", equalTo(4))
                    .body("settings.speed_limit", equalTo(300))
                    .body("settings.max_peers", equalTo(7));

            api().contentType(ContentType.JSON).body("{\"file_selections\": {\"sub/b é.bin\": false}}")
                    .post("/files/" + id).then().statusCode(200);
            api().get("/files/" + id).then().statusCode(200)
                    .body("files.find { it.path == 'sub/b é.bin' }.selected", equalTo(false))
                    .body("files.find { it.path == 'a.bin' }.progress", equalTo(0.0f));
            api().contentType(ContentType.JSON).body("{\"upload_limit\": 40, \"auto_stop\": true}")
                    .post("/settings/" + id).then().statusCode(200)
                    .body("settings.upload_limit", equalTo(40))
                    .body("settings.speed_limit", equalTo(300));

            api().post("/pause/" + id).then().statusCode(409).body("detail", containsString("not running"));
            api().get("/start/" + id).then().statusCode(200).body("torrent_id", equalTo(id));
            // its only tracker is dead and nobody else has it: downloading, then stalled, with the reason
            if ("stalled".equals(awaitState(id, "downloading", "stalled"))) {
                api().get("/status/" + id).then().body("downloading", equalTo(true))
                        .body("state_reason", containsString("tracker"));
            }
            api().get("/status/" + id).then().body("trackers.url", hasItem("http://127.0.0.1:9/announce"));
            api().post("/pause/" + id).then().statusCode(200).body("state", equalTo("paused"));
            api().get("/status/" + id).then().body("paused", equalTo(true));
            api().get("/resume/" + id).then().statusCode(200);
            awaitState(id, "downloading", "stalled");
            api().post("/resume/" + id).then().statusCode(409).body("detail", containsString("not paused"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\napp log: " + app.logFile(), e);
        }
        api().post("/stop/" + id).then().statusCode(200).body("state", equalTo("stopped"));
        api().get("/stop/" + id).then().statusCode(200);
        api().post("/remove/" + id + "?delete_files=false").then().statusCode(200)
                .body("torrent_id", equalTo(id))
                .body("files_deleted", equalTo(false));
        api().get("/status/" + id).then().statusCode(404).body("detail", equalTo("Download not found"));
    }

    @Test
    void globalSettingsAndDownloadFolder() throws IOException {
        api().get("/settings").then().statusCode(200)
                .body("download_limit", equalTo(0))
                .body("peer_port", equalTo(app.peerPort()))
                .body("dht", equalTo(true))
                .body("default_settings", hasKey("max_peers"));
        api().contentType(ContentType.JSON).body("{\"upload_limit\": 512, \"default_settings\": {\"max_peers\": 30}}")
                .post("/settings").then().statusCode(200)
                .body("upload_limit", equalTo(512))
                .body("default_settings.max_peers", equalTo(30));
        api().contentType(ContentType.JSON).body("{\"download_limit\": -1}")
                .post("/settings").then().statusCode(400).body("detail", containsString("download_limit"));
        api().contentType(ContentType.JSON).body("{\"upload_limit\": 0, \"default_settings\": {\"max_peers\": 50}}")
                .post("/settings").then().statusCode(200);

        Path chosen = Files.createDirectories(app.downloadDir().resolveSibling("chosen"));
        Path original = Path.of(api().get("/get-download-dir").then().statusCode(200)
                .extract().<String>path("directory"));
        api().contentType(ContentType.JSON).body(Map.of("directory", chosen.toString()))
                .post("/set-download-dir").then().statusCode(200).body("directory", equalTo(chosen.toString()));
        api().get("/get-download-dir").then().body("directory", equalTo(chosen.toString()));
        Path aFile = Files.writeString(chosen.resolve("a-file"), "x");
        api().contentType(ContentType.JSON).body(Map.of("directory", aFile.resolve("sub").toString()))
                .post("/set-download-dir").then().statusCode(400).body("detail", notNullValue());
        api().contentType(ContentType.JSON).body(Map.of("directory", original.toString()))
                .post("/set-download-dir").then().statusCode(200);
    }

    @Test
    void eventsStreamSnapshotThenChanges() throws Exception {
        String id = upload(unreachable("events.bin"), null);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/events"))
                .header("Accept", "text/event-stream").header("Authorization", app.authorization()).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                response.headers().toString());
        try (InputStream body = response.body();
             BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            List<String> seen = new ArrayList<>();
            readUntil(lines, body, seen, l -> l.equals("event: reset") || l.equals("event:reset"));
            String snapshot = readUntil(lines, body, seen, l -> l.startsWith("data:") && l.contains(id));
            assertTrue(snapshot.contains("\"torrent_id\":\"" + id + "\""), snapshot);
            assertTrue(snapshot.contains("\"total_pieces\":3"), "the status object, snake_case: " + snapshot);

            api().contentType(ContentType.JSON).body("{\"max_peers\": 11}").post("/settings/" + id)
                    .then().statusCode(200);
            String change = readUntil(lines, body, seen,
                    l -> l.startsWith("data:") && l.contains(id) && l.contains("\"max_peers\":11"));
            // the torrent was sent in full already: now only what changed (its settings), as a delta
            assertTrue(change.contains("\"type\":\"delta\""), change);
            assertFalse(change.contains("\"total_pieces\""), "unchanged fields are not sent again: " + change);

            api().post("/remove/" + id).then().statusCode(200);
            readUntil(lines, body, seen, l -> l.startsWith("data:") && l.contains(id) && l.contains("removed"));
        }
    }

    /** Reads SSE lines until one matches, within BOUND (closing the stream on timeout); returns that line. */
    static String readUntil(BufferedReader lines, InputStream body, List<String> seen, Predicate<String> wanted)
            throws Exception {
        CompletableFuture<String> found = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    seen.add(line);
                    if (wanted.test(line)) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            String line = found.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("the event stream ended; lines so far: " + seen);
            }
            return line;
        } catch (TimeoutException e) {
            body.close();
            throw new AssertionError("no such event within " + BOUND + "; lines so far: " + seen);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    @Test
    void dashboardAndItsAssets() {
        String page = api().get("/").then().statusCode(200).contentType(startsWith("text/html"))
                .extract().asString();
        assertTrue(page.contains("bittorrent-me"), page);
        assertTrue(page.contains(app.downloadDir().toString()), "the page shows the download folder");
        String bulma = between(page, "href=\"", "bulma.min.css") + "bulma.min.css";
        assertTrue(bulma.startsWith("/webjars/bulma/"), bulma);
        api().get(bulma).then().statusCode(200).contentType(startsWith("text/css"))
                .body(containsString(".navbar"));
        api().get("/ui/app.js").then().statusCode(200).body(containsString("EventSource"));
        api().get("/ui/app.css").then().statusCode(200);
    }

    @Test
    void docsSwaggerUiAndOpenApi() {
        api().redirects().follow(false).get("/docs").then().statusCode(303)
                .header("Location", endsWith("/q/swagger-ui"));
        String ui = api().get("/q/swagger-ui/").then().statusCode(200).contentType(startsWith("text/html"))
                .extract().asString();
        assertTrue(ui.contains("swagger-ui"), ui);
        api().get("/q/swagger-ui/swagger-ui-bundle.js").then().statusCode(200);
        String doc = api().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        for (String path : new String[] {"/upload", "/status/{torrent_id}", "/files/{torrent_id}", "/settings",
                "/events", "/health"}) {
            assertTrue(doc.contains("\"" + path + "\""), "OpenAPI lacks " + path);
        }
        assertTrue(doc.contains("\"download_speed\""), "OpenAPI schemas are snake_case");
        assertFalse(doc.contains("\"downloadSpeed\""), "OpenAPI schemas are snake_case");
    }

    @Test
    void healthAndMetrics() {
        api().get("/health").then().statusCode(200)
                .body("status", equalTo("healthy"))
                .body("peer_port", equalTo(app.peerPort()))
                .body("memory.used_bytes", notNullValue())
                .body("cpu.cores", notNullValue());
        api().get("/metrics").then().statusCode(200)
                .body("downloads", hasKey("total"))
                .body("system", hasKey("download_dir_free_bytes"));
        api().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        api().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        api().get("/q/metrics").then().statusCode(200)
                .body(containsString("bittorrent_torrents{"))
                .body(containsString("bittorrent_pieces_verified_total"));
    }

    @Test
    void everyErrorIsDetailJson() {
        api().get("/status/" + UNKNOWN).then().statusCode(404).contentType(ContentType.JSON)
                .body("detail", equalTo("Download not found"));
        api().post("/start/" + UNKNOWN).then().statusCode(404).body("detail", equalTo("Download not found"));
        api().multiPart("file", "notes.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain")
                .post("/upload").then().statusCode(400)
                .body("detail", equalTo("Invalid file format. Only .torrent files are supported."));
        api().multiPart("file", "bad.torrent", "d4:infoi1ee".getBytes(StandardCharsets.UTF_8),
                "application/x-bittorrent").post("/upload").then().statusCode(400).body("detail", notNullValue());
        TorrentBuilder twice = unreachable("twice.bin");
        String id = upload(twice, null);
        api().multiPart("file", "t.torrent", twice.build(), "application/x-bittorrent").post("/upload")
                .then().statusCode(409).body("detail", containsString("already")).body("torrent_id", equalTo(id));
        api().contentType(ContentType.JSON).body("{\"max_peers\": ").post("/settings/" + id)
                .then().statusCode(400).body("detail", containsString("JSON"));
        api().contentType(ContentType.JSON).body("{\"max_peers\": -3}").post("/settings/" + id)
                .then().statusCode(400).body("detail", containsString("max_peers"));
        api().header("Origin", "http://evil.example").post("/remove/" + id).then().statusCode(403)
                .body("detail", containsString("Cross-site"));
        api().delete("/status").then().statusCode(405).body("detail", notNullValue());
        api().get("/no-such-route").then().statusCode(404).body("detail", notNullValue());
        api().post("/remove/" + id).then().statusCode(200);
        String log = readLog();
        assertFalse(log.contains("ClassNotFoundException"), "no class missing at run time:\n" + log);
        assertFalse(log.contains("Unexpected failure"), "no route failed unexpectedly:\n" + log);
    }

    static String readLog() {
        try {
            return Files.readString(app.logFile());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String between(String text, String before, String until) {
        int end = text.indexOf(until);
        assertTrue(end > 0, "no " + until + " in " + text);
        int start = text.lastIndexOf(before, end);
        return text.substring(start + before.length(), end);
    }
}

package me.bittorrent.api;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.SettingsUpdate;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queue order with force start against the download cap (test profile: one download at a time), share limits,
 * recheck, moving files (setLocation), categories and tags, through the engine and the original API.
 */
@QuarkusTest
class LibraryTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    DownloadEngine engine;

    static String state(String id) {
        return given().get("/status/" + id).then().statusCode(200).extract().path("state");
    }

    static void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.get()) {
            assertTrue(System.nanoTime() < deadline, "never: " + what);
            try {
                Thread.sleep(50); // bounded poll of the public state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A torrent whose data is already complete in {@code dir} (so it seeds), added with that save path. */
    String addComplete(Path dir, String name, SettingsUpdate settings) {
        TorrentBuilder builder = TorrentBuilder.of(Payloads.file(dir.resolve(name), 50000)).pieceLength(16384);
        return engine.add(builder.build(), settings, dir.toString(), null).await().atMost(WAIT).id();
    }

    @Test
    void queueOrderAndForceStartAgainstTheDownloadCap() {
        String a = ControlTest.uploadUnreachable("queue-a.bin");
        String b = ControlTest.uploadUnreachable("queue-b.bin");
        String c = ControlTest.uploadUnreachable("queue-c.bin");
        try {
            given().post("/start/" + a).then().statusCode(200);
            ControlTest.awaitState(a, "downloading");
            given().post("/start/" + b).then().statusCode(200).body("state", equalTo("queued"));
            given().post("/start/" + c).then().statusCode(200).body("state", equalTo("queued"));
            long qa = given().get("/status/" + a).then().extract().<Integer>path("queue_position");
            long qc = given().get("/status/" + c).then().extract().<Integer>path("queue_position");
            assertTrue(qa < qc, "added first, first in the queue");

            // c to the top: it takes the one slot, a waits
            given().contentType("application/json").body(Map.of("move", "top")).post("/queue/" + c).then()
                    .statusCode(200).body("queue_position", equalTo(1));
            ControlTest.awaitState(c, "downloading");
            ControlTest.awaitState(a, "queued");
            given().get("/status/" + b).then().body("state", equalTo("queued"));

            // force start: b runs beside c although the cap is one
            given().contentType("application/json").body(Map.of("force", true)).post("/force-start/" + b).then()
                    .statusCode(200);
            ControlTest.awaitState(b, "downloading");
            given().get("/status/" + b).then().body("force_start", equalTo(true));
            assertEquals("downloading", state(c));
            assertEquals("queued", state(a));

            // force off: b is behind c in the queue, so it waits again
            given().contentType("application/json").body(Map.of("force", false)).post("/force-start/" + b).then()
                    .statusCode(200);
            ControlTest.awaitState(b, "queued");
            // a down below b, then c to the bottom: a is next... b is ahead of a, so b downloads
            given().contentType("application/json").body(Map.of("move", "bottom")).post("/queue/" + c).then()
                    .statusCode(200);
            await("one of a, b downloads after c went to the bottom", () -> "downloading".equals(state(a))
                    || "downloading".equals(state(b)));
            ControlTest.awaitState(c, "queued");

            given().contentType("application/json").body(Map.of("move", "sideways")).post("/queue/" + c).then()
                    .statusCode(400).body("detail", containsString("top"));
            given().contentType("application/json").body(Map.of()).post("/force-start/" + c).then()
                    .statusCode(400);
            given().contentType("application/json").body(Map.of("move", "up")).post("/queue/" + ApiTest.UNKNOWN_ID)
                    .then().statusCode(404);
        } finally {
            for (String id : List.of(a, b, c)) {
                given().post("/remove/" + id).then().statusCode(200);
            }
        }
    }

    @Test
    void shareLimitReachedStopsOrRemoves() {
        Path dir = Payloads.tempDir("share");
        // ratio limit 0: reached as soon as it seeds -> stopped, shown completed
        String stops = addComplete(dir, "stops.bin", new SettingsUpdate(null, null, null, null, null, null, null,
                null, 0.0, null, "stop"));
        // seeding time limit 0 with "remove": removed from the list, its file kept
        String removed = addComplete(dir, "removed.bin", new SettingsUpdate(null, null, null, null, null, null, null,
                null, null, 0L, "remove"));
        // no limit of its own, and no global one: keeps seeding
        String keeps = addComplete(dir, "keeps.bin", null);
        try {
            given().get("/status/" + stops).then().body("ratio_limit", equalTo(0.0f))
                    .body("seeding_time_limit", equalTo(-2)).body("share_limit_action", equalTo("stop"));
            for (String id : List.of(stops, removed, keeps)) {
                given().post("/start/" + id).then().statusCode(200);
            }
            ControlTest.awaitState(stops, "completed");
            await("removed by its share limit", () -> engine.find(removed).isEmpty());
            assertTrue(Files.exists(dir.resolve("removed.bin")), "the removed torrent's file stays");
            ControlTest.awaitState(keeps, "seeding");
            given().get("/status/" + stops).then().body("completion_on", not(equalTo(null)));

            // the global ratio limit applies to a torrent without its own ("missing = use global")
            given().contentType("application/json").body(Map.of("ratio_limit", 0)).post("/settings").then()
                    .statusCode(200).body("ratio_limit", equalTo(0.0f));
            ControlTest.awaitState(keeps, "completed");
        } finally {
            given().contentType("application/json").body(Map.of("ratio_limit", -1)).post("/settings").then()
                    .statusCode(200);
            for (String id : List.of(stops, keeps)) {
                given().post("/remove/" + id).then().statusCode(200);
            }
        }
    }

    @Test
    void recheckFindsACorruptedPiece() throws Exception {
        Path dir = Payloads.tempDir("recheck");
        String id = addComplete(dir, "data.bin", null);
        try {
            given().post("/start/" + id).then().statusCode(200);
            ControlTest.awaitState(id, "seeding");
            corrupt(dir.resolve("data.bin"), 20000); // piece 1 of 4
            // running: its session starts again with a full check, and finds piece 1 missing
            given().post("/recheck/" + id).then().statusCode(200).body("torrent_id", equalTo(id));
            ControlTest.awaitState(id, "downloading");
            given().get("/status/" + id).then().body("downloaded_pieces", equalTo(3)).body("total_pieces", equalTo(4));
            // stopped: checked in place, stays stopped
            given().post("/stop/" + id).then().statusCode(200);
            ControlTest.awaitState(id, "stopped");
            corrupt(dir.resolve("data.bin"), 40000); // piece 2 too
            given().post("/recheck/" + id).then().statusCode(200);
            await("the check of the stopped torrent ends", () -> "stopped".equals(state(id))
                    && given().get("/status/" + id).then().extract().<Integer>path("downloaded_pieces") == 2);
            // paused: its session stops, the files are checked, it stays paused
            given().post("/start/" + id).then().statusCode(200);
            ControlTest.awaitState(id, "downloading");
            given().post("/reannounce/" + id).then().statusCode(200).body("state", equalTo("downloading"));
            given().post("/pause/" + id).then().statusCode(200);
            corrupt(dir.resolve("data.bin"), 0); // piece 0 too
            given().post("/recheck/" + id).then().statusCode(200);
            await("the check of the paused torrent ends", () -> "paused".equals(state(id))
                    && given().get("/status/" + id).then().extract().<Integer>path("downloaded_pieces") == 1);
            given().post("/stop/" + id).then().statusCode(200);
            given().post("/reannounce/" + id).then().statusCode(409).body("detail", containsString("not running"));
            given().post("/recheck/" + ApiTest.UNKNOWN_ID).then().statusCode(404);
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    private static void corrupt(Path file, long at) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xff);
        }
    }

    @Test
    void setLocationMovesTheFilesAndRefusesTheStateFolder() {
        Path from = Payloads.tempDir("move-from");
        Path show = from.resolve("Show");
        Payloads.file(show.resolve("a.mkv"), 30000);
        Payloads.file(show.resolve("extras/b.nfo"), 1000);
        String id = engine.add(TorrentBuilder.of(show).pieceLength(16384).build(), null, from.toString(), null)
                .await().atMost(WAIT).id();
        Path to = Payloads.tempDir("move-to").resolve("library");
        try {
            given().post("/start/" + id).then().statusCode(200);
            ControlTest.awaitState(id, "seeding");
            given().get("/status/" + id).then().body("save_path", equalTo(from.toString()));

            given().contentType("application/json").body(Map.of("save_path", engine.stateDir().toString()))
                    .post("/location/" + id).then().statusCode(400).body("detail", containsString("state folder"));
            given().contentType("application/json").body(Map.of("save_path", engine.stateDir().resolve("x").toString()))
                    .post("/location/" + id).then().statusCode(400).body("detail", containsString("state folder"));
            given().contentType("application/json").body(Map.of("save_path", "relative/dir"))
                    .post("/location/" + id).then().statusCode(400).body("detail", containsString("absolute"));

            given().contentType("application/json").body(Map.of("save_path", to.toString()))
                    .post("/location/" + id).then().statusCode(200).body("save_path", equalTo(to.toString()));
            assertTrue(Files.isRegularFile(to.resolve("Show/a.mkv")));
            assertTrue(Files.isRegularFile(to.resolve("Show/extras/b.nfo")));
            assertFalse(Files.exists(show), "the old folder, left empty, is gone");
            // it was seeding: it runs again from the new folder, with every piece
            ControlTest.awaitState(id, "seeding");
            given().get("/status/" + id).then().body("downloaded_pieces", equalTo(2));
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    @Test
    void categoriesAndTags() {
        given().contentType("application/json").body(Map.of("name", "movies", "save_path", "films"))
                .post("/categories").then().statusCode(200).body("name", equalTo("movies"))
                .body("save_path", equalTo("films"));
        given().get("/categories").then().statusCode(200).body("name", hasItem("movies"));
        given().contentType("application/json").body(Map.of("name", "bad//name")).post("/categories").then()
                .statusCode(400);
        given().contentType("application/json").body(Map.of("name", "x", "save_path", engine.stateDir().toString()))
                .post("/categories").then().statusCode(400).body("detail", containsString("state folder"));

        Path dir = Payloads.tempDir("cat");
        TorrentBuilder builder = TorrentBuilder.of(Payloads.file(dir.resolve("film.mkv"), 20000)).pieceLength(16384);
        String settings = "{\"category\":\"movies\"}";
        String id = given().multiPart("file", "film.torrent", builder.build()).multiPart("settings", settings)
                .post("/upload").then().statusCode(200).extract().path("torrent_id");
        try {
            given().get("/status/" + id).then().body("category", equalTo("movies"))
                    .body("save_path", equalTo(engine.downloadDir().resolve("films").toString()));
            given().contentType("application/json").body(Map.of("tags", List.of("hd", "fr", "hd")))
                    .post("/tags/" + id).then().statusCode(200).body("tags", equalTo(List.of("fr", "hd")));
            given().get("/tags").then().body("$", hasItem("hd"));
            given().contentType("application/json").body(Map.of("tags", List.of("a,b"))).post("/tags/" + id).then()
                    .statusCode(400);
            given().contentType("application/json").body(Map.of("category", "nope")).post("/settings/" + id).then()
                    .statusCode(400).body("detail", containsString("Unknown category"));
            given().contentType("application/json").body(Map.of("ratio_limit", -3)).post("/settings/" + id).then()
                    .statusCode(400);
            given().delete("/categories/movies").then().statusCode(200);
            given().delete("/categories/movies").then().statusCode(404);
            given().get("/status/" + id).then().body("category", equalTo(""));
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }
}

package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * qBittorrent's content layouts put files where qBittorrent puts them (its applyContentLayout: NoSubfolder strips a
 * multi-file torrent's top folder, Subfolder puts a single file in a folder named after it without the extension),
 * proven by data laid out that way beforehand: the torrent checks it there and completes, nothing else is written.
 * And Transmission's torrent-set-location with move false: the folder changes, the files are checked there.
 */
@QuarkusTest
class ContentLayoutTest {

    static final String API = "/api/v2/";

    static JsonPath info(String hash) {
        return given().get(API + "torrents/info?hashes=" + hash).then().statusCode(200).extract().jsonPath();
    }

    static void awaitInfo(String hash, Predicate<JsonPath> done, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonPath seen = null;
        while (System.nanoTime() < deadline) {
            seen = info(hash);
            if (done.test(seen)) {
                return;
            }
            try {
                Thread.sleep(50); // bounded poll of the public state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(hash + " never " + what + "; last seen " + (seen == null ? null : seen.prettify()));
    }

    static boolean complete(JsonPath p) {
        return p.getFloat("[0].progress") == 1.0f;
    }

    @Test
    void noSubfolderAndSubfolderPlaceFilesAsQbittorrentDoes() throws Exception {
        // a multi-file torrent "album" (a.bin, sub/b.bin), its data already in the save path without the top folder
        Path made = Payloads.tempDir("layout-src").resolve("album");
        TorrentBuilder.randomFile(made.resolve("a.bin"), 50_000, 11);
        TorrentBuilder.randomFile(made.resolve("sub/b.bin"), 30_000, 12);
        TorrentBuilder album = TorrentBuilder.of(made).pieceLength(16384);
        Path flat = Payloads.tempDir("layout-flat");
        Files.copy(made.resolve("a.bin"), flat.resolve("a.bin"));
        Files.createDirectories(flat.resolve("sub"));
        Files.copy(made.resolve("sub/b.bin"), flat.resolve("sub/b.bin"));
        given().multiPart("torrents", "album.torrent", album.build()).multiPart("savepath", flat.toString())
                .multiPart("contentLayout", "NoSubfolder").post(API + "torrents/add").then().statusCode(200)
                .body(equalTo("Ok."));
        String albumHash = album.infoHashHex();
        awaitInfo(albumHash, ContentLayoutTest::complete, "found its data without the top folder");
        assertEquals(flat.toString(), info(albumHash).getString("[0].content_path"));
        assertEquals("album", info(albumHash).getString("[0].name"));
        List<String> names = given().get(API + "torrents/files?hash=" + albumHash).then().statusCode(200)
                .extract().jsonPath().getList("name");
        assertEquals(List.of("a.bin", "sub/b.bin"), names);
        assertFalse(Files.exists(flat.resolve("album")), "no top folder was made");

        // a single file "movie.mkv" with Subfolder: in "movie/" (the legacy root_folder, which Flood sends with every
        // add, is ignored as qBittorrent 4.3.2+ ignores it: the Subfolder wins over root_folder=false)
        Path single = Payloads.tempDir("layout-single-src").resolve("movie.mkv");
        TorrentBuilder.randomFile(single, 45_000, 13);
        TorrentBuilder movie = TorrentBuilder.of(single).pieceLength(16384);
        Path boxed = Payloads.tempDir("layout-boxed");
        Files.createDirectories(boxed.resolve("movie"));
        Files.copy(single, boxed.resolve("movie/movie.mkv"));
        given().multiPart("torrents", "movie.torrent", movie.build()).multiPart("savepath", boxed.toString())
                .multiPart("contentLayout", "Subfolder").multiPart("root_folder", "false").post(API + "torrents/add").then().statusCode(200)
                .body(equalTo("Ok."));
        String movieHash = movie.infoHashHex();
        awaitInfo(movieHash, ContentLayoutTest::complete, "found its data in a folder of its own");
        assertEquals(boxed.resolve("movie/movie.mkv").toString(), info(movieHash).getString("[0].content_path"));
        assertEquals("movie", info(movieHash).getString("[0].name")); // named after its folder, as qBittorrent
        assertFalse(Files.exists(boxed.resolve("movie.mkv")));

        // removing with the data deletes the files where they are, and nothing beside them
        given().formParam("hashes", albumHash + "|" + movieHash).formParam("deleteFiles", "true")
                .post(API + "torrents/delete").then().statusCode(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((Files.exists(flat.resolve("a.bin")) || Files.exists(boxed.resolve("movie/movie.mkv")))
                && System.nanoTime() < deadline) {
            Thread.sleep(50); // bounded wait for the disk worker
        }
        assertFalse(Files.exists(flat.resolve("a.bin")));
        assertFalse(Files.exists(flat.resolve("sub/b.bin")));
        assertFalse(Files.exists(boxed.resolve("movie/movie.mkv")));
        assertTrue(Files.isDirectory(flat) && Files.isDirectory(boxed), "the save paths stay");
    }

    @Test
    void transmissionSetLocationWithoutMoveAdoptsTheFilesThere() throws Exception {
        Path made = Payloads.tempDir("adopt-src").resolve("adopted.bin");
        TorrentBuilder.randomFile(made, 60_000, 21);
        TorrentBuilder builder = TorrentBuilder.of(made).pieceLength(16384);
        String hash = given().multiPart("file", "adopted.torrent", builder.build()).post("/upload").then()
                .statusCode(200).extract().path("torrent_id");
        Path elsewhere = made.getParent();
        String session = given().contentType("application/json").body("{\"method\":\"session-get\"}")
                .post("/transmission/rpc").then().statusCode(409).extract().header("X-Transmission-Session-Id");
        String result = given().header("X-Transmission-Session-Id", session).contentType("application/json")
                .body(Map.of("method", "torrent-set-location", "arguments",
                        Map.of("ids", List.of(hash), "location", elsewhere.toString(), "move", false)))
                .post("/transmission/rpc").then().statusCode(200).extract().path("result");
        assertEquals("success", result);
        // checked where it now lives: all there, nothing moved or copied
        given().post("/start/" + hash).then().statusCode(200);
        awaitInfo(hash, ContentLayoutTest::complete, "found its data in the new folder");
        assertEquals(elsewhere.toString(), info(hash).getString("[0].save_path"));
        assertTrue(Files.size(made) == 60_000);
        given().post("/remove/" + hash).then().statusCode(200);
    }
}

package me.bittorrent.api.qbittorrent;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TestCredentials;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Sonarr and Radarr do with a qBittorrent download client, replayed against the WebAPI emulation: the
 * connection test without a cookie (403 makes them log in), login, add a .torrent with their options, properties
 * polled at once, info filtered by hashes and their category, pause/resume, delete with the files, logout.
 */
@QuarkusTest
class QbittorrentContractTest {

    static final String API = "/api/v2/";

    static TorrentBuilder torrent(String name, int size) {
        Path dir = Payloads.tempDir("qb");
        return TorrentBuilder.of(Payloads.file(dir.resolve(name), size)).pieceLength(16384);
    }

    static String login() {
        Response login = given().auth().none().formParam("username", TestCredentials.USER)
                .formParam("password", TestCredentials.PASSWORD).post(API + "auth/login");
        login.then().statusCode(200).body(equalTo("Ok."))
                .header("Set-Cookie", matchesPattern("SID=[^;]+; HttpOnly; Path=/; SameSite=Lax"));
        return login.getCookie("SID");
    }

    static RequestSpecification as(String sid) {
        return given().auth().none().cookie("SID", sid);
    }

    static void awaitState(String sid, String hash, List<String> states) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = as(sid).get(API + "torrents/info?hashes=" + hash).then().statusCode(200).extract()
                    .path("[0].state");
            if (states.contains(seen)) {
                return;
            }
            try {
                Thread.sleep(50); // bounded poll of the public state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(hash + " never reached " + states + "; last seen " + seen);
    }

    @Test
    void sonarrAndRadarrFlow() throws Exception {
        // the connection test starts without a cookie: 403 (not 401, no Basic challenge) makes them log in
        given().auth().none().get(API + "app/webapiVersion").then().statusCode(403)
                .header("WWW-Authenticate", nullValue());
        given().auth().none().post(API + "torrents/info").then().statusCode(403);
        given().auth().none().formParam("username", "admin").formParam("password", "wrong")
                .post(API + "auth/login").then().statusCode(200).body(equalTo("Fails."))
                .header("Set-Cookie", nullValue());
        String sid = login(); // also resets the failure count of this address
        as(sid).get(API + "app/webapiVersion").then().statusCode(200).body(equalTo("2.11.4"));
        as(sid).post(API + "app/version").then().statusCode(200).body(equalTo("v5.1.2"));
        // Flood echoes the whole Set-Cookie string as its Cookie header
        given().auth().none().header("Cookie", "SID=" + sid + "; HttpOnly; Path=/; SameSite=Lax")
                .get(API + "app/webapiVersion").then().statusCode(200);
        // Sonarr's connection test: its category, created without a save path when missing, then listed again
        Map<String, Object> categories = as(sid).get(API + "torrents/categories").then().statusCode(200)
                .extract().jsonPath().getMap("$");
        if (!categories.containsKey("tv-sonarr")) {
            as(sid).formParam("category", "tv-sonarr").post(API + "torrents/createCategory").then().statusCode(200);
        }
        as(sid).get(API + "torrents/categories").then().statusCode(200)
                .body("'tv-sonarr'.name", equalTo("tv-sonarr")).body("'tv-sonarr'.savePath", equalTo(""));
        as(sid).formParam("category", "tv-sonarr").post(API + "torrents/createCategory").then().statusCode(409);
        as(sid).formParam("category", "bad//name").post(API + "torrents/createCategory").then().statusCode(400);
        as(sid).formParam("category", "tv-sonarr").formParam("savePath", "/data/tv")
                .post(API + "torrents/editCategory").then().statusCode(200);
        as(sid).get(API + "torrents/categories").then().body("'tv-sonarr'.savePath", equalTo("/data/tv"));
        as(sid).formParam("categories", "tv-sonarr\nother").post(API + "torrents/removeCategories").then()
                .statusCode(200);
        as(sid).get(API + "torrents/categories").then().body("'tv-sonarr'", nullValue());
        as(sid).get(API + "torrents/tags").then().statusCode(200).body("$", notNullValue());

        TorrentBuilder builder = torrent("episode.mkv", 70000);
        String hash = builder.infoHashHex();
        Path savePath = Payloads.tempDir("sonarr-save");
        // the category was removed above: the add creates it again, as qBittorrent does
        as(sid).multiPart("torrents", "episode.torrent", builder.build(), "application/x-bittorrent")
                .multiPart("category", "tv-sonarr").multiPart("stopped", "True").multiPart("paused", "True")
                .multiPart("savepath", savePath.toString()).multiPart("contentLayout", "undefined")
                .multiPart("tags", "a,b").multiPart("sequentialDownload", "false").multiPart("unknownKey", "x")
                .post(API + "torrents/add").then().statusCode(200).body(equalTo("Ok."));
        try {
            // polled at once after the add
            as(sid).get(API + "torrents/properties?hash=" + hash.toUpperCase()).then().statusCode(200)
                    .body("hash", equalTo(hash)).body("name", equalTo("episode.mkv"))
                    .body("save_path", equalTo(savePath.toString())).body("total_size", equalTo(70000))
                    .body("pieces_num", equalTo(5)).body("eta", equalTo(8640000));
            as(sid).queryParam("category", "tv-sonarr").queryParam("hashes", hash + "|" + "0".repeat(40))
                    .get(API + "torrents/info").then().statusCode(200).body("$", hasSize(1))
                    .body("[0].hash", equalTo(hash)).body("[0].state", equalTo("stoppedDL"))
                    .body("[0].progress", equalTo(0.0f)).body("[0].size", equalTo(70000))
                    .body("[0].amount_left", equalTo(70000)).body("[0].category", equalTo("tv-sonarr"))
                    .body("[0].tags", equalTo("a, b")).body("[0].ratio_limit", equalTo(-2.0f));
            as(sid).queryParam("category", "radarr").queryParam("hashes", hash).get(API + "torrents/info").then()
                    .statusCode(200).body("$", hasSize(0));
            as(sid).queryParam("category", "").queryParam("hashes", hash).get(API + "torrents/info").then()
                    .body("$", hasSize(0));
            as(sid).queryParam("tag", "b").queryParam("hashes", hash).get(API + "torrents/info").then()
                    .body("$", hasSize(1));
            // setShareLimits with only ratioLimit: the seeding time limit stays the global one (-2)
            as(sid).formParam("hashes", hash).formParam("ratioLimit", "1.5").post(API + "torrents/setShareLimits")
                    .then().statusCode(200);
            as(sid).get(API + "torrents/info?hashes=" + hash).then().body("[0].ratio_limit", equalTo(1.5f))
                    .body("[0].seeding_time_limit", equalTo(-2)).body("[0].max_ratio", equalTo(1.5f));
            // the same torrent again: qBittorrent's "Fails."
            as(sid).multiPart("torrents", "episode.torrent", builder.build(), "application/x-bittorrent")
                    .post(API + "torrents/add").then().statusCode(200).body(equalTo("Fails."));

            // state changes are POST only
            as(sid).get(API + "torrents/resume?hashes=" + hash).then().statusCode(405);
            as(sid).formParam("hashes", hash).post(API + "torrents/resume").then().statusCode(200);
            awaitState(sid, hash, List.of("stalledDL", "downloading", "queuedDL", "checkingDL"));
            as(sid).formParam("hashes", hash).post(API + "torrents/pause").then().statusCode(200);
            awaitState(sid, hash, List.of("stoppedDL"));
            as(sid).formParam("hashes", hash).post(API + "torrents/start").then().statusCode(200);
            awaitState(sid, hash, List.of("stalledDL", "downloading", "queuedDL", "checkingDL"));
            as(sid).formParam("hashes", hash).post(API + "torrents/stop").then().statusCode(200);
            awaitState(sid, hash, List.of("stoppedDL"));
            as(sid).formParam("hashes", hash).post(API + "torrents/setSuperSeeding").then().statusCode(200);
        } finally {
            as(sid).formParam("hashes", hash).formParam("deleteFiles", "true").post(API + "torrents/delete")
                    .then().statusCode(200);
        }
        as(sid).get(API + "torrents/info?hashes=" + hash).then().statusCode(200).body("$", hasSize(0));
        as(sid).get(API + "torrents/properties?hash=" + hash).then().statusCode(404);

        as(sid).post(API + "auth/logout").then().statusCode(200)
                .header("Set-Cookie", matchesPattern("SID=; .*Max-Age=0.*"));
        as(sid).get(API + "app/webapiVersion").then().statusCode(403);
    }

    /** Wrong passwords count toward the service's ban (test profile: 5 failures, 3 s); a banned login is 403. */
    @Test
    void wrongLoginsBanTheAddress() {
        int status = 200;
        for (int i = 0; i < 10 && status == 200; i++) {
            status = given().auth().none().formParam("username", "admin").formParam("password", "guess" + i)
                    .post(API + "auth/login").then().extract().statusCode();
        }
        assertEquals(403, status, "banned after the failures");
        given().auth().none().formParam("username", TestCredentials.USER)
                .formParam("password", TestCredentials.PASSWORD).post(API + "auth/login").then().statusCode(403)
                .header("Set-Cookie", nullValue());
        // the ban ends (BT_BAN_DURATION=3s in tests): bounded wait, then the right password signs in again
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (given().auth().none().formParam("username", TestCredentials.USER)
                .formParam("password", TestCredentials.PASSWORD).post(API + "auth/login").statusCode() == 403) {
            assertTrue(System.nanoTime() < deadline, "the ban ended");
            try {
                Thread.sleep(200); // bounded poll until the ban ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        login();
    }

    @Test
    void deleteWithFilesRemovesThemFromDisk() throws Exception {
        TorrentBuilder builder = torrent("data.bin", 20000);
        String hash = builder.infoHashHex();
        given().multiPart("torrents", "data.torrent", builder.build()).post(API + "torrents/add")
                .then().statusCode(200).body(equalTo("Ok."));
        String savePath = given().get(API + "torrents/properties?hash=" + hash).then().extract().path("save_path");
        Path file = Path.of(savePath).resolve("data.bin");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[20000]); // stands for downloaded data
        given().formParam("hashes", hash).formParam("deleteFiles", "True").post(API + "torrents/delete")
                .then().statusCode(200);
        assertFalse(Files.exists(file), "deleteFiles=True deleted the torrent's file");
    }

    @Test
    void basicAndBearerWorkWithoutLoginAndCrossSiteIsRefused() {
        given().get(API + "app/version").then().statusCode(200).body(equalTo("v5.1.2")); // Basic (test default)
        given().auth().none().header("Authorization", TestCredentials.basic("admin", "not-it"))
                .get(API + "app/version").then().statusCode(403);
        login(); // resets the failure count
        given().header("Origin", "http://evil.example").formParam("hashes", "all")
                .post(API + "torrents/stop").then().statusCode(403);
        given().get(API + "app/nothing").then().statusCode(404);
        // the open login takes no big body
        given().auth().none().contentType("application/x-www-form-urlencoded")
                .body("username=admin&password=" + "x".repeat(64 * 1024)).post(API + "auth/login")
                .then().statusCode(413);
    }

    @Test
    void magnetLinksAreAddedUnreachableWebLinksFailAndNonTorrentsAre415() {
        // a web link is fetched (WebUrlAddTest); one nobody answers adds nothing: Fails.
        given().multiPart("urls", "http://127.0.0.1:9/a.torrent").post(API + "torrents/add")
                .then().statusCode(200).body(org.hamcrest.Matchers.equalTo("Fails."));
        given().multiPart("urls", "magnet:?xt=urn:btih:" + "a".repeat(40)).multiPart("stopped", "true")
                .post(API + "torrents/add").then().statusCode(200).body(org.hamcrest.Matchers.equalTo("Ok."));
        given().queryParam("hashes", "a".repeat(40)).get(API + "torrents/info").then().statusCode(200)
                .body("[0].state", equalTo("stoppedDL")).body("[0].hash", equalTo("a".repeat(40)));
        given().multiPart("urls", "magnet:?xt=urn:btih:" + "a".repeat(40)).post(API + "torrents/add")
                .then().statusCode(200).body(org.hamcrest.Matchers.equalTo("Fails.")); // already there
        given().formParam("hashes", "a".repeat(40)).formParam("deleteFiles", "true").post(API + "torrents/delete")
                .then().statusCode(200);
        given().multiPart("torrents", "notes.txt", "hello".getBytes()).post(API + "torrents/add")
                .then().statusCode(415).body(org.hamcrest.Matchers.containsString("is not a valid torrent file"));
    }

    @Test
    void preferencesAndTransferInfo() {
        Map<String, Object> before = given().get(API + "app/preferences").then().statusCode(200)
                .body("save_path", notNullValue()).body("dht", equalTo(true))
                .body("queueing_enabled", equalTo(true)).body("max_ratio_enabled", equalTo(false))
                .body("max_ratio", equalTo(-1.0f)).body("max_seeding_time_enabled", equalTo(false))
                .body("max_seeding_time", equalTo(-1)).body("max_ratio_act", equalTo(0))
                .body("resume_data_storage_type", equalTo("Legacy"))
                .extract().as(Map.class);
        try {
            given().formParam("json", "{\"dl_limit\":2048000,\"up_limit\":1000,\"max_active_downloads\":3,"
                    + "\"unknown_pref\":true}").post(API + "app/setPreferences").then().statusCode(200);
            given().get(API + "app/preferences").then().body("dl_limit", equalTo(2048000))
                    .body("up_limit", equalTo(1024)).body("max_active_downloads", equalTo(3));
            given().get(API + "transfer/info").then().statusCode(200).body("dl_rate_limit", equalTo(2048000))
                    .body("dht_nodes", notNullValue())
                    .body("dl_info_speed", equalTo(0)).body("connection_status", notNullValue());
            given().formParam("json", "{\"dl_limit\":\"fast\"}").post(API + "app/setPreferences")
                    .then().statusCode(400);
        } finally {
            given().formParam("json", "{\"dl_limit\":" + before.get("dl_limit") + ",\"up_limit\":"
                    + before.get("up_limit") + ",\"max_active_downloads\":" + before.get("max_active_downloads")
                    + "}").post(API + "app/setPreferences").then().statusCode(200);
        }
    }

    @Test
    void limitsFilesAndFilePriorities() {
        Path dir = Payloads.tempDir("qbmulti").resolve("Show");
        Payloads.file(dir.resolve("a.mkv"), 30000);
        Payloads.file(dir.resolve("extras/b.nfo"), 1000);
        TorrentBuilder builder = TorrentBuilder.of(dir).pieceLength(16384);
        String hash = builder.infoHashHex();
        given().multiPart("file", "show.torrent", builder.build()).multiPart("paused", "true")
                .multiPart("dlLimit", "102400").post(API + "torrents/add").then().body(equalTo("Ok."));
        try {
            given().get(API + "torrents/downloadLimit?hashes=" + hash).then().body(hash, equalTo(102400));
            given().formParam("hashes", hash).formParam("limit", "51200").post(API + "torrents/setDownloadLimit")
                    .then().statusCode(200);
            given().formParam("hashes", hash).formParam("limit", "2048").post(API + "torrents/setUploadLimit")
                    .then().statusCode(200);
            given().get(API + "torrents/info?hashes=" + hash).then().body("[0].dl_limit", equalTo(51200))
                    .body("[0].up_limit", equalTo(2048)).body("[0].content_path", matchesPattern(".*/Show"));
            given().get(API + "torrents/files?hash=" + hash).then().statusCode(200).body("$", hasSize(2))
                    .body("name", equalTo(List.of("Show/a.mkv", "Show/extras/b.nfo")))
                    .body("index", equalTo(List.of(0, 1))).body("priority", equalTo(List.of(1, 1)))
                    .body("[0].piece_range", equalTo(List.of(0, 1)));
            given().formParam("hash", hash).formParam("id", "1").formParam("priority", "0")
                    .post(API + "torrents/filePrio").then().statusCode(200);
            given().get(API + "torrents/files?hash=" + hash).then().body("priority", equalTo(List.of(1, 0)));
            given().get(API + "torrents/info?hashes=" + hash).then().body("[0].size", equalTo(30000))
                    .body("[0].total_size", equalTo(31000));
            given().formParam("hash", hash).formParam("id", "7").formParam("priority", "0")
                    .post(API + "torrents/filePrio").then().statusCode(409);
            given().get(API + "torrents/trackers?hash=" + hash).then().statusCode(200)
                    .body("[0].url", equalTo("** [DHT] **"));
        } finally {
            given().formParam("hashes", hash).formParam("deleteFiles", "false").post(API + "torrents/delete");
        }
    }

    @Test
    void infoSelectionAndMaindata() {
        TorrentBuilder first = torrent("alpha.bin", 10000);
        TorrentBuilder second = torrent("Beta.bin", 20000);
        for (TorrentBuilder b : List.of(first, second)) {
            given().multiPart("torrents", "x.torrent", b.build()).multiPart("stopped", "true")
                    .post(API + "torrents/add").then().body(equalTo("Ok."));
        }
        String both = first.infoHashHex() + "|" + second.infoHashHex();
        try {
            given().get(API + "torrents/info?sort=name&hashes=" + both).then()
                    .body("name", equalTo(List.of("alpha.bin", "Beta.bin")));
            given().get(API + "torrents/info?sort=size&reverse=true&hashes=" + both).then()
                    .body("name", equalTo(List.of("Beta.bin", "alpha.bin")));
            given().get(API + "torrents/info?sort=name&limit=1&offset=1&hashes=" + both).then()
                    .body("name", equalTo(List.of("Beta.bin")));
            given().get(API + "torrents/info?filter=stopped&hashes=" + both).then().body("$", hasSize(2));
            given().get(API + "torrents/info?filter=downloading&hashes=" + both).then().body("$", hasSize(2));
            given().get(API + "torrents/info?filter=completed&hashes=" + both).then().body("$", hasSize(0));
            given().get(API + "torrents/info?filter=running&hashes=" + both).then().body("$", hasSize(0));
            int rid = given().get(API + "sync/maindata?rid=0").then().statusCode(200)
                    .body("full_update", equalTo(true))
                    .body("torrents." + first.infoHashHex() + ".name", equalTo("alpha.bin"))
                    .body("torrents." + first.infoHashHex() + ".hash", nullValue())
                    .body("categories", notNullValue()).body("tags", notNullValue())
                    .body("server_state.dl_info_speed", notNullValue())
                    .extract().path("rid");
            int next = given().post(API + "sync/maindata?rid=" + rid).then().statusCode(200)
                    .body("full_update", nullValue()) // a delta: the stopped torrents did not change
                    .body("torrents." + first.infoHashHex(), nullValue())
                    .extract().path("rid");
            assertTrue(next > rid, "rid grows");
            given().post(API + "torrents/delete?deleteFiles=false&hashes=" + first.infoHashHex()).then()
                    .statusCode(200);
            given().get(API + "sync/maindata?rid=" + next).then().statusCode(200)
                    .body("full_update", nullValue())
                    .body("torrents_removed", equalTo(List.of(first.infoHashHex())));
            given().get(API + "sync/torrentPeers?rid=0&hash=" + second.infoHashHex()).then().statusCode(200)
                    .body("full_update", equalTo(true)).body("peers", equalTo(Map.of()));
            given().get(API + "sync/torrentPeers?hash=" + first.infoHashHex()).then().statusCode(404);
        } finally {
            given().formParam("hashes", both).post(API + "torrents/delete").then().statusCode(200)
                    .body(emptyString());
        }
        assertEquals(0, given().get(API + "torrents/info?hashes=" + both).then().extract().jsonPath()
                .getList("$").size());
    }
}

package me.bittorrent.api.qbittorrent;

import io.quarkus.test.junit.QuarkusTest;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The qBittorrent endpoints of the library: categories with a save path, tags, share limits, force start, queue
 * order (topPrio ...), setLocation, recheck and reannounce, as a qBittorrent client calls them.
 */
@QuarkusTest
class QbittorrentLibraryTest {

    static final String API = "/api/v2/";

    static String add(TorrentBuilder builder, String... options) {
        var request = given().multiPart("torrents", "x.torrent", builder.build());
        for (int i = 0; i < options.length; i += 2) {
            request = request.multiPart(options[i], options[i + 1]);
        }
        request.post(API + "torrents/add").then().statusCode(200).body(equalTo("Ok."));
        return builder.infoHashHex();
    }

    static String field(String hash, String name) {
        Object value = given().get(API + "torrents/info?hashes=" + hash).then().statusCode(200).extract()
                .path("[0]." + name);
        return String.valueOf(value);
    }

    static void await(String hash, String name, String value) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = field(hash, name);
            if (value.equals(seen)) {
                return;
            }
            try {
                Thread.sleep(50); // bounded poll of the public state
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(hash + " " + name + " never became " + value + "; last seen " + seen);
    }

    @Test
    void categoriesTagsLimitsQueueAndLocation() throws Exception {
        Path catDir = Payloads.tempDir("qbcat");
        given().formParam("category", "music").formParam("savePath", catDir.toString())
                .post(API + "torrents/createCategory").then().statusCode(200);
        given().get(API + "torrents/categories").then().body("music.savePath", equalTo(catDir.toString()));
        Path oneFile = Payloads.file(Payloads.tempDir("qblib").resolve("one.flac"), 30000);
        TorrentBuilder first = TorrentBuilder.of(oneFile).pieceLength(16384);
        TorrentBuilder second = TorrentBuilder.of(Payloads.file(Payloads.tempDir("qblib").resolve("two.flac"), 30000))
                .pieceLength(16384);
        String one = add(first, "category", "music", "stopped", "true", "tags", "lossless", "ratioLimit", "2",
                "seedingTimeLimit", "60");
        String two = add(second, "stopped", "true");
        String both = one + "|" + two;
        try {
            given().get(API + "torrents/info?hashes=" + one).then().body("[0].save_path", equalTo(catDir.toString()))
                    .body("[0].category", equalTo("music")).body("[0].tags", equalTo("lossless"))
                    .body("[0].ratio_limit", equalTo(2.0f)).body("[0].seeding_time_limit", equalTo(60))
                    .body("[0].added_on", not(equalTo(-1))).body("[0].completion_on", equalTo(-1));
            given().queryParam("category", "music").queryParam("hashes", both).get(API + "torrents/info").then()
                    .body("hash", equalTo(List.of(one)));

            // categories: setCategory, an unknown one is 409, "" clears it
            given().formParam("hashes", two).formParam("category", "nope").post(API + "torrents/setCategory")
                    .then().statusCode(409);
            given().formParam("hashes", two).formParam("category", "music").post(API + "torrents/setCategory")
                    .then().statusCode(200);
            given().queryParam("category", "music").queryParam("hashes", both).get(API + "torrents/info").then()
                    .body("$", hasSize(2));
            given().formParam("hashes", two).formParam("category", "").post(API + "torrents/setCategory")
                    .then().statusCode(200);
            assertTrue(field(two, "category").isEmpty());

            // tags
            given().formParam("tags", "spare").post(API + "torrents/createTags").then().statusCode(200);
            given().formParam("hashes", both).formParam("tags", "new,shared").post(API + "torrents/addTags").then()
                    .statusCode(200);
            given().get(API + "torrents/tags").then().body("$", hasItems("spare", "new", "shared", "lossless"));
            given().formParam("hashes", one).formParam("tags", "new").post(API + "torrents/removeTags").then()
                    .statusCode(200);
            given().get(API + "torrents/info?hashes=" + one).then().body("[0].tags", equalTo("lossless, shared"));
            given().queryParam("tag", "new").queryParam("hashes", both).get(API + "torrents/info").then()
                    .body("hash", equalTo(List.of(two)));
            given().formParam("tags", "spare,new,shared").post(API + "torrents/deleteTags").then().statusCode(200);
            given().get(API + "torrents/tags").then().body("$", not(hasItem("spare")));
            given().get(API + "torrents/info?hashes=" + two).then().body("[0].tags", equalTo(""));

            // share limits: missing parameters mean the global limit (-2)
            given().formParam("hashes", one).formParam("seedingTimeLimit", "-1").post(API + "torrents/setShareLimits")
                    .then().statusCode(200);
            given().get(API + "torrents/info?hashes=" + one).then().body("[0].ratio_limit", equalTo(-2.0f))
                    .body("[0].seeding_time_limit", equalTo(-1));
            given().formParam("hashes", one).formParam("ratioLimit", "x").post(API + "torrents/setShareLimits")
                    .then().statusCode(400);

            // queue order: one then two to the top (two first, one second), then one up again
            given().formParam("hashes", one).post(API + "torrents/topPrio").then().statusCode(200);
            given().formParam("hashes", two).post(API + "torrents/topPrio").then().statusCode(200);
            assertTrue("1".equals(field(two, "priority")), "two is first");
            int twoPrio = Integer.parseInt(field(two, "priority"));
            int onePrio = Integer.parseInt(field(one, "priority"));
            assertTrue(twoPrio < onePrio, "two is ahead: " + twoPrio + " < " + onePrio);
            given().formParam("hashes", one).post(API + "torrents/increasePrio").then().statusCode(200);
            assertTrue("1".equals(field(one, "priority")) && "2".equals(field(two, "priority")), "one is first");
            given().formParam("hashes", one).post(API + "torrents/bottomPrio").then().statusCode(200);
            given().formParam("hashes", two).post(API + "torrents/decreasePrio").then().statusCode(200);

            // force start: running, shown forcedDL (no peer: it stays downloading)
            given().formParam("hashes", one).formParam("value", "true").post(API + "torrents/setForceStart").then()
                    .statusCode(200);
            await(one, "force_start", "true");
            await(one, "state", "forcedDL");
            given().formParam("hashes", one).post(API + "torrents/reannounce").then().statusCode(200);
            given().formParam("hashes", one).post(API + "torrents/stop").then().statusCode(200);
            await(one, "state", "stoppedDL");

            // its data appears in its save path: recheck finds it; then setLocation moves it
            Files.copy(oneFile, catDir.resolve("one.flac"));
            given().formParam("hashes", one).post(API + "torrents/recheck").then().statusCode(200);
            await(one, "progress", "1.0");
            Path moved = Payloads.tempDir("qbmoved");
            given().formParam("hashes", one).formParam("location", moved.toString())
                    .post(API + "torrents/setLocation").then().statusCode(200);
            await(one, "save_path", moved.toString());
            assertTrue(Files.isRegularFile(moved.resolve("one.flac")));
            given().formParam("hashes", one).formParam("location", "not/absolute")
                    .post(API + "torrents/setLocation").then().statusCode(409);
            given().formParam("hashes", one).post(API + "torrents/setLocation").then().statusCode(400);
        } finally {
            given().formParam("hashes", both).post(API + "torrents/delete").then().statusCode(200);
            given().formParam("categories", "music").post(API + "torrents/removeCategories").then().statusCode(200);
        }
    }

    @Test
    void globalShareLimitsInPreferences() {
        try {
            given().formParam("json", "{\"max_ratio_enabled\":true,\"max_ratio\":1.5,\"max_seeding_time_enabled\":true,"
                    + "\"max_seeding_time\":90,\"max_ratio_act\":1}").post(API + "app/setPreferences").then()
                    .statusCode(200);
            given().get(API + "app/preferences").then().body("max_ratio_enabled", equalTo(true))
                    .body("max_ratio", equalTo(1.5f)).body("max_seeding_time", equalTo(90))
                    .body("max_ratio_act", equalTo(1));
            given().get("/settings").then().body("ratio_limit", equalTo(1.5f)).body("seeding_time_limit", equalTo(90))
                    .body("share_limit_action", equalTo("remove"));
            given().formParam("json", "{\"max_ratio_act\":2}").post(API + "app/setPreferences").then().statusCode(400);
        } finally {
            given().formParam("json", "{\"max_ratio_enabled\":false,\"max_seeding_time_enabled\":false,"
                    + "\"max_ratio_act\":0}").post(API + "app/setPreferences").then().statusCode(200);
        }
        given().get(API + "app/preferences").then().body("max_ratio_enabled", equalTo(false))
                .body("max_ratio", equalTo(-1.0f));
    }
}

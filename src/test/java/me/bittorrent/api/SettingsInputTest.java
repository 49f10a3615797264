package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Path;
import me.bittorrent.engine.DownloadEngine;
import org.junit.jupiter.api.Test;

/** Issue 11 item 9: settings a clumsy or hostile client sends are refused in the user's words. */
@QuarkusTest
class SettingsInputTest {

    @Inject
    DownloadEngine engine;

    private static void refusedDir(String directory, String expected) {
        given().contentType(ContentType.JSON).body("{\"directory\": \"" + directory.replace("\\", "\\\\") + "\"}")
                .post("/set-download-dir").then().statusCode(400)
                .body("detail", containsString(expected));
    }

    @Test
    void theDownloadFolderCannotOverlapTheStateFolder() {
        Path state = engine.stateDir();
        String before = engine.downloadDir().toString();
        refusedDir(state.toString(), "cannot be the service's state folder");
        refusedDir(state.resolve("torrents").toString(), "cannot be inside the service's state folder");
        refusedDir(state.getParent().toString(), "cannot contain the service's state folder");
        refusedDir(state.resolve("x/../").toString(), "cannot be the service's state folder");
        given().get("/get-download-dir").then().statusCode(200).body("directory", equalTo(before));
    }

    @Test
    void limitsAboveASaneMaximumAreRefusedNotWrapped() {
        String id = ApiTest.upload(ApiTest.singleFile("limits.bin", 20000).build(), null);
        try {
            long huge = (1L << 54) + 1;
            given().contentType(ContentType.JSON).body("{\"speed_limit\": " + huge + "}")
                    .post("/settings/" + id).then().statusCode(400)
                    .body("detail", equalTo("speed_limit must be 0 (unlimited) or a number of KB/s up to 100000000,"
                            + " not " + huge));
            given().contentType(ContentType.JSON).body("{\"download_limit\": " + huge + "}")
                    .post("/settings").then().statusCode(400).body("detail", containsString("download_limit must"));
            given().get("/status/" + id).then().statusCode(200).body("settings.speed_limit", equalTo(0));
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }

    @Test
    void detailsNeverQuoteJavaClassesOrJacksonTokens() {
        String id = ApiTest.upload(ApiTest.singleFile("words.bin", 20000).build(), null);
        try {
            for (String body : new String[] {"[]", "[1,2]", "\"text\"", "{\"speed_limit\": [1]}", "{\"speed_limit\": ",
                "{\"max_peers\": 99999999999999999999}", "{\"auto_stop\": {}}", "{\"speed_limit\": \"fast\"}"}) {
                given().contentType(ContentType.JSON).body(body).post("/settings/" + id).then().statusCode(400)
                        .body("detail", allOf(not(containsString("me.bittorrent")), not(containsString("JsonToken")),
                                not(containsString("java.")), not(containsString("`"))));
            }
            given().contentType(ContentType.JSON).body("[]").post("/settings").then().statusCode(400)
                    .body("detail", equalTo("The body must be a JSON object with the documented fields"));
        } finally {
            given().post("/remove/" + id).then().statusCode(200);
        }
    }
}

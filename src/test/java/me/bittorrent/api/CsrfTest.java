package me.bittorrent.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Cross-site requests cannot change anything; same-site ones and header-less ones (curl) can. */
@QuarkusTest
class CsrfTest {

    private static String sameOrigin() {
        return "http://localhost:" + RestAssured.port;
    }

    @Test
    void crossSiteOriginCannotRemoveATorrent() {
        String id = ApiTest.upload(ApiTest.singleFile("csrf1.bin", 1000).build(), null);
        given().header("Origin", "http://evil.example").post("/remove/" + id)
                .then().statusCode(403).body("detail", containsString("Cross-site"));
        given().header("Origin", "http://localhost:1").get("/remove/" + id).then().statusCode(403);
        given().header("Sec-Fetch-Site", "cross-site").get("/remove/" + id).then().statusCode(403);
        given().header("Referer", "https://evil.example/page").get("/remove/" + id).then().statusCode(403);
        given().header("Origin", "null").post("/remove/" + id).then().statusCode(403);
        given().get("/status/" + id).then().statusCode(200).body("state", equalTo("stopped"));

        given().header("Origin", sameOrigin()).header("Sec-Fetch-Site", "same-origin")
                .get("/remove/" + id).then().statusCode(200);
        given().get("/status/" + id).then().statusCode(404);
    }

    @Test
    void crossSiteCannotChangeSettingsSelectionFolderOrUpload() {
        String id = ApiTest.upload(ApiTest.singleFile("csrf2.bin", 1000).build(), null);
        given().header("Origin", "http://evil.example").contentType(ContentType.JSON).body("{\"max_peers\": 3}")
                .post("/settings/" + id).then().statusCode(403);
        given().header("Referer", "http://evil.example/").contentType(ContentType.JSON)
                .body("{\"file_selections\": {\"csrf2.bin\": false}}")
                .post("/files/" + id).then().statusCode(403);
        given().header("Sec-Fetch-Site", "cross-site").contentType(ContentType.JSON)
                .body("{\"directory\": \"/tmp/evil\"}").post("/set-download-dir").then().statusCode(403);
        given().header("Origin", "http://evil.example")
                .multiPart("file", "x.torrent", ApiTest.singleFile("csrf3.bin", 100).build(), "application/x-bittorrent")
                .post("/upload").then().statusCode(403);
        given().get("/status/" + id).then().body("settings.max_peers", equalTo(50));
        given().get("/files/" + id).then().body("files[0].selected", equalTo(true));
    }

    @Test
    void sameOriginAndHeaderlessRequestsPass() {
        String id = ApiTest.upload(ApiTest.singleFile("csrf4.bin", 1000).build(), null);
        given().header("Origin", sameOrigin()).contentType(ContentType.JSON).body("{\"max_peers\": 3}")
                .post("/settings/" + id).then().statusCode(200);
        given().header("Referer", sameOrigin() + "/docs").contentType(ContentType.JSON).body("{\"max_peers\": 4}")
                .post("/settings/" + id).then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"max_peers\": 5}")
                .post("/settings/" + id).then().statusCode(200).body("settings.max_peers", equalTo(5));
        // reading is never refused, even cross-site
        given().header("Origin", "http://evil.example").get("/status/" + id).then().statusCode(200);
        given().post("/remove/" + id).then().statusCode(200);
    }
}

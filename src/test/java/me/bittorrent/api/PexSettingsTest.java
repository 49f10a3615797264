package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import me.bittorrent.engine.GlobalPreferences;
import me.bittorrent.testing.TestCredentials;

/** The pex switch (on by default) through /settings, qBittorrent's app/preferences and Transmission's session. */
@QuarkusTest
class PexSettingsTest {

    static final String QB = "/api/v2/";
    static final String RPC = "/transmission/rpc";

    @Inject
    GlobalPreferences preferences;

    static RequestSpecification qb(String sid) {
        return given().auth().none().cookie("SID", sid);
    }

    static String qbLogin() {
        return given().auth().none().formParam("username", TestCredentials.USER)
                .formParam("password", TestCredentials.PASSWORD).post(QB + "auth/login").then().statusCode(200)
                .extract().cookie("SID");
    }

    static JsonPath rpc(String method, Map<String, ?> arguments) {
        String id = given().contentType("application/json").body("{\"method\":\"session-get\"}").post(RPC)
                .then().statusCode(409).extract().header("X-Transmission-Session-Id");
        return given().header("X-Transmission-Session-Id", id).contentType("application/json")
                .body(Map.of("method", method, "arguments", arguments)).post(RPC).then().statusCode(200)
                .body("result", equalTo("success")).extract().jsonPath();
    }

    @Test
    void onByDefaultAndSwitchedByEachApi() {
        given().get("/settings").then().statusCode(200).body("pex", equalTo(true));
        String sid = qbLogin();
        try {
            given().contentType(ContentType.JSON).body("{\"pex\": false}").post("/settings").then().statusCode(200)
                    .body("pex", equalTo(false));
            assertFalse(preferences.settings().pex());
            assertFalse(preferences.preferences().pex(), "saved as the user's choice");
            qb(sid).get(QB + "app/preferences").then()
                    .statusCode(200).body("pex", equalTo(false));
            assertFalse(rpc("session-get", Map.of()).getBoolean("arguments.pex-enabled"));

            qb(sid).formParam("json", "{\"pex\":true}")
                    .post(QB + "app/setPreferences").then().statusCode(200);
            given().get("/settings").then().body("pex", equalTo(true));
            assertTrue(rpc("session-get", Map.of()).getBoolean("arguments.pex-enabled"));

            rpc("session-set", Map.of("pex-enabled", false));
            given().get("/settings").then().body("pex", equalTo(false));
            given().contentType(ContentType.JSON).body("{\"pex\": \"yes\"}").post("/settings").then()
                    .statusCode(400);
        } finally {
            given().contentType(ContentType.JSON).body("{\"pex\": true}").post("/settings").then().statusCode(200);
        }
        assertTrue(preferences.settings().pex());
    }
}

package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import me.bittorrent.engine.GlobalPreferences;

/** The alternative speed limits through /settings, qBittorrent's transfer/* and prefs, Transmission's session-*. */
@QuarkusTest
class AltSpeedApiTest {

    static final String QB = "/api/v2/";

    @Inject
    GlobalPreferences preferences;

    static JsonPath rpc(String method, Map<String, ?> arguments) {
        String session = given().contentType("application/json").body("{\"method\":\"session-get\"}")
                .post("/transmission/rpc").then().statusCode(409).extract().header("X-Transmission-Session-Id");
        return given().header("X-Transmission-Session-Id", session).contentType("application/json")
                .body(Map.of("method", method, "arguments", arguments)).post("/transmission/rpc")
                .then().statusCode(200).extract().jsonPath();
    }

    static long metric() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("bittorrent_alt_speed_enabled"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no bittorrent_alt_speed_enabled in /q/metrics"));
    }

    @Test
    void oneSwitchSeenByEveryApi() {
        try {
            given().contentType("application/json").body(Map.of("download_limit", 500, "upload_limit", 0,
                    "alt_download_limit", 100, "alt_upload_limit", 20)).post("/settings").then().statusCode(200)
                    .body("alt_download_limit", equalTo(100)).body("alt_upload_limit", equalTo(20))
                    .body("alt_speed_enabled", equalTo(false));
            assertEquals(500 * 1024, preferences.downloadLimiter().rate(), "normal limits while off");
            given().contentType("application/json").body(Map.of("alt_download_limit", -1)).post("/settings")
                    .then().statusCode(400).body("detail", containsString("alt_download_limit"));

            // qBittorrent: the turtle (bytes/s in its preferences, as its dl_limit)
            given().get(QB + "transfer/speedLimitsMode").then().statusCode(200).body(equalTo("0"));
            given().get(QB + "app/preferences").then().body("alt_dl_limit", equalTo(100 * 1024))
                    .body("alt_up_limit", equalTo(20 * 1024));
            given().post(QB + "transfer/toggleSpeedLimitsMode").then().statusCode(200);
            given().get(QB + "transfer/speedLimitsMode").then().body(equalTo("1"));
            assertEquals(100 * 1024, preferences.downloadLimiter().rate(), "the alternative limit at once");
            assertEquals(20 * 1024, preferences.uploadLimiter().rate());
            given().get(QB + "transfer/info").then().body("use_alt_speed_limits", equalTo(true))
                    .body("dl_rate_limit", equalTo(100 * 1024)).body("up_rate_limit", equalTo(20 * 1024));
            given().get(QB + "sync/maindata?rid=0").then().body("server_state.use_alt_speed_limits", equalTo(true));
            given().get("/settings").then().body("alt_speed_enabled", equalTo(true));
            assertEquals(1, metric());
            given().formParam("mode", "0").post(QB + "transfer/setSpeedLimitsMode").then().statusCode(200);
            assertEquals(500 * 1024, preferences.downloadLimiter().rate(), "back to the normal limit");
            assertEquals(0, preferences.uploadLimiter().rate());
            assertEquals(0, metric());
            given().formParam("mode", "x").post(QB + "transfer/setSpeedLimitsMode").then().statusCode(400);
            given().formParam("json", "{\"alt_dl_limit\":204800,\"alt_up_limit\":0}")
                    .post(QB + "app/setPreferences").then().statusCode(200);
            given().get("/settings").then().body("alt_download_limit", equalTo(200))
                    .body("alt_upload_limit", equalTo(0));

            // Transmission: alt-speed-down/-up in KB/s and the switch
            JsonPath session = rpc("session-get", Map.of());
            assertEquals(200, session.getInt("arguments.alt-speed-down"));
            assertEquals(false, session.getBoolean("arguments.alt-speed-enabled"));
            assertEquals("success", rpc("session-set", Map.of("alt-speed-enabled", true, "alt-speed-up", 30))
                    .getString("result"));
            session = rpc("session-get", Map.of());
            assertEquals(true, session.getBoolean("arguments.alt-speed-enabled"));
            assertEquals(30, session.getInt("arguments.alt-speed-up"));
            assertEquals(200 * 1024, preferences.downloadLimiter().rate());
            assertEquals(30 * 1024, preferences.uploadLimiter().rate());
            given().get(QB + "transfer/speedLimitsMode").then().body(equalTo("1"));
        } finally {
            given().contentType("application/json").body(Map.of("download_limit", 0, "upload_limit", 0,
                    "alt_download_limit", 0, "alt_upload_limit", 0, "alt_speed_enabled", false)).post("/settings")
                    .then().statusCode(200);
        }
    }
}

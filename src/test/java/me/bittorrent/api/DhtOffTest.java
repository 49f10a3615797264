package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.Map;
import me.bittorrent.engine.DhtService;
import me.bittorrent.engine.DownloadEngine;
import org.junit.jupiter.api.Test;

/** BT_DHT=off: no DHT socket at all, and the settings cannot switch it on. */
@QuarkusTest
@TestProfile(DhtOffTest.DhtOff.class)
class DhtOffTest {

    public static class DhtOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bt.dht", "off");
        }
    }

    @Inject
    DownloadEngine engine;
    @Inject
    DhtService dht;

    @Test
    void noUdpSocketAndTheSettingCannotTurnItOn() throws Exception {
        DhtServiceTest.awaitTrue(() -> engine.peerPort() > 0 && engine.isLoaded(), "the service is ready");
        assertFalse(dht.allowed());
        assertFalse(dht.status().running());
        // nothing of ours holds the peer port's number on UDP
        assertTrue(DhtServiceTest.canBind(engine.peerPort()), "UDP port " + engine.peerPort() + " is free");
        given().get("/health").then().statusCode(200).body("dht.enabled", equalTo(false))
                .body("dht.running", equalTo(false)).body("dht.nodes", equalTo(0));
        given().get("/settings").then().body("dht", equalTo(false));
        given().contentType(ContentType.JSON).body("{\"dht\": true}").post("/settings").then().statusCode(400)
                .body("detail", containsString("BT_DHT=off"));
        assertFalse(dht.status().running());
    }
}

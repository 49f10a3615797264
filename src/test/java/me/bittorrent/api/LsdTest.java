package me.bittorrent.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.LsdService;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.LsdWire;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Local service discovery (BEP 14) of the running service, on the loopback only (the test profile sets
 * {@code bt.lsd-interface=lo}), against python3-libtorrent with {@code enable_lsd} on 127.0.0.1. The torrents have
 * no tracker and the service's DHT has no bootstrap node: LSD is the only way the two sides can meet.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LsdTest {

    static final Duration BOUND = Duration.ofSeconds(60);

    @Inject
    DownloadEngine engine;
    @Inject
    LsdService lsd;

    LsdWire wire;

    @BeforeEach
    void ready() throws Exception {
        DhtServiceTest.awaitTrue(() -> engine.isLoaded() && lsd.status().running(), "LSD runs: " + lsd.status());
        wire = new LsdWire();
    }

    @AfterEach
    void closeWire() {
        wire.close();
    }

    @Test
    @Order(1)
    void runsOnTheLoopbackAndShowsInHealthAndSettings() {
        given().get("/health").then().statusCode(200).body("lsd.enabled", equalTo(true))
                .body("lsd.running", equalTo(true)).body("lsd.network_interface", equalTo("lo"))
                .body("lsd.error", equalTo(null)).body("status", equalTo("healthy"));
        given().get("/settings").then().statusCode(200).body("lsd", equalTo(true));
        given().get("/api/v2/app/preferences").then().statusCode(200).body("lsd", equalTo(true));
    }

    @Test
    @Order(2)
    void downloadsFromALibtorrentSeederFoundOnlyThroughLsd() throws Exception {
        Path seedDir = Payloads.tempDir("lsd-seed");
        Path file = TorrentBuilder.randomFile(seedDir.resolve("on-the-lan.bin"), 600_011, 31);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(32768); // no announce, no announce-list
        Path torrent = builder.writeTo(seedDir.getParent().resolve("on-the-lan-" + System.nanoTime() + ".torrent"));
        try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, seedDir).lsd().noTrackers().start()) {
            seeder.awaitReady(BOUND);
            String id = ApiTest.upload(Files.readAllBytes(torrent), null);
            given().post("/start/" + id).then().statusCode(200);
            ControlTest.awaitState(id, "seeding", BOUND);
            Path downloaded = Path.of(engine.find(id).orElseThrow().stored().downloadDir()).resolve("on-the-lan.bin");
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(downloaded));
            given().get("/status/" + id).then().body("trackers.size()", equalTo(0));
            // our announce reached libtorrent (it dialled us), or libtorrent's reached us: LSD either way
            assertTrue(lsd.status().announcesSent() >= 1, lsd.status().toString());
            assertTrue(wire.hashesOn(engine.peerPort()).contains(builder.infoHashHex()),
                    "our announce of the torrent is on the loopback group: " + wire.datagrams());
        }
    }

    @Test
    @Order(3)
    void aLibtorrentLeecherFindsATorrentWeSeedOnlyThroughLsd() throws Exception {
        TorrentBuilder builder = seededByUs("lsd-ours.bin", 300_007, 32, false);
        Path leechDir = Payloads.tempDir("lsd-leech");
        Path torrent = builder.writeTo(leechDir.getParent().resolve("lsd-ours-" + System.nanoTime() + ".torrent"));
        long foundBefore = lsd.status().peersFound();
        try (LibtorrentPeer leecher = LibtorrentPeer.leech(torrent, leechDir).lsd().noTrackers().start()) {
            leecher.awaitFinished(BOUND); // nobody else has this torrent: its only peer is us
            assertArrayEquals(Files.readAllBytes(engine.downloadDir().resolve("lsd-ours.bin")),
                    Files.readAllBytes(leechDir.resolve("lsd-ours.bin")));
        }
        // libtorrent announced after our start-up announce: we heard it and dialled (or it heard our re-announce)
        assertTrue(lsd.status().peersFound() > foundBefore, "libtorrent's announce reached us: " + lsd.status());
    }

    @Test
    @Order(4)
    void aPrivateTorrentIsNeverAnnounced() throws Exception {
        TorrentBuilder secret = seededByUs("lsd-private.bin", 100_000, 33, true);
        TorrentBuilder open = seededByUs("lsd-public.bin", 100_000, 34, false);
        // tracked in start order, announced first-in first-out: once the public one is on the wire, the private
        // one had its chance
        DhtServiceTest.awaitTrue(() -> wire.hashesOn(engine.peerPort()).contains(open.infoHashHex()),
                "the public torrent is announced");
        for (LsdWire.Seen d : wire.datagrams()) {
            assertFalse(d.text().toLowerCase().contains(secret.infoHashHex()), "a private torrent on the wire: " + d);
        }
    }

    @Test
    @Order(5)
    void switchedOffAndOnLiveFromSettingsQbittorrentAndTransmission() throws Exception {
        given().contentType(ContentType.JSON).body("{\"lsd\": false}").post("/settings").then().statusCode(200)
                .body("lsd", equalTo(false)).body("dht", equalTo(true));
        DhtServiceTest.awaitTrue(() -> !lsd.status().running(), "LSD stops");
        given().get("/health").then().body("lsd.enabled", equalTo(false)).body("lsd.running", equalTo(false));
        assertEquals(false, transmission("session-get", Map.of()).get("lpd-enabled"));
        given().get("/api/v2/app/preferences").then().body("lsd", equalTo(false));

        given().formParam("json", "{\"lsd\":true}").post("/api/v2/app/setPreferences").then().statusCode(200);
        DhtServiceTest.awaitTrue(() -> lsd.status().running(), "LSD runs again");
        // started again, every public torrent is announced at once
        long sentBefore = lsd.status().announcesSent();
        transmission("session-set", Map.of("lpd-enabled", false));
        DhtServiceTest.awaitTrue(() -> !lsd.status().running(), "off through Transmission's RPC");
        transmission("session-set", Map.of("lpd-enabled", true));
        DhtServiceTest.awaitTrue(() -> lsd.status().running() && lsd.status().announcesSent() > sentBefore,
                "on again and announcing");
        assertEquals(true, transmission("session-get", Map.of()).get("lpd-enabled"));
        given().get("/settings").then().body("lsd", equalTo(true));
    }

    static Map<String, Object> transmission(String method, Map<String, ?> arguments) {
        String session = given().contentType("application/json").body("{\"method\":\"session-get\"}")
                .post("/transmission/rpc").then().statusCode(409).extract().header("X-Transmission-Session-Id");
        return given().header("X-Transmission-Session-Id", session).contentType("application/json")
                .body(Map.of("method", method, "arguments", arguments)).post("/transmission/rpc").then()
                .statusCode(200).body("result", equalTo("success")).extract().jsonPath().getMap("arguments");
    }

    /** A torrent whose data is already in the service's download folder: started, it is checked and seeds. */
    private TorrentBuilder seededByUs(String name, int size, long seed, boolean isPrivate) throws IOException {
        Path file = TorrentBuilder.randomFile(engine.downloadDir().resolve(name), size, seed);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(16384).privateFlag(isPrivate);
        String id = ApiTest.upload(builder.build(), null);
        given().post("/start/" + id).then().statusCode(200);
        ControlTest.awaitState(id, "seeding", BOUND);
        return builder;
    }
}

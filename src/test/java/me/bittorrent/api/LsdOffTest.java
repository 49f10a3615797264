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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import me.bittorrent.engine.DownloadEngine;
import me.bittorrent.engine.LsdService;
import me.bittorrent.testing.LsdWire;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/** BT_LSD=off: no socket on the LSD port in this process, nothing announced, and the settings cannot switch it on. */
@QuarkusTest
@TestProfile(LsdOffTest.LsdOff.class)
class LsdOffTest {

    public static class LsdOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bt.lsd", "off");
        }
    }

    @Inject
    DownloadEngine engine;
    @Inject
    LsdService lsd;

    @Test
    void noSocketNothingAnnouncedAndTheSettingCannotTurnItOn() throws Exception {
        DhtServiceTest.awaitTrue(() -> engine.peerPort() > 0 && engine.isLoaded(), "the service is ready");
        assertFalse(lsd.allowed());
        assertFalse(lsd.status().running());
        assertTrue(udpSocketsOfThisProcessOn(LsdWire.PORT).isEmpty(), "no socket of this process on UDP "
                + LsdWire.PORT);
        try (LsdWire wire = new LsdWire()) {
            Path file = TorrentBuilder.randomFile(engine.downloadDir().resolve("lsd-off.bin"), 50_000, 41);
            TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(16384);
            String id = ApiTest.upload(builder.build(), null);
            given().post("/start/" + id).then().statusCode(200);
            ControlTest.awaitState(id, "seeding");
            assertTrue(udpSocketsOfThisProcessOn(LsdWire.PORT).size() == 1, "only the test's own socket");
            // an announce would have left when the torrent started; a datagram sent now arrives after it
            byte[] control = ("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 1\r\nInfohash: "
                    + "f".repeat(40) + "\r\n\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            LsdWire.send(control);
            DhtServiceTest.awaitTrue(() -> !wire.announcesOf(1).isEmpty(), "the control datagram is seen");
            assertTrue(wire.hashesOn(engine.peerPort()).isEmpty(), "nothing announced: " + wire.datagrams());
        }
        given().get("/health").then().statusCode(200).body("lsd.enabled", equalTo(false))
                .body("lsd.running", equalTo(false));
        given().get("/settings").then().body("lsd", equalTo(false));
        given().contentType(ContentType.JSON).body("{\"lsd\": true}").post("/settings").then().statusCode(400)
                .body("detail", containsString("BT_LSD=off"));
        given().get("/api/v2/app/preferences").then().body("lsd", equalTo(false));
        assertFalse(lsd.status().running());
    }

    /**
     * The inodes of UDP sockets bound to {@code port} that this process holds: /proc/net/udp lists the sockets of
     * the network namespace (other processes' too), /proc/self/fd names ours.
     */
    static Set<String> udpSocketsOfThisProcessOn(int port) throws IOException {
        Set<String> onPort = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p).subList(1, Files.readAllLines(p).size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(hexPort)) {
                    onPort.add(f[9]);
                }
            }
        }
        Set<String> ours = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        String inode = target.substring(8, target.length() - 1);
                        if (onPort.contains(inode)) {
                            ours.add(inode);
                        }
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            });
        }
        return ours;
    }
}

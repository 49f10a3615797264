package me.bittorrent.tracker;

import static me.bittorrent.tracker.Await.failure;
import static me.bittorrent.tracker.Await.request;
import static me.bittorrent.tracker.Await.result;
import static me.bittorrent.tracker.TestHttpTracker.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import me.bittorrent.metainfo.InfoHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpTrackerClientTest {

    private Vertx vertx;
    private TestHttpTracker tracker;
    private HttpTrackerClient client;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        tracker = new TestHttpTracker(vertx);
        client = new HttpTrackerClient(vertx);
    }

    @AfterEach
    void stop() {
        tracker.close();
        client.close();
        Await.result(vertx.close());
    }

    @Test
    void binaryInfoHashAndPeerIdArriveAsTheirRawBytes() {
        // Bytes that break naive encoders: NUL, 0xFF, space, '%', '+', '&', '=', '~', '.', '-', '_', letters.
        byte[] hash = {0, (byte) 0xFF, ' ', '%', '+', '&', '=', '~', '.', '-', '_', 'A', 'z', '9', '/', '?', '#',
            (byte) 0x80, 0x7F, 1};
        byte[] peerId = Await.peerId("\u00e9&=+ ");
        AnnounceRequest r = new AnnounceRequest(new InfoHash(hash), peerId, 51413, 1000, 2000, 3000,
                AnnounceEvent.STARTED, 80, 0x0BADCAFE);

        result(client.announce(tracker.url("/announce"), r));

        Map<String, byte[]> q = tracker.lastQuery();
        assertArrayEquals(hash, q.get("info_hash"));
        assertArrayEquals(peerId, q.get("peer_id"));
        assertEquals("51413", text(q.get("port")));
        assertEquals("1000", text(q.get("uploaded")));
        assertEquals("2000", text(q.get("downloaded")));
        assertEquals("3000", text(q.get("left")));
        assertEquals("1", text(q.get("compact")));
        assertEquals("80", text(q.get("numwant")));
        assertEquals("BADCAFE", text(q.get("key")));
        assertEquals("started", text(q.get("event")));
        // Exactly the unreserved characters stay literal; every other byte is %XX.
        String rawHash = tracker.lastRawQuery().split("&")[0];
        assertEquals("info_hash=%00%FF%20%25%2B%26%3D~.-_Az9%2F%3F%23%80%7F%01", rawHash);
    }

    @Test
    void eventIsLeftOutForRegularAnnouncesAndTheTrackersOwnQueryIsKept() {
        result(client.announce(tracker.url("/announce?passkey=s3cr%2Ft"), request(AnnounceEvent.NONE)));

        String raw = tracker.lastRawQuery();
        assertTrue(raw.startsWith("passkey=s3cr%2Ft&info_hash="), raw);
        assertFalse(tracker.lastQuery().containsKey("event"), raw);
        assertTrue(tracker.rawUris.get(0).startsWith("/announce?"), tracker.rawUris.get(0));
    }

    @Test
    void readsCompactPeersIntervalsCountsAndWarning() {
        byte[] peers = {127, 0, 0, 1, 0x1A, (byte) 0xE1, 10, 0, 0, (byte) 200, (byte) 0xFF, (byte) 0xFE};
        tracker.replyWith(Map.of("interval", 1800, "min interval", 900, "complete", 5, "incomplete", 7,
                "warning message", "slow down", "peers", ByteBuffer.wrap(peers)));

        AnnounceResponse response = result(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE)));

        assertEquals(1800, response.intervalSeconds());
        assertEquals(900, response.minIntervalSeconds());
        assertEquals(5, response.seeders());
        assertEquals(7, response.leechers());
        assertEquals("slow down", response.warning());
        assertEquals(List.of(new PeerAddress("127.0.0.1", 6881), new PeerAddress("10.0.0.200", 65534)),
                response.peers());
    }

    @Test
    void readsDictionaryPeersAndPeers6() {
        byte[] v6 = new byte[18];
        v6[15] = 1; // ::1
        v6[16] = 0x1F;
        v6[17] = (byte) 0x90; // 8080
        tracker.replyWith(Map.of("interval", 120, "peers", List.of(
                        Map.of("ip", "192.168.1.9", "port", 6882, "peer id", "ABCDEFGHIJKLMNOPQRST"),
                        Map.of("ip", "peer.example", "port", 7000),
                        Map.of("ip", "10.1.1.1")), // no port: skipped
                "peers6", ByteBuffer.wrap(v6)));

        AnnounceResponse response = result(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE)));

        assertEquals(List.of(new PeerAddress("192.168.1.9", 6882), new PeerAddress("peer.example", 7000),
                new PeerAddress("0:0:0:0:0:0:0:1", 8080)), response.peers());
        assertEquals(120, response.intervalSeconds());
        assertEquals(0, response.minIntervalSeconds());
        assertEquals(-1, response.seeders());
        assertEquals(-1, response.leechers());
        assertNull(response.warning());
    }

    @Test
    void failureReasonBecomesTheExceptionMessage() {
        tracker.replyWith(Map.of("failure reason", "torrent not registered with this tracker"));

        TrackerException e = failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.STARTED)));

        assertEquals("torrent not registered with this tracker", e.getMessage());
    }

    @Test
    void followsUpToThreeRedirects() {
        tracker.reply(req -> {
            // local redirect targets keep a path ending in /announce (libtorrent's SSRF rule)
            int hop = req.path().startsWith("/hop") ? Integer.parseInt(req.path().substring(4, 5)) : 0;
            if (hop < 3) {
                String next = hop == 1 ? tracker.url("/hop2/announce") : "/hop" + (hop + 1) + "/announce"; // absolute and relative
                req.response().setStatusCode(hop == 0 ? 302 : 307)
                        .putHeader("Location", next + "?" + req.query()).end();
            } else {
                req.response().end("d8:intervali77e5:peers0:e");
            }
        });

        AnnounceResponse response = result(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE)));

        assertEquals(77, response.intervalSeconds());
        assertEquals(4, tracker.rawUris.size());
        assertArrayEquals(request(AnnounceEvent.NONE).infoHash().bytes(), tracker.lastQuery().get("info_hash"));
    }

    @Test
    void aFourthRedirectIsRefused() {
        tracker.reply(req -> req.response().setStatusCode(301).putHeader("Location", "/again/announce").end());

        TrackerException e = failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE)));

        assertEquals("tracker redirected more than 3 times", e.getMessage());
        assertEquals(4, tracker.rawUris.size());
    }

    @Test
    void httpErrorStatusIsReported() {
        tracker.reply(req -> req.response().setStatusCode(404).end("not here"));

        TrackerException e = failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE)));

        assertEquals("tracker answered HTTP 404", e.getMessage());
    }

    @Test
    void garbageIsNotMistakenForAnAnswer() {
        tracker.reply(req -> req.response().end("<html>hello</html>"));
        assertEquals("tracker reply is not valid bencode: it is not a dictionary",
                failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE))).getMessage());

        tracker.reply(req -> req.response().end("d8:intervali60e5:peers")); // truncated
        assertEquals("tracker reply is not valid bencode: the input ends in the middle of a value (at byte 22)",
                failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE))).getMessage());
    }

    @Test
    void refusedConnectionIsReportedInWords() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }

        TrackerException e = failure(client.announce("http://127.0.0.1:" + closedPort + "/announce",
                request(AnnounceEvent.NONE)));

        assertEquals("could not connect to tracker 127.0.0.1:" + closedPort, e.getMessage());
    }

    @Test
    void silentTrackerTimesOut() {
        client.setTimeout(Duration.ofMillis(300));
        tracker.reply(req -> { }); // never answers

        TrackerException e = failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE)));

        assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
    }

    @Test
    void answerArrivesOnTheSubscribersContext() throws Exception {
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Boolean> onContext = new CompletableFuture<>();
        context.runOnContext(v -> client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE))
                .subscribe().with(r -> onContext.complete(Vertx.currentContext() == context),
                        onContext::completeExceptionally));

        assertTrue(onContext.get(20, TimeUnit.SECONDS));
    }
}

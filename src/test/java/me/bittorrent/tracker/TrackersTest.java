package me.bittorrent.tracker;

import static me.bittorrent.tracker.Await.failure;
import static me.bittorrent.tracker.Await.request;
import static me.bittorrent.tracker.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrackersTest {

    private Vertx vertx;
    private HttpTrackerClient http;
    private UdpTrackerClient udp;
    private Trackers trackers;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        http = new HttpTrackerClient(vertx);
        udp = new UdpTrackerClient(vertx);
        trackers = new Trackers(http, udp);
    }

    @AfterEach
    void stop() {
        http.close();
        udp.close();
        Await.result(vertx.close());
    }

    @Test
    void httpAndUdpUrlsGoToTheirClients() {
        try (TestHttpTracker httpTracker = new TestHttpTracker(vertx);
                TestUdpTracker udpTracker = new TestUdpTracker(vertx)) {
            httpTracker.replyWith(Map.of("interval", 420));

            assertEquals(420, result(trackers.announce(httpTracker.url("/announce"), request(AnnounceEvent.NONE)))
                    .intervalSeconds());
            assertEquals(1200, result(trackers.announce(udpTracker.url(), request(AnnounceEvent.NONE)))
                    .intervalSeconds());
            assertEquals(1, httpTracker.rawUris.size());
            assertEquals(1, udpTracker.announces.size());
        }
    }

    @Test
    void unknownSchemeFails() {
        TrackerException e = failure(trackers.announce("wss://tracker.example/announce", request(AnnounceEvent.NONE)));

        assertEquals("unsupported tracker URL wss://tracker.example/announce", e.getMessage());
    }
}

package me.bittorrent.tracker;

import static me.bittorrent.tracker.Await.failure;
import static me.bittorrent.tracker.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.time.Duration;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.testing.Opentracker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our HTTP and UDP announces against the real opentracker (Debian package) on loopback. */
class OpentrackerInteropTest {

    private static final InfoHash HTTP_SWARM = InfoHash.fromHex("aa00000000000000000000000000000000000001");
    private static final InfoHash UDP_SWARM = InfoHash.fromHex("bb00000000000000000000000000000000000002");
    private static final InfoHash LATER = InfoHash.fromHex("cc00000000000000000000000000000000000003");
    private static final InfoHash UNLISTED = InfoHash.fromHex("dd00000000000000000000000000000000000004");

    private static Opentracker opentracker;
    private static Vertx vertx;
    private static Trackers trackers;
    private static UdpTrackerClient udp;
    private static HttpTrackerClient http;

    @BeforeAll
    static void start() throws Exception {
        opentracker = Opentracker.start(HTTP_SWARM, UDP_SWARM);
        vertx = Vertx.vertx();
        http = new HttpTrackerClient(vertx);
        udp = new UdpTrackerClient(vertx);
        udp.setRetransmission(Duration.ofSeconds(2), 3);
        trackers = new Trackers(http, udp);
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            http.close();
            udp.close();
            Await.result(vertx.close());
        }
        if (opentracker != null) {
            opentracker.close();
        }
    }

    @Test
    void httpPeersFindEachOther() {
        secondPeerSeesTheFirst(opentracker.url(), HTTP_SWARM, 40001, 40002);
    }

    @Test
    void udpPeersFindEachOther() {
        secondPeerSeesTheFirst(opentracker.udpUrl(), UDP_SWARM, 40011, 40012);
    }

    @Test
    void unlistedHashIsRefusedOverHttpAndUdp() {
        TrackerException overHttp = failure(trackers.announce(opentracker.url(),
                Await.request(UNLISTED, Await.peerId("h"), 40021, AnnounceEvent.STARTED)));
        TrackerException overUdp = failure(trackers.announce(opentracker.udpUrl(),
                Await.request(UNLISTED, Await.peerId("u"), 40022, AnnounceEvent.STARTED)));

        assertEquals("Requested download is not authorized for use with this tracker.", overHttp.getMessage());
        // Over UDP opentracker answers such an announce with a bare 8-byte header.
        assertEquals("UDP tracker 127.0.0.1:" + opentracker.port()
                + " sent an empty announce reply: it does not track this torrent", overUdp.getMessage());
    }

    @Test
    void hashAddedToTheWhitelistIsTrackedAfterReload() throws Exception {
        AnnounceRequest r = Await.request(LATER, Await.peerId("w"), 40031, AnnounceEvent.STARTED);
        failure(trackers.announce(opentracker.url(), r));

        opentracker.whitelist(HTTP_SWARM, UDP_SWARM, LATER);

        assertTrue(result(trackers.announce(opentracker.url(), r)).intervalSeconds() > 0);
        result(trackers.announce(opentracker.url(), r.withEvent(AnnounceEvent.STOPPED)));
    }

    private static void secondPeerSeesTheFirst(String url, InfoHash hash, int firstPort, int secondPort) {
        AnnounceRequest first = Await.request(hash, Await.peerId("1" + firstPort), firstPort, AnnounceEvent.STARTED);
        AnnounceRequest second = Await.request(hash, Await.peerId("2" + secondPort), secondPort,
                AnnounceEvent.STARTED);

        result(trackers.announce(url, first));
        AnnounceResponse response = result(trackers.announce(url, second));

        assertTrue(response.peers().contains(new PeerAddress("127.0.0.1", firstPort)), response.peers()::toString);
        assertTrue(response.intervalSeconds() > 0);
        assertEquals(2, response.leechers()); // both announced left=33
        // Leave the swarm: a stopped announce is answered normally.
        result(trackers.announce(url, first.withEvent(AnnounceEvent.STOPPED)));
        result(trackers.announce(url, second.withEvent(AnnounceEvent.STOPPED)));
    }
}

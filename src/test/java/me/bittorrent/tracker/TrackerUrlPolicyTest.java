package me.bittorrent.tracker;

import static me.bittorrent.tracker.Await.failure;
import static me.bittorrent.tracker.Await.request;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.net.URI;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tracker URLs that would make the service attack itself or its network are refused before any request. */
class TrackerUrlPolicyTest {

    private static final IntPredicate API_5001 = port -> port == 5001;

    private static String refusal(String url) {
        return assertThrows(TrackerException.class,
                () -> TrackerUrlPolicy.check(URI.create(url), true, API_5001)).getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:5001/announce", "http://localhost:5001/announce",
        "http://[::1]:5001/announce", "http://0.0.0.0:5001/announce", "http://127.0.0.2:5001/announce"})
    void theServicesOwnPortIsNeverATracker(String url) {
        assertEquals("tracker URL points at this service's own port 5001: refused", refusal(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:6969/remove/abc", "http://192.168.1.1/cgi-bin/reboot",
        "http://10.0.0.5:8080/", "http://[fd00::1]/admin", "http://169.254.169.254/latest/meta-data",
        "http://localhost:9200/_all"})
    void aLocalTrackerMustEndInAnnounce(String url) {
        assertEquals("a tracker on a local address must have a path ending in /announce: refused (SSRF protection)",
                refusal(url));
    }

    @Test
    void announceParametersInTheTorrentsUrlAreRefusedAPasskeyIsFine() {
        assertEquals("the tracker URL carries announce parameters of its own: refused (SSRF protection)",
                refusal("http://tracker.example/announce?info_hash=%00&event=stopped"));
        assertDoesNotThrow(() -> TrackerUrlPolicy.check(URI.create("http://127.0.0.1:6969/announce?passkey=abc"),
                true, API_5001));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:6969/announce", "http://tracker.example:5001/x",
        "https://tracker.example/", "http://8.8.8.8:80/scrape", "http://192.168.1.10/tracker/announce"})
    void ordinaryTrackersPass(String url) {
        assertDoesNotThrow(() -> TrackerUrlPolicy.check(URI.create(url), true, API_5001));
    }

    @Test
    void redirectsFromAPublicTrackerToALocalAddressAreRefused() {
        TrackerException e = assertThrows(TrackerException.class, () -> TrackerUrlPolicy.checkRedirect(
                URI.create("http://tracker.example/announce"), URI.create("http://127.0.0.1:6969/announce"), API_5001));
        assertEquals("tracker redirected to a local address: refused (SSRF protection)", e.getMessage());
    }

    @Test
    void theClientRefusesBeforeSendingAndAHostileRedirectCannotReachTheApi() {
        Vertx vertx = Vertx.vertx();
        TestHttpTracker hostile = new TestHttpTracker(vertx);
        TestHttpTracker api = new TestHttpTracker(vertx); // stands for this service's HTTP API
        HttpTrackerClient client = new HttpTrackerClient(vertx);
        client.setOwnHttpPorts(port -> port == api.port());
        try {
            // The attack: the torrent's tracker is the API itself.
            String attack = "http://127.0.0.1:" + api.port() + "/remove/0123?delete_files=true";
            assertTrue(failure(client.announce(attack, request(AnnounceEvent.STARTED))).getMessage()
                    .contains("own port"));
            // A tracker that redirects to the API.
            hostile.reply(req -> req.response().setStatusCode(302)
                    .putHeader("Location", api.url("/remove/0123/announce")).end());
            assertEquals("tracker redirected to this service's own port " + api.port() + ": refused",
                    failure(client.announce(hostile.url("/announce"), request(AnnounceEvent.STARTED))).getMessage());
            // The peer port we announce is ours too.
            int peerPort = request(AnnounceEvent.STARTED).port();
            assertTrue(failure(client.announce("http://127.0.0.1:" + peerPort + "/announce",
                    request(AnnounceEvent.STARTED))).getMessage().contains("own port " + peerPort));
            assertEquals(0, api.rawUris.size(), "the API received " + api.rawUris);
        } finally {
            hostile.close();
            api.close();
            client.close();
            Await.result(vertx.close());
        }
    }
}

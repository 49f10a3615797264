package me.bittorrent.tracker;

import static me.bittorrent.tracker.Await.failure;
import static me.bittorrent.tracker.Await.request;
import static me.bittorrent.tracker.Await.result;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UdpTrackerClientTest {

    private Vertx vertx;
    private TestUdpTracker tracker;
    private UdpTrackerClient client;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        tracker = new TestUdpTracker(vertx);
        client = new UdpTrackerClient(vertx);
        // Long enough that a slow first reply on a busy machine is not retransmitted; tests of
        // retransmission shorten it.
        client.setRetransmission(Duration.ofSeconds(3), 3);
    }

    @AfterEach
    void stop() {
        client.close();
        tracker.close();
        Await.result(vertx.close());
    }

    @Test
    void connectsThenAnnouncesEveryField() {
        tracker.peers = new byte[] {127, 0, 0, 1, 0x1A, (byte) 0xE1, 10, 9, 8, 7, (byte) 0xC8, 0x01};
        AnnounceRequest r = new AnnounceRequest(request(AnnounceEvent.NONE).infoHash(), Await.peerId("udp"), 51413,
                1000, 2000, 3000, AnnounceEvent.COMPLETED, 80, 0x0BADCAFE);

        AnnounceResponse response = result(client.announce(tracker.url(), r));

        assertEquals(1, tracker.connectTransactionIds.size());
        assertEquals(1, tracker.announces.size());
        TestUdpTracker.Announce a = tracker.announces.get(0);
        assertArrayEquals(r.infoHash().bytes(), a.infoHash());
        assertArrayEquals(r.peerId(), a.peerId());
        assertEquals(2000, a.downloaded());
        assertEquals(3000, a.left());
        assertEquals(1000, a.uploaded());
        assertEquals(1, a.event()); // completed
        assertEquals(0, a.ip());
        assertEquals(0x0BADCAFE, a.key());
        assertEquals(80, a.numWant());
        assertEquals(51413, a.port());
        assertNotEquals(tracker.connectTransactionIds.get(0), a.transactionId());

        assertEquals(1200, response.intervalSeconds());
        assertEquals(3, response.leechers());
        assertEquals(4, response.seeders());
        assertEquals(List.of(new PeerAddress("127.0.0.1", 6881), new PeerAddress("10.9.8.7", 51201)),
                response.peers());
    }

    @Test
    void eventCodesFollowBep15() {
        int[] expected = {0, 2, 1, 3}; // NONE, STARTED, COMPLETED, STOPPED
        for (AnnounceEvent event : AnnounceEvent.values()) {
            result(client.announce(tracker.url(), request(event)));
            assertEquals(expected[event.ordinal()], tracker.announces.get(tracker.announces.size() - 1).event());
        }
    }

    @Test
    void retransmitsWhenTheFirstConnectIsLost() {
        client.setRetransmission(Duration.ofMillis(200), 3);
        tracker.connectsToDrop.set(1);

        AnnounceResponse response = result(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));

        assertTrue(tracker.connectTransactionIds.size() >= 2, tracker.connectTransactionIds::toString);
        assertEquals(List.of(new PeerAddress("127.0.0.1", 6881)), response.peers());
    }

    @Test
    void retransmitsALostAnnounce() {
        client.setRetransmission(Duration.ofMillis(200), 3);
        tracker.announcesToDrop.set(1);

        result(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));

        assertTrue(tracker.announces.size() >= 2, () -> tracker.announces.size() + " announces");
        // the retransmitted announce reused the connection id, which was still fresh
        assertEquals(tracker.announces.get(0).connectionId(), tracker.announces.get(1).connectionId());
    }

    @Test
    void givesUpAfterTheLastRetry() {
        client.setRetransmission(Duration.ofMillis(50), 2);
        tracker.connectsToDrop.set(Integer.MAX_VALUE);

        TrackerException e = failure(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));

        assertEquals("UDP tracker 127.0.0.1:" + tracker.port() + " did not answer (3 tries)", e.getMessage());
        assertEquals(3, tracker.connectTransactionIds.size()); // first try + 2 retries
    }

    @Test
    void aSilentTrackerTimesOutAtTheDeadlineWhateverTheRetransmissionSchedule() {
        // BEP 15's schedule would wait 0.2 + 0.4 + ... s for hours; the deadline ends it and says so.
        client.setRetransmission(Duration.ofMillis(200), 8);
        client.setDeadline(Duration.ofMillis(700));
        tracker.connectsToDrop.set(Integer.MAX_VALUE);

        TrackerException e = failure(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));

        assertTrue(e.getMessage().matches("UDP tracker 127\\.0\\.0\\.1:" + tracker.port()
                + " did not answer within 0\\.7 s \\([1-4] tries\\)"), e.getMessage());
    }

    /** Issue 11 item 11: a silent UDP tracker showed "updating" for hours; it shows error and the timeout. */
    @Test
    void aSilentTrackerShowsErrorWithTheTimeoutNotUpdating() {
        client.setRetransmission(Duration.ofMillis(200), 8);
        client.setDeadline(Duration.ofMillis(700));
        tracker.connectsToDrop.set(Integer.MAX_VALUE);
        TrackerTiers tiers = new TrackerTiers(List.of(List.of(tracker.url())), client);
        assertEquals("updating", failureWhileUpdating(tiers));
        TrackerStatus status = tiers.statuses().get(0);
        assertEquals("error", status.status());
        assertTrue(status.lastError().matches("UDP tracker 127\\.0\\.0\\.1:" + tracker.port()
                + " did not answer within 0\\.7 s \\([1-4] tries\\)"), status.lastError());
    }

    /** Announces through {@code tiers}, returns the status shown while the announce was in flight, awaits its end. */
    private String failureWhileUpdating(TrackerTiers tiers) {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        tiers.announce(request(AnnounceEvent.STARTED)).subscribe().with(r -> ended.complete(null), ended::complete);
        String during = tiers.statuses().get(0).status();
        try {
            assertTrue(ended.get(10, TimeUnit.SECONDS) instanceof TrackerException, "the announce failed");
        } catch (Exception e) {
            throw new AssertionError("the announce did not end within 10 s", e);
        }
        return during;
    }

    @Test
    void replyWithAnotherTransactionIdIsIgnored() {
        tracker.strayReplyFirst = true;

        AnnounceResponse response = result(client.announce(tracker.url(), request(AnnounceEvent.NONE)));

        assertEquals(List.of(new PeerAddress("127.0.0.1", 6881)), response.peers());
    }

    @Test
    void errorActionBecomesTrackerException() {
        tracker.error = "Requested download is not authorized for use with this tracker.";

        TrackerException e = failure(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));

        assertEquals("Requested download is not authorized for use with this tracker.", e.getMessage());
    }

    /** Issue 11 item 7: a UDP tracker's error text cannot forge log lines nor fill every status. */
    @Test
    void anErrorTextIsCleanedAndCut() {
        tracker.error = "denied\r\n2026-01-01 00:00:00,000 ERROR forged line\u001b[31m" + "x".repeat(60_000);

        TrackerException e = failure(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));

        assertTrue(me.bittorrent.text.RemoteText.isClean(e.getMessage()), e.getMessage());
        assertTrue(e.getMessage().startsWith("denied"), e.getMessage());
        assertTrue(e.getMessage().length() <= 1024 + 64, "kept " + e.getMessage().length() + " characters");
    }

    @Test
    void connectionIdIsReusedWithinItsLifetime() {
        result(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));
        result(client.announce(tracker.url(), request(AnnounceEvent.NONE)));

        assertEquals(1, tracker.connectTransactionIds.size());
        assertEquals(2, tracker.announces.size());
        assertEquals(tracker.announces.get(0).connectionId(), tracker.announces.get(1).connectionId());
    }

    @Test
    void expiredConnectionIdIsRenewed() {
        client.setConnectionIdLifetime(Duration.ZERO);

        result(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));
        result(client.announce(tracker.url(), request(AnnounceEvent.NONE)));

        assertEquals(2, tracker.connectTransactionIds.size());
        assertNotEquals(tracker.announces.get(0).connectionId(), tracker.announces.get(1).connectionId());
    }

    @Test
    void connectionIdTheTrackerNoLongerAcceptsIsDroppedAfterTheError() {
        result(client.announce(tracker.url(), request(AnnounceEvent.STARTED)));
        tracker.expireConnectionIds();

        TrackerException e = failure(client.announce(tracker.url(), request(AnnounceEvent.NONE)));
        assertEquals("Connection ID missmatch.", e.getMessage());
        result(client.announce(tracker.url(), request(AnnounceEvent.NONE)));

        assertEquals(2, tracker.connectTransactionIds.size());
    }

    @Test
    void urlWithoutPortIsRefused() {
        TrackerException e = failure(client.announce("udp://tracker.example/announce", request(AnnounceEvent.NONE)));

        assertEquals("invalid UDP tracker URL udp://tracker.example/announce", e.getMessage());
    }

    @Test
    void answerArrivesOnTheSubscribersContext() throws Exception {
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Boolean> onContext = new CompletableFuture<>();
        context.runOnContext(v -> client.announce(tracker.url(), request(AnnounceEvent.NONE))
                .subscribe().with(r -> onContext.complete(Vertx.currentContext() == context),
                        onContext::completeExceptionally));

        assertTrue(onContext.get(20, TimeUnit.SECONDS));
    }

    @Test
    void retransmissionsOfManyTorrentsEndOnTheSameWholeSecond() {
        long base = 1_000_000_000_000L; // a monotonic clock reading on a whole second, in nanos
        for (long offsetMillis : new long[] {1, 137, 499, 999}) {
            long now = base + offsetMillis * 1_000_000L;
            long delay = UdpTrackerClient.onTheSecond(15_000, now);
            assertTrue(delay >= 15_000 && delay < 16_000, "never sooner, at most a second later: " + delay);
            assertEquals(0, (base / 1_000_000L + offsetMillis + delay) % 1000, "ends on a whole second");
        }
        assertEquals(15_000, UdpTrackerClient.onTheSecond(15_000, base), "already on the second");
        assertEquals(200, UdpTrackerClient.onTheSecond(200, base + 7_000_000L), "short delays (tests) are exact");
        assertEquals(1, UdpTrackerClient.onTheSecond(0, base));
    }
}

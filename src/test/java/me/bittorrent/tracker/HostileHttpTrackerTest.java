package me.bittorrent.tracker;

import static me.bittorrent.tracker.Await.failure;
import static me.bittorrent.tracker.Await.request;
import static me.bittorrent.tracker.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import me.bittorrent.text.RemoteText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An HTTP tracker written to hurt us: bombs, trickled replies, forged log lines, megabyte messages. */
class HostileHttpTrackerTest {

    private Vertx vertx;
    private TestHttpTracker tracker;
    private TestHttpTracker honest;
    private HttpTrackerClient client;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        tracker = new TestHttpTracker(vertx);
        honest = new TestHttpTracker(vertx);
        client = new HttpTrackerClient(vertx);
    }

    @AfterEach
    void stop() {
        tracker.close();
        honest.close();
        client.close();
        Await.result(vertx.close());
    }

    /** Sends the reply's headers, then one byte every 100 ms, never finishing: the idle timeout never trips. */
    private void trickle() {
        tracker.reply(req -> {
            req.response().setChunked(true).write("d");
            long timer = vertx.setPeriodic(100, t -> req.response().write("l"));
            req.connection().closeHandler(v -> vertx.cancelTimer(timer));
        });
    }

    @Test
    void aTrickledReplyEndsAtTheDeadline() {
        client.setTimeout(Duration.ofMillis(500));
        client.setDeadline(Duration.ofMillis(1500));
        trickle();

        TrackerException e = failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE)));

        assertEquals("tracker 127.0.0.1:" + tracker.port() + " did not finish answering within 1.5 s",
                e.getMessage());
    }

    @Test
    void aTricklingTrackerDoesNotWedgeItsTierTheNextTrackerAnswers() {
        client.setTimeout(Duration.ofMillis(500));
        client.setDeadline(Duration.ofMillis(1500));
        trickle();
        honest.replyWith(Map.of("interval", 1800L, "peers", new byte[] {127, 0, 0, 1, 0x1a, (byte) 0xe1}));
        TrackerTiers tiers = new TrackerTiers(List.of(List.of(tracker.url("/announce")),
                List.of(honest.url("/announce"))), client);

        AnnounceResponse answer = result(tiers.announce(request(AnnounceEvent.STARTED)));

        // every tier is asked at once: the honest tier 2 answered while tier 1 was still trickling
        assertEquals(List.of(new PeerAddress("127.0.0.1", 6881)), answer.peers());
        assertEquals(TrackerStatus.UPDATING, tiers.statuses().get(0).status());
        long until = System.nanoTime() + Await.BOUND.toNanos();
        while (!TrackerStatus.ERROR.equals(tiers.statuses().get(0).status()) && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // awaiting the deadline, bounded
        }
        assertEquals(TrackerStatus.ERROR, tiers.statuses().get(0).status());
        assertTrue(tiers.statuses().get(0).lastError().contains("did not finish answering"));
    }

    @Test
    void aBencodeBombIsRefusedInWords() {
        tracker.reply(req -> req.response().end("d5:peers2000000000:"));

        TrackerException e = failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE)));

        assertEquals("tracker reply is not valid bencode: a string of 2000000000 bytes runs past the end of the"
                + " input (at byte 8)", e.getMessage());
    }

    @Test
    void aFailureReasonCannotForgeLogLinesOrFillTheStatus() {
        String forged = "bad\r\n2026-12-01 INFO torrent finished\u001b[2J" + "x".repeat(1_000_000);
        tracker.reply(req -> req.response().end(Buffer.buffer("d14:failure reason" + forged.length() + ":" + forged
                + "e")));

        String message = failure(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE))).getMessage();

        assertTrue(message.startsWith("bad\uFFFD\uFFFD2026-12-01 INFO torrent finished\uFFFD[2Jxxx"), message);
        assertEquals(RemoteText.MAX_CHARS + 1, message.length()); // 1 KiB and an ellipsis
        assertTrue(message.chars().noneMatch(c -> c < 0x20));
    }

    @Test
    void aWarningIsCleanedToo() {
        tracker.replyWith(Map.of("interval", 1800L, "warning message", "slow\u001b]0;pwned\u0007 down"));

        assertEquals("slow\uFFFD]0;pwned\uFFFD down",
                result(client.announce(tracker.url("/announce"), request(AnnounceEvent.NONE))).warning());
    }

    @Test
    void intervalsAreClampedToBetweenAMinuteAndADay() {
        TrackerTiers tiers = new TrackerTiers(List.of(List.of(tracker.url("/announce"))), client);
        for (long[] c : new long[][] {{0, 60}, {-5, 60}, {5, 60}, {1_000_000_000_000L, 86_400}, {1800, 1800}}) {
            tracker.replyWith(Map.of("interval", c[0], "min interval", c[0]));
            java.time.Instant before = java.time.Instant.now();
            AnnounceResponse answer = result(tiers.announce(request(AnnounceEvent.NONE)));
            assertEquals(c[1], answer.intervalSeconds(), "interval " + c[0]);
            assertTrue(answer.minIntervalSeconds() >= 0 && answer.minIntervalSeconds() <= 86_400);
            // next_announce is never in the past
            assertTrue(!tiers.statuses().get(0).nextAnnounce().isBefore(before.plusSeconds(59)), "interval " + c[0]);
        }
    }
}

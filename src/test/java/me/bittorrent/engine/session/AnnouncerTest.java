package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.tracker.AnnounceEvent;
import me.bittorrent.tracker.AnnounceRequest;
import me.bittorrent.tracker.AnnounceResponse;
import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.tracker.TrackerClient;
import me.bittorrent.tracker.TrackerTiers;

/** The announce schedule: started, re-announce after the interval, completed, stopped. */
class AnnouncerTest {

    final Vertx vertx = Vertx.vertx();
    final Context context = vertx.getOrCreateContext();
    final LinkedBlockingQueue<AnnounceEvent> sent = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<TorrentEvent> events = new LinkedBlockingQueue<>();

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    Announcer announcer(TrackerClient client) {
        TrackerTiers tiers = new TrackerTiers(List.of(List.of("http://127.0.0.1:1/announce")), client);
        byte[] id = new byte[20];
        return new Announcer(vertx, context, tiers, true,
                event -> new AnnounceRequest(new InfoHash(new byte[20]), id, 6881, 0, 0, 100, event, 50, 1),
                answer -> { }, events::add);
    }

    AnnounceEvent next() throws InterruptedException {
        AnnounceEvent e = sent.poll(10, TimeUnit.SECONDS);
        assertTrue(e != null, "no announce within 10 s");
        return e;
    }

    @Test
    void startedThenIntervalThenCompletedThenStopped() throws Exception {
        TrackerClient client = (url, request) -> {
            sent.add(request.event());
            return Uni.createFrom().item(new AnnounceResponse(1, 1, List.of(new PeerAddress("127.0.0.1", 7000)), 1,
                    0, null));
        };
        Announcer announcer = announcer(client);
        context.runOnContext(v -> announcer.start());
        assertEquals(AnnounceEvent.STARTED, next());
        assertEquals(AnnounceEvent.NONE, next(), "re-announce after the 1 s interval");
        context.runOnContext(v -> announcer.completed());
        assertEquals(AnnounceEvent.COMPLETED, next());
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        context.runOnContext(v -> announcer.stop().onComplete(ar -> stopped.complete(null)));
        stopped.get(10, TimeUnit.SECONDS);
        AnnounceEvent last = next();
        while (last == AnnounceEvent.NONE) {
            last = next(); // a periodic announce may have slipped in before the stop
        }
        assertEquals(AnnounceEvent.STOPPED, last);
        TorrentEvent replied = events.poll(1, TimeUnit.SECONDS);
        assertTrue(replied instanceof TorrentEvent.TrackerReplied r && r.peers() == 1
                && r.url().equals("http://127.0.0.1:1/announce"), String.valueOf(replied));
    }

    @Test
    void failureIsReportedAndRetried() throws Exception {
        TrackerClient client = (url, request) -> {
            sent.add(request.event());
            return Uni.createFrom().failure(new IllegalStateException("tracker says no"));
        };
        Announcer announcer = announcer(client);
        context.runOnContext(v -> announcer.start());
        assertEquals(AnnounceEvent.STARTED, next());
        TorrentEvent failed = events.poll(10, TimeUnit.SECONDS);
        assertTrue(failed instanceof TorrentEvent.TrackerFailed f && f.reason().contains("tracker says no"),
                String.valueOf(failed));
        // next_announce says when the back-off tries again (17 s after a first failure), not null
        CompletableFuture<List<me.bittorrent.tracker.TrackerStatus>> statuses = new CompletableFuture<>();
        context.runOnContext(v -> statuses.complete(announcer.statuses()));
        java.time.Instant next = statuses.get(10, TimeUnit.SECONDS).get(0).nextAnnounce();
        java.time.Instant now = java.time.Instant.now();
        assertTrue(next != null && next.isAfter(now.plusSeconds(10)) && next.isBefore(now.plusSeconds(18)),
                "next_announce " + next + " at " + now);
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        context.runOnContext(v -> announcer.stop().onComplete(ar -> stopped.complete(null)));
        stopped.get(10, TimeUnit.SECONDS);
        assertEquals(null, sent.poll(200, TimeUnit.MILLISECONDS), "never registered: no stopped announce");
    }

    @Test
    void reannounceWaitsForTheMinInterval() throws Exception {
        TrackerClient client = (url, request) -> {
            sent.add(request.event());
            return Uni.createFrom().item(new AnnounceResponse(600, 2, List.of(), 0, 0, null));
        };
        Announcer announcer = announcer(client);
        context.runOnContext(v -> announcer.start());
        assertEquals(AnnounceEvent.STARTED, next());
        assertTrue(events.poll(10, TimeUnit.SECONDS) instanceof TorrentEvent.TrackerReplied, "answer handled");
        long asked = System.nanoTime();
        context.runOnContext(v -> announcer.reannounce());
        assertEquals(AnnounceEvent.NONE, next());
        long waitedMillis = (System.nanoTime() - asked) / 1_000_000;
        assertTrue(waitedMillis >= 1500, "re-announced after " + waitedMillis + " ms despite a 2 s min interval");
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        context.runOnContext(v -> announcer.stop().onComplete(ar -> stopped.complete(null)));
        stopped.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTorrentWithoutPeersWaitsForTheTrackersInterval() throws Exception {
        TrackerClient client = (url, request) -> {
            sent.add(request.event());
            return Uni.createFrom().item(new AnnounceResponse(1800, 0, List.of(), 0, 0, null));
        };
        Announcer announcer = announcer(client);
        context.runOnContext(v -> announcer.start());
        assertEquals(AnnounceEvent.STARTED, next());
        assertTrue(events.poll(10, TimeUnit.SECONDS) instanceof TorrentEvent.TrackerReplied, "answer handled");
        context.runOnContext(v -> announcer.reannounceIfDue());
        assertEquals(null, sent.poll(500, TimeUnit.MILLISECONDS), "re-announced long before the 30 min interval");
        context.runOnContext(v -> announcer.reannounce()); // the user's "ask for peers" still goes at once
        assertEquals(AnnounceEvent.NONE, next());
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        context.runOnContext(v -> announcer.stop().onComplete(ar -> stopped.complete(null)));
        stopped.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFailingTrackerBacksOffAsLibtorrentDoesUpToAnHour() {
        assertEquals(List.of(17, 55, 117, 205, 317), List.of(Announcer.retrySeconds(1), Announcer.retrySeconds(2),
                Announcer.retrySeconds(3), Announcer.retrySeconds(4), Announcer.retrySeconds(5)));
        int previous = 0;
        for (int fails = 1; fails < 200; fails++) {
            int delay = Announcer.retrySeconds(fails);
            assertTrue(delay >= previous && delay <= 3600, fails + " fails: " + delay + " s");
            previous = delay;
        }
        assertEquals(3600, Announcer.retrySeconds(Integer.MAX_VALUE), "a tracker that comes back is used within the hour");
    }
}

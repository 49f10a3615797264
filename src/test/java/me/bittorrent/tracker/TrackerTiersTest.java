package me.bittorrent.tracker;

import static me.bittorrent.tracker.Await.failure;
import static me.bittorrent.tracker.Await.request;
import static me.bittorrent.tracker.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrackerTiersTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** A Random that makes Collections.shuffle keep the order, so tests can state it. */
    private static final Random NO_SHUFFLE = new Random() {
        @Override
        public int nextInt(int bound) {
            return bound - 1;
        }
    };

    private static final AnnounceResponse ANSWER = new AnnounceResponse(600, 60,
            List.of(new PeerAddress("10.0.0.1", 1), new PeerAddress("10.0.0.2", 2)), 1, 2, null);

    /** A tracker client in memory: answers for the listed URLs, refuses the others, records the calls. */
    private static final class Scripted implements TrackerClient {
        final List<String> calls = new ArrayList<>();
        Set<String> answering;

        Scripted(String... answering) {
            this.answering = Set.of(answering);
        }

        @Override
        public Uni<AnnounceResponse> announce(String url, AnnounceRequest request) {
            calls.add(url);
            return answering.contains(url) ? Uni.createFrom().item(ANSWER)
                    : Uni.createFrom().failure(new TrackerException("refused by " + url));
        }
    }

    @Test
    void asksEveryTierAndFallsBackWithinATier() {
        Scripted client = new Scripted("c");
        TrackerTiers tiers = new TrackerTiers(List.of(List.of("a", "b"), List.of("c"), List.of("d")), client,
                NO_SHUFFLE, CLOCK);

        AnnounceResponse response = result(tiers.announce(request(AnnounceEvent.STARTED)));

        assertEquals(ANSWER, response);
        assertEquals(List.of("a", "b", "c", "d"), client.calls); // every tier, each in its own order
        Map<String, TrackerStatus> s = byUrl(tiers.statuses());
        assertEquals(new TrackerStatus("a", "error", "refused by a", 0, null), s.get("a"));
        assertEquals(new TrackerStatus("b", "error", "refused by b", 0, null), s.get("b"));
        assertEquals(new TrackerStatus("c", "working", null, 2, NOW.plusSeconds(600)), s.get("c"));
        assertEquals(new TrackerStatus("d", "error", "refused by d", 0, null), s.get("d"));
    }

    @Test
    void aTierThatNeverAnswersHoldsUpNoOtherTierAndLaterAnswersArePassedOn() {
        List<UniEmitter<? super AnnounceResponse>> slow = new ArrayList<>();
        AnnounceResponse third = new AnnounceResponse(900, 60, List.of(new PeerAddress("10.0.0.3", 3)), 0, 1, null);
        List<UniEmitter<? super AnnounceResponse>> slowThird = new ArrayList<>();
        TrackerClient client = (url, r) -> switch (url) {
            case "slow" -> Uni.createFrom().emitter(slow::add);
            case "honest" -> Uni.createFrom().item(ANSWER);
            default -> Uni.createFrom().emitter(slowThird::add);
        };
        TrackerTiers tiers = new TrackerTiers(List.of(List.of("slow"), List.of("honest"), List.of("late")), client,
                NO_SHUFFLE, CLOCK);
        List<AnnounceResponse> first = new ArrayList<>();
        List<AnnounceResponse> later = new ArrayList<>();

        tiers.announce(request(AnnounceEvent.STARTED), later::add).subscribe().with(first::add);

        assertEquals(List.of(ANSWER), first, "tier 2 answered while tier 1 had not");
        assertEquals("updating", byUrl(tiers.statuses()).get("slow").status());
        slowThird.get(0).complete(third);
        assertEquals(List.of(third), later, "a tier answering after the first is not lost");

        // tier 1 is still busy: the next announce does not ask it again, the other tiers are asked
        List<AnnounceResponse> next = new ArrayList<>();
        tiers.announce(request(AnnounceEvent.NONE)).subscribe().with(next::add);
        assertEquals(List.of(ANSWER), next);
        assertEquals(1, slow.size(), "the busy tracker was asked once");
        slow.get(0).fail(new TrackerException("did not finish answering within 30 s"));
        assertEquals("error", byUrl(tiers.statuses()).get("slow").status());
    }

    @Test
    void trackerThatAnswersMovesToTheFrontOfItsTier() {
        Scripted client = new Scripted("c");
        TrackerTiers tiers = new TrackerTiers(List.of(List.of("a", "b", "c"), List.of("x")), client, NO_SHUFFLE,
                CLOCK);

        result(tiers.announce(request(AnnounceEvent.STARTED)));
        assertEquals(List.of(List.of("c", "a", "b"), List.of("x")), tiers.tiers());

        client.calls.clear();
        result(tiers.announce(request(AnnounceEvent.NONE)));
        assertEquals(List.of("c", "x"), client.calls); // tier 1 from its answering tracker; tier 2 as always

        // c stops answering: a and b are tried next, and b, answering now, becomes the first.
        client.answering = Set.of("b");
        client.calls.clear();
        result(tiers.announce(request(AnnounceEvent.NONE)));
        assertEquals(List.of("c", "a", "b", "x"), client.calls);
        assertEquals(List.of(List.of("b", "c", "a"), List.of("x")), tiers.tiers());
        assertEquals("error", byUrl(tiers.statuses()).get("c").status());
    }

    @Test
    void everyTierIsShuffledOnceAtConstruction() {
        List<String> tier = IntStream.range(0, 20).mapToObj(i -> "t" + i).toList();
        List<String> expected = new ArrayList<>(tier);
        Collections.shuffle(expected, new Random(7));

        TrackerTiers tiers = new TrackerTiers(List.of(tier, List.of("solo")), new Scripted(), new Random(7), CLOCK);

        assertEquals(List.of(expected, List.of("solo")), tiers.tiers());
        assertNotEquals(tier, expected);
        failure(tiers.announce(request(AnnounceEvent.NONE)));
        assertEquals(List.of(expected, List.of("solo")), tiers.tiers()); // failing does not reorder
    }

    @Test
    void allTrackersFailingFailsWithTheLastError() {
        TrackerTiers tiers = new TrackerTiers(List.of(List.of("a"), List.of("b")), new Scripted(), NO_SHUFFLE, CLOCK);

        TrackerException e = failure(tiers.announce(request(AnnounceEvent.NONE)));

        assertEquals("no tracker answered; last: refused by b", e.getMessage());
    }

    @Test
    void torrentWithoutTrackersFails() {
        TrackerTiers tiers = new TrackerTiers(List.of(List.of(), List.of(" ")), new Scripted(), NO_SHUFFLE, CLOCK);

        assertEquals("this torrent has no trackers", failure(tiers.announce(request(AnnounceEvent.NONE))).getMessage());
        assertEquals(List.of(), tiers.statuses());
    }

    @Test
    void statusIsUpdatingWhileTheAnnounceIsInFlight() {
        List<UniEmitter<? super AnnounceResponse>> inFlight = new ArrayList<>();
        TrackerClient slow = (url, r) -> Uni.createFrom().emitter(inFlight::add);
        TrackerTiers tiers = new TrackerTiers(List.of(List.of("a")), slow, NO_SHUFFLE, CLOCK);
        List<AnnounceResponse> got = new ArrayList<>();

        tiers.announce(request(AnnounceEvent.NONE)).subscribe().with(got::add);
        assertEquals("updating", tiers.statuses().get(0).status());

        inFlight.get(0).complete(ANSWER);
        assertEquals(List.of(ANSWER), got);
        assertEquals("working", tiers.statuses().get(0).status());
    }

    @Test
    void refusedConnectionFallsBackToTheNextRealTracker() throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpTrackerClient http = new HttpTrackerClient(vertx);
        UdpTrackerClient udp = new UdpTrackerClient(vertx);
        try (TestHttpTracker tracker = new TestHttpTracker(vertx)) {
            int closedPort;
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            String refusing = "http://127.0.0.1:" + closedPort + "/announce";
            String answering = tracker.url("/announce");
            tracker.replyWith(Map.of("interval", 900, "peers", java.nio.ByteBuffer.wrap(
                    new byte[] {127, 0, 0, 1, 0x1A, (byte) 0xE1})));
            TrackerTiers tiers = new TrackerTiers(List.of(List.of(refusing, answering)), new Trackers(http, udp),
                    NO_SHUFFLE, Clock.systemUTC());

            Instant before = Instant.now();
            AnnounceResponse response = result(tiers.announce(request(AnnounceEvent.STARTED)));

            assertEquals(List.of(new PeerAddress("127.0.0.1", 6881)), response.peers());
            Map<String, TrackerStatus> s = byUrl(tiers.statuses());
            assertEquals("error", s.get(refusing).status());
            assertEquals("could not connect to tracker 127.0.0.1:" + closedPort, s.get(refusing).lastError());
            assertEquals("working", s.get(answering).status());
            assertNull(s.get(answering).lastError());
            assertEquals(1, s.get(answering).peersReceived());
            Instant next = s.get(answering).nextAnnounce();
            assertTrue(!next.isBefore(before.plusSeconds(900)) && next.isBefore(Instant.now().plusSeconds(901)),
                    next::toString);
            assertEquals(List.of(List.of(answering, refusing)), tiers.tiers());
        } finally {
            http.close();
            udp.close();
            Await.result(vertx.close());
        }
    }

    private static Map<String, TrackerStatus> byUrl(List<TrackerStatus> statuses) {
        Map<String, TrackerStatus> map = new java.util.LinkedHashMap<>();
        statuses.forEach(s -> map.put(s.url(), s));
        return map;
    }
}

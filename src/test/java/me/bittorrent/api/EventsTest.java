package me.bittorrent.api;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import me.bittorrent.testing.TestCredentials;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** GET /events over a real HTTP connection: snapshot, live changes, replay by Last-Event-ID. */
@QuarkusTest
class EventsTest {

    @TestHTTPResource("/events")
    URI events;

    /** One parsed server-sent event. */
    record Event(String id, String name, String data) {
    }

    /** Reads a text/event-stream in the background and hands out whole events. */
    static final class EventReader implements AutoCloseable {
        final BlockingQueue<Event> received = new LinkedBlockingQueue<>();
        final CompletableFuture<HttpResponse<Stream<String>>> response;

        EventReader(URI uri, String lastEventId) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                    .header("Authorization", TestCredentials.basicHeader());
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            response = HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
            response.thenAcceptAsync(r -> {
                String id = null;
                String name = null;
                StringBuilder data = new StringBuilder();
                for (String line : (Iterable<String>) r.body()::iterator) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            received.add(new Event(id, name, data.toString()));
                        }
                        name = null;
                        data.setLength(0);
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    }
                }
            });
        }

        /** The first event that matches, within 10 s (others seen before it are passed over). */
        Event next(Predicate<Event> wanted) throws InterruptedException {
            List<Event> seen = until(wanted);
            return seen.get(seen.size() - 1);
        }

        /** Events up to and including the first that matches, within 10 s. */
        List<Event> until(Predicate<Event> wanted) throws InterruptedException {
            List<Event> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                Event event = received.poll(100, TimeUnit.MILLISECONDS);
                if (event != null) {
                    seen.add(event);
                    if (wanted.test(event)) {
                        return seen;
                    }
                }
            }
            fail("No matching event within 10 s; got " + seen);
            return seen;
        }

        @Override
        public void close() {
            response.thenAccept(r -> r.body().close());
            response.cancel(true);
        }
    }

    @Test
    void snapshotThenLiveChangesThenReplayFromLastEventId() throws Exception {
        String first = ApiTest.upload(ApiTest.singleFile("events-first.bin", 40000).build(), null);
        String lastId;
        String second;
        try (EventReader reader = new EventReader(events, null)) {
            List<Event> snapshot = reader.until(e -> "status".equals(e.name()) && e.data().contains(first));
            assertEquals("reset", snapshot.get(0).name(), "a new connection starts with reset: " + snapshot);

            second = ApiTest.upload(ApiTest.singleFile("events-second.bin", 40000).build(), null);
            Event added = reader.next(e -> e.data().contains(second));
            assertEquals("status", added.name());
            assertTrue(added.data().contains("\"name\":\"events-second.bin\""), added.data());
            assertTrue(added.data().contains("\"torrent_id\":\"" + second + "\""), added.data());

            given().contentType(ContentType.JSON).body("{\"speed_limit\": 77}").post("/settings/" + second)
                    .then().statusCode(200);
            Event changed = reader.next(e -> e.data().contains("\"speed_limit\":77"));
            // it was sent in full when added: now only the fields that changed
            assertEquals("delta", changed.name(), changed.data());
            assertFalse(changed.data().contains("\"name\":"), "unchanged fields are not sent again: " + changed.data());
            lastId = changed.id();
            assertNotNull(lastId);

            given().post("/remove/" + first).then().statusCode(200);
            Event removed = reader.next(e -> "removed".equals(e.name()));
            assertTrue(removed.data().contains(first), removed.data());
            assertTrue(Long.parseLong(removed.id()) > Long.parseLong(lastId), "ids increase");
        }

        // reconnecting after the settings change: only the removal was missed, and no reset
        try (EventReader reader = new EventReader(events, lastId)) {
            List<Event> replay = reader.until(e -> "removed".equals(e.name()));
            assertFalse(replay.stream().anyMatch(e -> "reset".equals(e.name())), replay.toString());
            // other tests' torrents share this application and may publish too: look at ours only
            List<Event> ours = replay.stream()
                    .filter(e -> e.data().contains(first) || e.data().contains(second)).toList();
            assertEquals(1, ours.size(), replay.toString());
        }
        // an id this process never gave out (an older process's): a fresh snapshot
        try (EventReader reader = new EventReader(events, "17")) {
            assertEquals("reset", reader.until(e -> true).get(0).name());
        }
    }

    /** ?snapshot=true: the whole list in one event (the dashboard's first render), then the same deltas. */
    @Test
    void aSnapshotThatIsNeitherTrueNorFalseIsA400InWords() {
        io.restassured.RestAssured.given().get("/events?snapshot=maybe").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.equalTo("snapshot must be true or false, not 'maybe'"));
    }

    @Test
    void oneSnapshotEventThenDeltas() throws Exception {
        String one = ApiTest.upload(ApiTest.singleFile("events-snap-one.bin", 40000).build(), null);
        String two = ApiTest.upload(ApiTest.singleFile("events-snap-two.bin", 40000).build(), null);
        URI folded = URI.create(events + "?snapshot=true");
        try (EventReader reader = new EventReader(folded, null)) {
            Event first = reader.next(e -> true);
            assertEquals("snapshot", first.name(), "one event, not a reset and a status each: " + first);
            assertTrue(first.data().contains("\"type\":\"snapshot\""), first.data());
            assertTrue(first.data().contains("\"" + one + "\":{") && first.data().contains("\"" + two + "\":{"),
                    "every torrent's status by id: " + first.data());
            assertTrue(first.data().contains("\"name\":\"events-snap-two.bin\""), first.data());

            given().contentType(ContentType.JSON).body("{\"speed_limit\": 78}").post("/settings/" + two)
                    .then().statusCode(200);
            Event changed = reader.next(e -> e.data().contains(two));
            // the snapshot counts as sent: what follows is a delta of what changed
            assertEquals("delta", changed.name(), changed.data());
            assertTrue(changed.data().contains("\"speed_limit\":78"), changed.data());
            assertFalse(changed.data().contains("\"name\":"), changed.data());
            assertFalse(changed.data().contains("statuses"), "other events are as without the parameter");
        } finally {
            given().post("/remove/" + one).then().statusCode(200);
            given().post("/remove/" + two).then().statusCode(200);
        }
        // an id this process never gave out: a fresh snapshot, as one event again
        try (EventReader reader = new EventReader(folded, "17")) {
            assertEquals("snapshot", reader.until(e -> true).get(0).name());
        }
        // without the parameter nothing changes for other clients
        try (EventReader reader = new EventReader(events, null)) {
            assertEquals("reset", reader.until(e -> true).get(0).name());
        }
    }

    /** Issue 11 item 11: a client that goes away is normal; the log says nothing above DEBUG about it. */
    @Test
    void aClosedClientLogsNoError() throws Exception {
        List<java.util.logging.LogRecord> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try (EventReader watcher = new EventReader(events, null)) {
            watcher.until(e -> "reset".equals(e.name()));
            try (java.net.Socket socket = new java.net.Socket(events.getHost(), events.getPort())) {
                socket.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream"
                        + "\r\nAuthorization: " + TestCredentials.basicHeader() + "\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                socket.setSoTimeout(10_000);
                assertTrue(socket.getInputStream().read(new byte[4096]) > 0, "the stream started");
                socket.setSoLinger(true, 0); // a reset, as a browser tab that is closed
            }
            // changes after the client left: the service writes to it, finds it gone, and must stay quiet
            String id = ApiTest.upload(ApiTest.singleFile("events-closed.bin", 40000).build(), null);
            watcher.next(e -> e.data().contains(id));
            for (int limit = 1; limit <= 3; limit++) {
                given().contentType(ContentType.JSON).body("{\"speed_limit\": " + (100 + limit) + "}")
                        .post("/settings/" + id).then().statusCode(200);
                int expected = 100 + limit;
                watcher.next(e -> e.data().contains("\"speed_limit\":" + expected));
            }
            given().post("/remove/" + id).then().statusCode(200);
            watcher.next(e -> "removed".equals(e.name()) && e.data().contains(id));
        } finally {
            root.removeHandler(capture);
        }
        assertTrue(errors.isEmpty(), () -> errors.stream()
                .map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown()).toList().toString());
    }

    @Test
    void theStreamIsInTheOpenApiDocument() {
        String document = given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .extract().asString();
        assertTrue(document.contains("\"/events\""), "GET /events is documented");
        assertTrue(document.contains("text/event-stream"), "as server-sent events");
        assertTrue(document.contains("Last-Event-ID"), "with its header");
    }
}

package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 11: "the first /status after a restart can say stopped for a torrent that is about to resume". A
 * state folder written while the service is down holds a download, a seed, a paused torrent, a download queued behind
 * the first (BT_MAX_CONCURRENT_DOWNLOADS=1) and a stopped one. /status is polled from the moment the port first
 * answers (before readiness): the FIRST answer already lists every torrent in its coming state (checking or
 * downloading, checking or seeding, paused, queued, stopped), no answer ever says stopped (or the stored lifecycle's
 * name without its session) for one that resumes, and each settles where it belongs. GET /status/{id} of a stored
 * torrent is never a 404 meanwhile, and qBittorrent's torrents/info lists every torrent from its first answer (the
 * queued one queuedDL, none of those that resume stopped).
 */
class FirstStatusAfterRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIZE = 3 * 16384;
    /** Between two polls: short, so the first answer and any brief wrong state are seen. */
    private static final long POLL = Duration.ofMillis(2).toNanos();

    /** The states each torrent may show while the service starts, and the one it settles in. */
    private record Expect(Set<String> whileStarting, String settled) {
    }

    @Test
    void theFirstStatusAfterARestartShowsEveryTorrentInTheStateItIsAboutToBeIn() throws Exception {
        Path work = ItFiles.dir("first-status");
        try (AppProcess app = AppProcess.start(Map.of("BT_MAX_CONCURRENT_DOWNLOADS", "1"))) {
            app.kill9();
            Map<String, String> ids = writeStateFolder(app, work); // kind -> id
            Map<String, Expect> expected = Map.of(
                    "download", new Expect(Set.of("checking", "downloading"), "downloading"),
                    "seed", new Expect(Set.of("checking", "seeding"), "seeding"),
                    "paused", new Expect(Set.of("paused"), "paused"),
                    "queued", new Expect(Set.of("queued"), "queued"),
                    "stopped", new Expect(Set.of("stopped"), "stopped"));

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            app.restartWithoutWaiting();
            long began = System.nanoTime();
            long deadline = began + Duration.ofSeconds(60).toNanos();
            List<String> seen = new ArrayList<>(); // every answer, in order, for the failure message
            JsonNode first = null;
            boolean settled = false;
            while (!settled) {
                assertTrue(System.nanoTime() < deadline, "not settled 60 s after launch; answers: " + seen);
                assertTrue(app.isAlive(), "the service died; answers: " + seen);
                HttpResponse<String> response;
                HttpResponse<String> one;
                HttpResponse<String> qb;
                try {
                    // one torrent by its id (a stored torrent is never a 404), the qBittorrent list (Sonarr takes a
                    // torrent missing from it as gone), then all of them
                    one = get(http, app, "/status/" + ids.get("queued"));
                    qb = get(http, app, "/api/v2/torrents/info");
                    response = get(http, app, "/status");
                } catch (IOException notListeningYet) {
                    java.util.concurrent.locks.LockSupport.parkNanos(POLL); // not listening yet
                    continue;
                }
                long ms = Duration.ofNanos(System.nanoTime() - began).toMillis();
                assertEquals(200, one.statusCode(), "GET /status/{queued id} at " + ms + " ms: " + one.body());
                assertEquals("queued", JSON.readTree(one.body()).path("state").asText(), one.body());
                assertEquals(200, qb.statusCode(), "GET /api/v2/torrents/info at " + ms + " ms: " + qb.body());
                Map<String, String> qbStates = new LinkedHashMap<>();
                JSON.readTree(qb.body()).forEach(t -> qbStates.put(t.path("hash").asText(), t.path("state").asText()));
                assertEquals(Set.copyOf(ids.values()), qbStates.keySet(), "torrents/info at " + ms + " ms: " + qb.body());
                assertEquals("queuedDL", qbStates.get(ids.get("queued")), qb.body());
                for (String kind : List.of("download", "seed")) {
                    assertTrue(!qbStates.get(ids.get(kind)).startsWith("stopped"), kind + ": " + qb.body());
                }
                assertEquals(200, response.statusCode(), "GET /status at " + ms + " ms: " + response.body());
                JsonNode all = JSON.readTree(response.body());
                Map<String, String> states = new LinkedHashMap<>();
                expected.keySet().stream().sorted()
                        .forEach(kind -> states.put(kind, all.path(ids.get(kind)).path("state").asText("(absent)")));
                seen.add(ms + " ms " + states);
                if (first == null) {
                    first = all;
                    for (var e : expected.entrySet()) {
                        assertTrue(e.getValue().whileStarting().contains(states.get(e.getKey())), "the first /status ("
                                + ms + " ms after launch) shows the " + e.getKey() + " torrent "
                                + states.get(e.getKey()) + ", expected one of " + e.getValue().whileStarting() + "; answers: " + seen);
                    }
                }
                for (var e : expected.entrySet()) {
                    assertTrue(e.getValue().whileStarting().contains(states.get(e.getKey())), "/status shows the "
                            + e.getKey() + " torrent " + states.get(e.getKey()) + " while the service starts; answers: "
                            + seen);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(POLL);
                settled = expected.entrySet().stream()
                        .allMatch(e -> e.getValue().settled().equals(states.get(e.getKey())));
            }
            app.awaitReady();
            System.out.printf("FirstStatusAfterRestartIT: %d answers, first and last: %s .. %s%n", seen.size(),
                    seen.get(0), seen.get(seen.size() - 1));
            assertEquals("waiting: 1 download already active (max active downloads = 1)",
                    first.path(ids.get("queued")).path("state_reason").asText(), "the queued one says why at once");
        }
    }

    private static HttpResponse<String> get(HttpClient http, AppProcess app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + path))
                .header("Authorization", app.authorization()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Five torrents written into the state folder as the service writes them; returns kind -> id. */
    private static Map<String, String> writeStateFolder(AppProcess app, Path work) throws Exception {
        Map<String, String> ids = new LinkedHashMap<>();
        try (OfflineStateFolder state = new OfflineStateFolder(app.stateDir(), app.downloadDir())) {
            for (String kind : List.of("download", "seed", "paused", "queued", "stopped")) {
                boolean seed = "seed".equals(kind);
                // the seed's data is in the download folder; the others have none there (no peer either): they
                // stay downloading (or paused, queued, stopped) for the whole test
                Path data = Payloads.file((seed ? app.downloadDir() : work).resolve(kind + ".bin"), SIZE);
                TorrentLifecycle lifecycle = switch (kind) {
                    case "seed" -> TorrentLifecycle.SEEDING;
                    case "paused" -> TorrentLifecycle.PAUSED;
                    case "stopped" -> TorrentLifecycle.STOPPED;
                    default -> TorrentLifecycle.DOWNLOADING; // "queued" is a download behind the first in the queue
                };
                ids.put(kind, state.add(TorrentBuilder.of(data).pieceLength(16384).build(), data, lifecycle, seed,
                        seed));
            }
            state.awaitSaved(Duration.ofSeconds(30));
        }
        return ids;
    }
}

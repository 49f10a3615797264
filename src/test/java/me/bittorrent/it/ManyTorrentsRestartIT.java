package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * A restart with hundreds of torrents in the state folder (issue 10), written there while the service is down, as
 * the service writes them: seeds whose files match their fingerprints, seeds without fingerprints (each needs a
 * full check), stopped torrents, and two downloads behind them in the queue (BT_MAX_CONCURRENT_DOWNLOADS=2, no
 * reachable peer). The service must be ready and every torrent where it belongs within a generous bound, the two
 * downloads must never be queued behind seeds (a seed holds no download slot, not even while its files open), and a
 * seed whose saved state is still true is not written again (1,000 seeds wrote 2,000 state files with fsyncs).
 */
class ManyTorrentsRestartIT {

    private static final int TRUSTED_SEEDS = 300;
    private static final int UNCHECKED_SEEDS = 20;
    private static final int STOPPED = 100;
    private static final int DOWNLOADS = 2;
    private static final int SIZE = 2 * 16384;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void restartsWithHundredsOfTorrentsInTheStateFolder() throws Exception {
        Path work = ItFiles.dir("many-restart");
        String deadTracker = "http://127.0.0.1:" + closedPort() + "/announce";
        try (AppProcess app = AppProcess.start(Map.of("BT_MAX_CONCURRENT_DOWNLOADS", Integer.toString(DOWNLOADS)))) {
            app.kill9();
            Map<String, String> kind = new HashMap<>();
            List<String> trustedIds = new ArrayList<>();
            long began = System.nanoTime();
            try (OfflineStateFolder state = new OfflineStateFolder(app.stateDir(), app.downloadDir())) {
                int total = TRUSTED_SEEDS + UNCHECKED_SEEDS + STOPPED + DOWNLOADS;
                for (int i = 0; i < total; i++) {
                    String what = i < TRUSTED_SEEDS ? "seed" : i < TRUSTED_SEEDS + UNCHECKED_SEEDS ? "unchecked"
                            : i < TRUSTED_SEEDS + UNCHECKED_SEEDS + STOPPED ? "stopped" : "download";
                    String name = String.format("%s-%04d.bin", what, i);
                    Path data = Payloads.file(("download".equals(what) ? work : app.downloadDir()).resolve(name), SIZE);
                    byte[] bytes = TorrentBuilder.of(data).pieceLength(16384).announce(deadTracker).build();
                    boolean seeded = "seed".equals(what) || "unchecked".equals(what);
                    TorrentLifecycle lifecycle = seeded ? TorrentLifecycle.SEEDING
                            : "stopped".equals(what) ? TorrentLifecycle.STOPPED : TorrentLifecycle.DOWNLOADING;
                    String id = state.add(bytes, data, lifecycle, seeded, "seed".equals(what));
                    kind.put(id, what);
                    if ("seed".equals(what)) {
                        trustedIds.add(id);
                    }
                }
                state.awaitSaved(Duration.ofMinutes(3));
            }
            System.out.printf("ManyTorrentsRestartIT: %d torrents written into the state folder in %d ms%n",
                    kind.size(), Duration.ofNanos(System.nanoTime() - began).toMillis());
            Map<String, Long> writtenAt = new HashMap<>();
            for (String id : trustedIds) {
                writtenAt.put(id, Files.getLastModifiedTime(stateFile(app, id)).toMillis());
            }

            long launched = System.nanoTime();
            app.restart(); // waits until /q/health/ready is UP (at most 90 s)
            long ready = System.nanoTime();
            Map<String, String> expected = Map.of("seed", "seeding", "unchecked", "seeding", "stopped", "stopped",
                    "download", "downloading");
            Map<String, Integer> counts = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                JsonNode all = status(app);
                counts = new TreeMap<>();
                int wrong = 0;
                for (Map.Entry<String, String> e : kind.entrySet()) {
                    String state = all.path(e.getKey()).path("state").asText();
                    counts.merge(e.getValue() + ":" + state, 1, Integer::sum);
                    String want = expected.get(e.getValue());
                    // a download with no reachable peer reads stalled once its trackers failed
                    if (!want.equals(state) && !("downloading".equals(want) && "stalled".equals(state))) {
                        wrong++;
                    }
                }
                if (wrong == 0) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "not every torrent where it belongs 120 s after ready: "
                        + counts);
                ServiceClient.pause(Duration.ofMillis(500));
            }
            long settled = System.nanoTime();
            System.out.printf("ManyTorrentsRestartIT: launch -> ready %d ms, ready -> every torrent settled %d ms: %s%n",
                    Duration.ofNanos(ready - launched).toMillis(), Duration.ofNanos(settled - ready).toMillis(), counts);

            List<String> log = Files.readAllLines(app.logFile());
            List<String> queuedLines = log.stream().filter(l -> l.contains("' is queued")).toList();
            assertEquals(List.of(), queuedLines, "the two downloads were queued behind seeds that hold no slot");
            int rewritten = 0;
            for (String id : trustedIds) {
                if (Files.getLastModifiedTime(stateFile(app, id)).toMillis() != writtenAt.get(id)) {
                    rewritten++;
                }
            }
            assertEquals(0, rewritten, "state files of seeds whose saved state was still true were written again");
            // the seeds without fingerprints were each checked, and their fingerprints saved for the next start
            long checked = log.stream().filter(l -> l.contains("unchecked-") && l.contains("checking every piece"))
                    .count();
            assertEquals(UNCHECKED_SEEDS, checked, "each seed without fingerprints is checked once");
        }
    }

    private static Path stateFile(AppProcess app, String id) {
        return app.stateDir().resolve("torrents").resolve(id + ".json");
    }

    private static JsonNode status(AppProcess app) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/status"))
                .header("Authorization", app.authorization()).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** A loopback port nobody listens on: every announce fails at once. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

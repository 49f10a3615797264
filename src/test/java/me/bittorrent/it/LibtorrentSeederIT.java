package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged service downloads from a real libtorrent seeder that it finds through a real opentracker, over
 * the HTTP and the UDP announce URL; every file's sha256 equals the original's, and the status shows the torrent
 * completed and the tracker working. Driven only through the REST API.
 */
class LibtorrentSeederIT {

    static final int PIECE = 32 * 1024;
    static final Duration DOWNLOAD_BOUND = Duration.ofSeconds(60);

    static Swarm swarm;
    static AppProcess app;
    static ServiceClient api;

    @BeforeAll
    static void startSwarmAndService() throws Exception {
        swarm = Swarm.start();
        app = AppProcess.start();
        api = new ServiceClient(app.baseUrl());
    }

    @AfterAll
    static void stopAll() {
        if (app != null) {
            app.close();
        }
        if (swarm != null) {
            swarm.close();
        }
    }

    @Test
    void singleFileOverHttpTracker() throws Exception {
        Path work = ItFiles.dir("lt-single-http");
        Path content = TorrentBuilder.randomFile(work.resolve("single.bin"), 5L * PIECE + 777, System.nanoTime());
        downloadFromLibtorrent(content, swarm.tracker().url(), work);
    }

    @Test
    void multiFileOverHttpTracker() throws Exception {
        Path work = ItFiles.dir("lt-multi-http");
        Path content = ItFiles.multiFilePayload(work.resolve("multi-http"), System.nanoTime(), 300_000);
        downloadFromLibtorrent(content, swarm.tracker().url(), work);
    }

    @Test
    void singleFileOverUdpTracker() throws Exception {
        Path work = ItFiles.dir("lt-single-udp");
        Path content = TorrentBuilder.randomFile(work.resolve("single-udp.bin"), 7L * PIECE + 5, System.nanoTime());
        downloadFromLibtorrent(content, swarm.tracker().udpUrl(), work);
    }

    @Test
    void multiFileOverUdpTracker() throws Exception {
        Path work = ItFiles.dir("lt-multi-udp");
        Path content = ItFiles.multiFilePayload(work.resolve("multi-udp"), System.nanoTime(), 200_000);
        downloadFromLibtorrent(content, swarm.tracker().udpUrl(), work);
    }

    /** content sits in {@code work} (the seeder's save path); the torrent announces only to {@code announceUrl}. */
    private static void downloadFromLibtorrent(Path content, String announceUrl, Path work) throws Exception {
        Path torrent = swarm.torrent(content, PIECE, announceUrl, work.resolve(content.getFileName() + ".torrent"));
        try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, work).seedMode().start()) {
            seeder.awaitReady(Duration.ofSeconds(30));
            JsonNode added = api.upload(torrent);
            String id = added.path("torrent_id").asText();
            assertEquals(seeder.infoHash(), id, "the torrent id is the info-hash libtorrent computes");
            api.start(id);
            JsonNode done;
            try {
                done = api.awaitCompleted(id, DOWNLOAD_BOUND);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + seeder.diagnostics(), e);
            }
            assertEquals(100.0, done.path("progress").asDouble(), 0.001, "progress when completed: " + done);
            assertEquals(done.path("total_pieces").asInt(), done.path("downloaded_pieces").asInt(), done.toString());

            Path downloaded = app.downloadDir().resolve(content.getFileName());
            if (Files.isDirectory(content)) {
                ItFiles.assertSameTree(content, downloaded);
                assertTrue(Files.isRegularFile(downloaded.resolve("docs/deep/empty.txt")),
                        "the zero-length file exists");
            } else {
                assertEquals(ItFiles.sha256(content), ItFiles.sha256(downloaded), "sha256 of " + downloaded);
            }

            JsonNode withTracker = api.awaitStatus(id, s -> trackerWorking(s, announceUrl), Duration.ofSeconds(15),
                    "showing " + announceUrl + " as working");
            assertTrue(withTracker.path("completed").asBoolean(), withTracker.toString());
        }
    }

    static boolean trackerWorking(JsonNode status, String url) {
        for (JsonNode t : status.path("trackers")) {
            if (url.equals(t.path("url").asText()) && "working".equals(t.path("status").asText())) {
                return true;
            }
        }
        return false;
    }
}

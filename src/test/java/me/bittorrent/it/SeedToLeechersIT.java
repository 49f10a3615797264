package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.Tools;
import me.bittorrent.testing.TransmissionLeecher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service seeds: a torrent whose data is already in its download folder is uploaded and started, the service
 * checks the data and seeds it to a real libtorrent leecher and a real Transmission leecher at once. Both finish
 * (each verified every piece) and hold the original files; the service's {@code uploaded} is at least the
 * torrent's size (it is the only seed, so every piece left it at least once).
 *
 * Transmission will not dial loopback peers a tracker hands it, so both leechers announce first and the service,
 * announcing after them, gets their addresses from opentracker and dials them.
 */
class SeedToLeechersIT {

    static final int PIECE = 64 * 1024;

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
    void seedsToLibtorrentAndTransmission() throws Exception {
        Tools.requireTool("transmission-cli");
        Path work = ItFiles.dir("seed-to-leechers");
        Path content = ItFiles.multiFilePayload(work.resolve("seeded"), System.nanoTime(), 700_000);
        Path torrent = swarm.torrent(content, PIECE, swarm.tracker().url(), work.resolve("seeded.torrent"));
        String hash = Swarm.infoHash(content, PIECE);
        copyTree(content, app.downloadDir().resolve(content.getFileName()));
        long totalSize = Files.walk(content).filter(Files::isRegularFile).mapToLong(ItFiles::size).sum();

        Path ltDir = Files.createDirectories(work.resolve("libtorrent"));
        Path trDir = Files.createDirectories(work.resolve("transmission"));
        try (LibtorrentPeer lt = LibtorrentPeer.leech(torrent, ltDir).recheckOnFinish().start();
                TransmissionLeecher tr = TransmissionLeecher.start(torrent, trDir)) {
            lt.awaitReady(Duration.ofSeconds(30));
            swarm.awaitLeechers(hash, 2, Duration.ofSeconds(30));

            String id = api.upload(torrent).path("torrent_id").asText();
            assertEquals(hash, id);
            api.start(id);
            JsonNode seeding = api.awaitStatus(id, s -> "seeding".equals(s.path("state").asText()),
                    Duration.ofSeconds(30), "seeding after checking its data");
            assertTrue(seeding.path("completed").asBoolean(), "checked data is complete: " + seeding);

            lt.awaitFinished(Duration.ofSeconds(60));
            tr.awaitComplete(Duration.ofSeconds(90)); // Transmission takes 6-10 s to start asking

            ItFiles.assertSameTree(content, ltDir.resolve(content.getFileName()));
            // Transmission does not create zero-length files: compare the others
            assertEquals(nonEmpty(content), nonEmpty(trDir.resolve(content.getFileName())),
                    "Transmission's files versus the originals");

            api.awaitStatus(id, s -> s.path("uploaded").asLong() >= totalSize,
                    Duration.ofSeconds(10), "counting at least " + totalSize + " bytes uploaded");
        }
    }

    static Map<String, String> nonEmpty(Path root) {
        return ItFiles.sha256Tree(root).entrySet().stream()
                .filter(e -> ItFiles.size(root.resolve(e.getKey())) > 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}

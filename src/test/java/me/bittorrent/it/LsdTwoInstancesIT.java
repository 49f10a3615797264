package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the packaged service on one machine find each other through local service discovery alone:
 * the torrent has no tracker, both run with BT_DHT=off, and LSD multicasts on the loopback only (AppProcess sets
 * BT_LSD_INTERFACE=lo). The leecher downloads the whole multi-file torrent from the seeder.
 */
class LsdTwoInstancesIT {

    static final int PIECE = 32 * 1024;

    @Test
    void oneSeedsTheOtherFindsItOnTheLanAndLeeches() throws Exception {
        Path work = ItFiles.dir("lsd-two-instances");
        Path content = ItFiles.multiFilePayload(work.resolve("lan"), System.nanoTime(), 300_000);
        long totalSize = Files.walk(content).filter(Files::isRegularFile).mapToLong(ItFiles::size).sum();
        Path torrent = TorrentBuilder.of(content).pieceLength(PIECE).writeTo(work.resolve("lan.torrent"));
        Map<String, String> lanOnly = Map.of("BT_DHT", "off");
        try (AppProcess seeder = AppProcess.start(lanOnly); AppProcess leecher = AppProcess.start(lanOnly)) {
            SeedToLeechersIT.copyTree(content, seeder.downloadDir().resolve(content.getFileName()));
            ServiceClient seedApi = new ServiceClient(seeder.baseUrl());
            ServiceClient leechApi = new ServiceClient(leecher.baseUrl());

            String id = seedApi.upload(torrent).path("torrent_id").asText();
            seedApi.start(id);
            seedApi.awaitStatus(id, s -> "seeding".equals(s.path("state").asText()), Duration.ofSeconds(30),
                    "seeding");
            // the leecher starts later: its own announce reaches the seeder, which dials it
            assertEquals(id, leechApi.upload(torrent).path("torrent_id").asText());
            leechApi.start(id);
            JsonNode done = leechApi.awaitCompleted(id, Duration.ofSeconds(60));
            assertEquals(done.path("total_pieces").asInt(), done.path("downloaded_pieces").asInt(), done.toString());
            assertEquals(0, done.path("trackers").size(), done.toString());
            ItFiles.assertSameTree(content, leecher.downloadDir().resolve(content.getFileName()));
            seedApi.awaitStatus(id, s -> s.path("uploaded").asLong() >= totalSize, Duration.ofSeconds(10),
                    "counting at least " + totalSize + " bytes uploaded");
        }
    }
}

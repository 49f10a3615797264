package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import me.bittorrent.testing.AppProcess;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the packaged service, each with its own folders and ports: one seeds a multi-file torrent
 * from its download folder, the other finds it through opentracker and downloads it; the files are identical
 * and the seeding instance counts the upload.
 */
class TwoInstancesIT {

    static final int PIECE = 32 * 1024;

    @Test
    void oneSeedsTheOtherLeeches() throws Exception {
        Path work = ItFiles.dir("two-instances");
        Path content = ItFiles.multiFilePayload(work.resolve("shared"), System.nanoTime(), 400_000);
        long totalSize = Files.walk(content).filter(Files::isRegularFile).mapToLong(ItFiles::size).sum();
        try (Swarm swarm = Swarm.start();
                AppProcess seeder = AppProcess.start();
                AppProcess leecher = AppProcess.start()) {
            Path torrent = swarm.torrent(content, PIECE, swarm.tracker().url(), work.resolve("shared.torrent"));
            SeedToLeechersIT.copyTree(content, seeder.downloadDir().resolve(content.getFileName()));
            ServiceClient seedApi = new ServiceClient(seeder.baseUrl());
            ServiceClient leechApi = new ServiceClient(leecher.baseUrl());

            String id = seedApi.upload(torrent).path("torrent_id").asText();
            seedApi.start(id);
            seedApi.awaitStatus(id, s -> "seeding".equals(s.path("state").asText()), Duration.ofSeconds(30),
                    "seeding");
            swarm.awaitSeeders(id, 1, Duration.ofSeconds(15));

            assertEquals(id, leechApi.upload(torrent).path("torrent_id").asText());
            leechApi.start(id);
            JsonNode done = leechApi.awaitCompleted(id, Duration.ofSeconds(60));
            assertEquals(done.path("total_pieces").asInt(), done.path("downloaded_pieces").asInt(), done.toString());
            ItFiles.assertSameTree(content, leecher.downloadDir().resolve(content.getFileName()));
            seedApi.awaitStatus(id, s -> s.path("uploaded").asLong() >= totalSize, Duration.ofSeconds(10),
                    "counting at least " + totalSize + " bytes uploaded");
        }
    }
}

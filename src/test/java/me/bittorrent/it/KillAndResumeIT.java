package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the service in the middle of a download: after a restart the torrent continues by itself, completes
 * with the original bytes, and does not download again what it had verified.
 *
 * <p>Counting: the seeder is the only peer, so libtorrent's payload upload total is exactly what the service
 * downloaded. {@code verifiedBefore} pieces were verified (per GET /status) before the kill; after the restart the
 * service may re-fetch only what was not verified and persisted. So
 * {@code verifiedBefore * PIECE + uploadedAfterRestart <= SIZE + SLACK}. SLACK covers (a) pieces verified but not
 * yet persisted when the kill came: resume data is written at most {@link #DEBOUNCE} behind, i.e. at most
 * RATE * DEBOUNCE bytes of pieces, plus (b) two pieces of rounding. Blocks in flight at the kill were sent before
 * it and count before, not after. The kill comes at 40% or more, so re-downloading everything would exceed the
 * bound by at least 0.4 * 64 MiB = 25.6 MiB against a SLACK of about 12.5 MB.
 */
class KillAndResumeIT {

    static final int PIECE = 256 * 1024;
    static final long SIZE = 64L * 1024 * 1024;
    /** The seeder's upload limit: the download takes about 16 s, long enough to kill it in the middle. */
    static final long RATE = 4_000_000;
    /** The service persists verified pieces at most 2 s after a piece is verified (SessionRunner); +1 s for the
     *  write to land and for libtorrent's rate limiter bursting above RATE. */
    static final Duration DEBOUNCE = Duration.ofSeconds(3);
    static final long SLACK = RATE * DEBOUNCE.toSeconds() + 2L * PIECE;

    /** How many pieces the saved state holds as verified: its progress save while there is one (TorrentRepository). */
    private static int savedVerified(Path stateDir, String id, long pieces) throws Exception {
        Path progress = stateDir.resolve("torrents/" + id + ".progress.json");
        JsonNode state = new com.fasterxml.jackson.databind.ObjectMapper().readTree((java.nio.file.Files.exists(progress)
                ? progress : stateDir.resolve("torrents/" + id + ".json")).toFile());
        return me.bittorrent.state.Bitfields.fromBase64(state.path("verified_pieces").asText(), (int) pieces)
                .cardinality();
    }

    /**
     * The number in the session's "N piece(s) hashed from disk" log line of the current launch, awaited (within
     * 30 s): the pieces written since the last save are hashed while the torrent downloads, so the line may come
     * after it reads downloading.
     */
    private static int hashedAtOpen(Path log) throws Exception {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("(\\d+) piece\\(s\\) hashed from disk");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            for (String l : java.nio.file.Files.readAllLines(log)) {
                java.util.regex.Matcher m = line.matcher(l);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // poll the log, bounded by the deadline
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no 'hashed from disk' line in " + log + " within 30 s: the restart trusted "
                + "everything unchecked");
    }

    @Test
    void continuesAfterKillWithoutRedownloadingVerifiedPieces() throws Exception {
        Path work = ItFiles.dir("kill-resume");
        Path content = TorrentBuilder.randomFile(work.resolve("big.bin"), SIZE, System.nanoTime());
        try (Swarm swarm = Swarm.start(); AppProcess app = AppProcess.start()) {
            Path torrent = swarm.torrent(content, PIECE, swarm.tracker().url(), work.resolve("big.torrent"));
            try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, work).seedMode().uploadLimit(RATE).start()) {
                seeder.awaitReady(Duration.ofSeconds(60));
                ServiceClient api = new ServiceClient(app.baseUrl());
                String id = api.upload(torrent).path("torrent_id").asText();
                api.start(id);

                JsonNode before = api.awaitStatus(id, s -> s.path("progress").asDouble() >= 40.0,
                        Duration.ofSeconds(60), "40% downloaded");
                double progress = before.path("progress").asDouble();
                assertTrue(progress < 70.0, "polled too late to kill between 30% and 70%: " + before);
                int verifiedBefore = before.path("downloaded_pieces").asInt();
                app.kill9();
                int savedAtKill = savedVerified(app.stateDir(), id, SIZE / PIECE);
                int writtenAtKill = me.bittorrent.storage.PieceJournal.read(
                        app.stateDir().resolve("torrents/" + id + ".written"), (int) (SIZE / PIECE))
                        .orElseThrow().pieces().cardinality();

                // the connection is gone when libtorrent sees no peer: its upload total is then final
                long uploadedBeforeRestart = seeder.awaitProgress(p -> p.numPeers() == 0, Duration.ofSeconds(15))
                        .totalUpload();

                app.restart();
                // it restarts the torrent by itself; files written after the last persisted state may be re-checked
                // first (reading, not fetching), so wait until it downloads again
                JsonNode resumed = api.awaitStatus(id, s -> List.of("downloading", "seeding", "completed")
                        .contains(s.path("state").asText()), Duration.ofSeconds(60), "downloading again by itself");
                assertTrue(resumed.path("downloaded_pieces").asInt() >= verifiedBefore - SLACK / PIECE,
                        "after the restart it knows the pieces it had (" + verifiedBefore + " before): " + resumed);
                // only the pieces written after the last save (and a sample of 4 saved ones) were hashed again
                int hashed = hashedAtOpen(app.logFile());
                System.out.printf("KillAndResumeIT: %d pieces saved as verified, %d written by the kill, %d hashed at"
                        + " the restart (%d verified before the kill)%n", savedAtKill, writtenAtKill, hashed,
                        verifiedBefore);
                assertTrue(savedAtKill > 0 && hashed < verifiedBefore, "a full check: " + hashed + " pieces");
                assertTrue(hashed <= writtenAtKill - savedAtKill + 4, "the restart hashed " + hashed + " pieces, more "
                        + "than the " + (writtenAtKill - savedAtKill) + " unsaved ones and a sample of 4");
                JsonNode done = api.awaitCompleted(id, Duration.ofSeconds(90));
                assertEquals(done.path("total_pieces").asInt(), done.path("downloaded_pieces").asInt(), done.toString());
                assertEquals(ItFiles.sha256(content), ItFiles.sha256(app.downloadDir().resolve("big.bin")));

                // stop, so libtorrent closes the connection and its total is final
                api.control("stop", id);
                long uploadedTotal = seeder.awaitProgress(p -> p.numPeers() == 0, Duration.ofSeconds(15))
                        .totalUpload();
                long after = uploadedTotal - uploadedBeforeRestart;
                long counted = (long) verifiedBefore * PIECE + after;
                System.out.printf("KillAndResumeIT: killed at %.1f%% with %d pieces verified; seeder sent %d bytes"
                        + " before the kill and %d after the restart; %d + %d = %d <= %d + %d?%n", progress,
                        verifiedBefore, uploadedBeforeRestart, after, (long) verifiedBefore * PIECE, after, counted,
                        SIZE, SLACK);
                assertTrue(counted <= SIZE + SLACK, "re-downloaded verified pieces: " + verifiedBefore
                        + " pieces verified before the kill, " + after + " bytes fetched after the restart, "
                        + counted + " > " + SIZE + " + " + SLACK);
                assertTrue(after > 0, "something was still fetched after the restart");

                // a file cut short behind our back while stopped: its size gives it away, its lost pieces come again
                try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(
                        app.downloadDir().resolve("big.bin").toFile(), "rw")) {
                    raf.setLength(SIZE - 16L * PIECE);
                }
                api.start(id);
                JsonNode again = api.awaitCompleted(id, Duration.ofSeconds(90));
                assertEquals(again.path("total_pieces").asInt(), again.path("downloaded_pieces").asInt(), again.toString());
                assertEquals(ItFiles.sha256(content), ItFiles.sha256(app.downloadDir().resolve("big.bin")),
                        "the truncated tail was downloaded again");
                // the cut pieces were fetched again (the seeder's total says so), not taken on trust
                seeder.awaitProgress(p -> p.totalUpload() - uploadedTotal >= 16L * PIECE, Duration.ofSeconds(15));
            }
        }
    }
}

package me.bittorrent.state;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorrentRepositoryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final String C = "c".repeat(40);

    @TempDir
    Path stateDir;
    Vertx vertx;
    TorrentRepository repository;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        repository = new TorrentRepository(vertx, stateDir);
    }

    @AfterEach
    void tearDown() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static StoredTorrent stored(String id, long speedLimit) {
        BitSet verified = new BitSet();
        verified.set(0);
        verified.set(9);
        return new StoredTorrent(id, "name-" + id.charAt(0), Instant.parse("2026-01-02T03:04:05Z"), "/downloads",
                new TorrentSettings(speedLimit, 0, 50, 100, false, true, false),
                Map.of("dir/a.txt", true, "dir/b.txt", false), TorrentLifecycle.STOPPED,
                Bitfields.toBase64(verified, 10), 5, 6, List.of(new StoredFingerprint(0, 10, 1234)), null);
    }

    @Test
    void savedTorrentsLoadBackExactly() {
        StoredTorrent a = stored(A, 10);
        byte[] bytes = "d4:infode".getBytes(StandardCharsets.US_ASCII);
        repository.saveNew(a, bytes).await().atMost(WAIT);
        List<LoadedTorrent> loaded = repository.loadAll().await().atMost(WAIT);
        assertEquals(1, loaded.size());
        assertEquals(a, loaded.get(0).stored());
        assertArrayEquals(bytes, loaded.get(0).torrentBytes());
        assertNull(loaded.get(0).problem());
        assertEquals(Set2.of(0, 9), Bitfields.fromBase64(loaded.get(0).stored().verifiedPieces(), 10));
    }

    @Test
    void aMagnetWithoutItsMetadataComesBackAsAMagnetAndKeepsItsTorrentOnceKnown() {
        String magnet = "magnet:?xt=urn:btih:" + A + "&tr=http%3A%2F%2F127.0.0.1%3A1%2Fannounce";
        StoredTorrent a = stored(A, 0).withMagnet(magnet);
        repository.save(a).await().atMost(WAIT); // no .torrent yet
        LoadedTorrent loaded = repository.loadAll().await().atMost(WAIT).get(0);
        assertEquals(a, loaded.stored());
        assertEquals(magnet, loaded.stored().magnet());
        assertNull(loaded.torrentBytes());
        assertNull(loaded.problem(), "a magnet has no .torrent until its metadata arrived: not a problem");

        byte[] bytes = "d4:infode".getBytes(StandardCharsets.US_ASCII);
        repository.saveTorrentFile(A, bytes).await().atMost(WAIT);
        loaded = repository.loadAll().await().atMost(WAIT).get(0);
        assertArrayEquals(bytes, loaded.torrentBytes());
        assertNull(loaded.problem());

        // a torrent added from a file whose .torrent went missing still is a problem
        repository.save(stored(B, 0)).await().atMost(WAIT);
        assertNotNull(repository.loadAll().await().atMost(WAIT).get(1).problem());
    }

    @Test
    void libraryFieldsSurviveARestartAndOldFilesStillLoad() throws Exception {
        TorrentLibrary library = new TorrentLibrary("tv", List.of("hd", "fr"), 7, true, 1.5, 90L,
                ShareLimitAction.REMOVE, Instant.parse("2026-02-03T04:05:06Z"), 3600);
        StoredTorrent a = stored(A, 10).withLibrary(library).withDownloadDir("/data/tv");
        repository.saveNew(a, new byte[] {'d', 'e'}).await().atMost(WAIT);
        StoredTorrent back = repository.loadAll().await().atMost(WAIT).get(0).stored();
        assertEquals(a, back);
        assertEquals(List.of("fr", "hd"), back.library().tags());
        assertEquals("/data/tv", back.downloadDir());

        // a state file written before the library fields existed: no category, no tags, global limits
        String old = Files.readString(repository.torrentsDir().resolve(A + ".json"))
                .replaceAll("(?s),\\s*\"library\"\\s*:\\s*\\{.*?\\}", "");
        assertFalse(old.contains("library"), old);
        Files.writeString(repository.torrentsDir().resolve(A + ".json"), old);
        StoredTorrent older = repository.loadAll().await().atMost(WAIT).get(0).stored();
        assertEquals(TorrentLibrary.NONE, older.library());
        assertEquals(stored(A, 10).withDownloadDir("/data/tv"), older);

        Preferences prefs = new Preferences("/dl", 1L, 2L, 3, 4, null, 2.0, 60L, ShareLimitAction.STOP,
                Map.of("tv", "/data/tv", "films", ""), List.of("hd"));
        repository.savePreferences(prefs).await().atMost(WAIT);
        assertEquals(prefs, repository.loadPreferences().await().atMost(WAIT).orElseThrow());
        Files.writeString(stateDir.resolve("preferences.json"), "{\"download_dir\": \"/dl\"}");
        Preferences oldPrefs = repository.loadPreferences().await().atMost(WAIT).orElseThrow();
        assertEquals(new Preferences("/dl"), oldPrefs);
        assertNull(oldPrefs.categories());
    }

    @Test
    void writesLeaveNoTempFilesAndNeverAPartialFile() throws Exception {
        repository.saveNew(stored(A, 1), new byte[100]).await().atMost(WAIT);
        for (int i = 0; i < 20; i++) {
            repository.save(stored(A, i)).await().atMost(WAIT);
            // every observable version is complete, valid JSON
            assertNotNull(repository.loadAll().await().atMost(WAIT).get(0).stored());
        }
        try (Stream<Path> files = Files.list(repository.torrentsDir())) {
            assertEquals(List.of(A + ".json", A + ".torrent"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void savesForOneTorrentApplyInCallOrderSoTheLastWins() {
        repository.saveNew(stored(A, 0), new byte[10]).await().atMost(WAIT);
        List<Uni<Void>> saves = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            saves.add(repository.save(stored(A, i))); // queued at call time, not at subscription
        }
        Uni.join().all(saves).andFailFast().await().atMost(WAIT);
        assertEquals(300, repository.loadAll().await().atMost(WAIT).get(0).stored().settings().speedLimit());
    }

    @Test
    void aCorruptStateFileIsolatesThatTorrent() throws Exception {
        repository.saveNew(stored(A, 1), new byte[] {'d', 'e'}).await().atMost(WAIT);
        repository.saveNew(stored(B, 2), new byte[] {'d', 'e'}).await().atMost(WAIT);
        repository.saveNew(stored(C, 3), new byte[] {'d', 'e'}).await().atMost(WAIT);
        Files.writeString(repository.torrentsDir().resolve(B + ".json"), "{\"id\": \"bbbb");
        Files.delete(repository.torrentsDir().resolve(C + ".torrent"));

        List<LoadedTorrent> loaded = repository.loadAll().await().atMost(WAIT);
        assertEquals(3, loaded.size());
        assertNull(loaded.get(0).problem());
        assertEquals(stored(A, 1), loaded.get(0).stored());
        assertNull(loaded.get(1).stored());
        assertNotNull(loaded.get(1).torrentBytes());
        assertTrue(loaded.get(1).problem().contains("corrupt"), loaded.get(1).problem());
        assertNull(loaded.get(2).torrentBytes());
        assertTrue(loaded.get(2).problem().contains("missing"), loaded.get(2).problem());
        assertEquals(stored(C, 3), loaded.get(2).stored());
    }

    @Test
    void leftoverTempFilesAreDeletedAndStrangersIgnored() throws Exception {
        repository.saveNew(stored(A, 1), new byte[] {'d', 'e'}).await().atMost(WAIT);
        Path leftover = repository.torrentsDir().resolve("." + A + ".json.1234.tmp");
        Files.writeString(leftover, "{\"half");
        Files.writeString(repository.torrentsDir().resolve("notes.json"), "whatever");
        Path leftoverPreferences = Files.writeString(stateDir.resolve(".preferences.json.99.tmp"), "{");
        List<LoadedTorrent> loaded = repository.loadAll().await().atMost(WAIT);
        assertEquals(1, loaded.size());
        assertFalse(Files.exists(leftover));
        assertFalse(Files.exists(leftoverPreferences));
    }

    @Test
    void deleteForgetsTheTorrentAndPreferencesRoundTrip() {
        repository.saveNew(stored(A, 1), new byte[] {'d', 'e'}).await().atMost(WAIT);
        repository.save(stored(A, 2));
        repository.delete(A).await().atMost(WAIT); // queued behind the save: nothing is resurrected
        assertTrue(repository.loadAll().await().atMost(WAIT).isEmpty());

        assertTrue(repository.loadPreferences().await().atMost(WAIT).isEmpty());
        repository.savePreferences(new Preferences("/data/dl")).await().atMost(WAIT);
        assertEquals("/data/dl", repository.loadPreferences().await().atMost(WAIT).orElseThrow().downloadDir());
    }

    @Test
    void aProgressSaveIsReadUntilTheNextStateSaveAndABrokenOneFallsBackToTheState() throws Exception {
        byte[] bytes = {'d', 'e'};
        StoredTorrent saved = stored(A, 1);
        repository.saveNew(saved, bytes).await().atMost(WAIT);
        BitSet more = Set2.of(0, 1, 2, 9);
        StoredTorrent progress = saved.withVerified(Bitfields.toBase64(more, 10), List.of())
                .withLifecycle(TorrentLifecycle.DOWNLOADING);
        repository.saveProgress(progress).await().atMost(WAIT);
        Path progressFile = repository.torrentsDir().resolve(A + ".progress.json");
        assertTrue(Files.exists(progressFile));
        LoadedTorrent loaded = repository.loadAll().await().atMost(WAIT).get(0);
        assertEquals(progress, loaded.stored(), "the progress save is the newer one");
        assertNull(loaded.problem());

        // a power loss broke it (a renamed file whose data never reached the disk): the durable state is read
        Files.write(progressFile, new byte[0]);
        loaded = repository.loadAll().await().atMost(WAIT).get(0);
        assertEquals(saved, loaded.stored());
        assertNull(loaded.problem(), "the torrent comes back as last saved, not in error");
        assertFalse(Files.exists(progressFile), "the broken progress file is gone");

        // a state save removes the progress save before it, so an older progress can never win over it
        repository.saveProgress(progress).await().atMost(WAIT);
        StoredTorrent paused = saved.withLifecycle(TorrentLifecycle.PAUSED);
        repository.save(paused).await().atMost(WAIT);
        assertFalse(Files.exists(progressFile));
        assertEquals(paused, repository.loadAll().await().atMost(WAIT).get(0).stored());

        // deleting the torrent deletes its progress too
        repository.saveProgress(progress).await().atMost(WAIT);
        repository.delete(A).await().atMost(WAIT);
        assertTrue(repository.loadAll().await().atMost(WAIT).isEmpty());
        try (Stream<Path> left = Files.list(repository.torrentsDir())) {
            assertEquals(List.of(), left.toList());
        }
    }

    /** BitSet literal. */
    static final class Set2 {
        static BitSet of(int... bits) {
            BitSet set = new BitSet();
            for (int bit : bits) {
                set.set(bit);
            }
            return set;
        }
    }
}

package me.bittorrent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import me.bittorrent.testing.AppProcess;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * File selection through the API: one file deselected before start (POST /files/{id}), one more deselected while
 * the download runs. The selected files are complete and byte-identical; the file deselected before start never
 * appears (a hidden part file for pieces shared with selected files is allowed).
 */
class FileSelectionIT {

    static final int PIECE = 64 * 1024;

    @Test
    void onlySelectedFilesAreDownloaded() throws Exception {
        Path work = ItFiles.dir("file-selection");
        Path content = work.resolve("picked");
        long seed = System.nanoTime();
        TorrentBuilder.randomFile(content.resolve("a.bin"), 3_000_001, seed);
        TorrentBuilder.randomFile(content.resolve("docs/readme.txt"), 1000, seed + 1);
        TorrentBuilder.randomFile(content.resolve("docs/deep/empty.txt"), 0, seed + 2);
        TorrentBuilder.randomFile(content.resolve("docs/deep/er/x.dat"), 6_004_097, seed + 3);
        TorrentBuilder.randomFile(content.resolve("z/tail.bin"), 500_001, seed + 4);
        List<String> wanted = List.of("docs/readme.txt", "docs/deep/empty.txt", "z/tail.bin");

        try (Swarm swarm = Swarm.start(); AppProcess app = AppProcess.start()) {
            Path torrent = swarm.torrent(content, PIECE, swarm.tracker().url(), work.resolve("picked.torrent"));
            // slow enough (about 4 s for everything) to deselect a file while it downloads
            try (LibtorrentPeer seeder = LibtorrentPeer.seed(torrent, work).seedMode().uploadLimit(2_000_000)
                    .start()) {
                seeder.awaitReady(Duration.ofSeconds(30));
                ServiceClient api = new ServiceClient(app.baseUrl());
                String id = api.upload(torrent).path("torrent_id").asText();
                Map<String, String> paths = listedPaths(api.files(id));
                assertEquals(Set.of("a.bin", "docs/readme.txt", "docs/deep/empty.txt", "docs/deep/er/x.dat",
                        "z/tail.bin"), paths.keySet(), "files listed by GET /files");

                JsonNode selected = api.selectFiles(id, Map.of(paths.get("a.bin"), false));
                assertFalse(selectedOf(selected, paths.get("a.bin")), "a.bin deselected: " + selected);
                api.start(id);
                api.awaitStatus(id, s -> s.path("downloaded_pieces").asInt() > 0, Duration.ofSeconds(30),
                        "downloading");
                api.selectFiles(id, Map.of(paths.get("docs/deep/er/x.dat"), false));

                api.awaitFiles(id, f -> allWantedDone(f, wanted, paths), Duration.ofSeconds(60),
                        "the selected files at 100%");
                JsonNode done = api.awaitCompleted(id, Duration.ofSeconds(10));
                assertTrue(done.path("completed").asBoolean(), done.toString());

                Path downloaded = app.downloadDir().resolve("picked");
                Map<String, String> expected = new TreeMap<>();
                for (String path : wanted) {
                    expected.put(path, ItFiles.sha256(content.resolve(path)));
                }
                Map<String, String> got = new TreeMap<>(ItFiles.sha256Tree(downloaded));
                got.remove("docs/deep/er/x.dat"); // deselected mid-download: what it had may stay on disk
                assertEquals(expected, got, "the selected files, and nothing else, byte for byte");
                assertFalse(Files.exists(downloaded.resolve("a.bin")), "a.bin was never selected");
                try (var top = Files.list(app.downloadDir())) {
                    List<String> names = top.map(p -> p.getFileName().toString())
                            .filter(n -> !n.startsWith(".")).toList();
                    assertEquals(List.of("picked"), names, "nothing else in the download folder");
                }
                // a selected zero-length file is complete as soon as it exists
                JsonNode files = api.files(id);
                for (JsonNode f : files.path("files")) {
                    if (f.path("path").asText().equals(paths.get("docs/deep/empty.txt"))) {
                        assertEquals(100.0, f.path("progress").asDouble(), 0.001,
                                "GET /files progress of the selected zero-length file: " + files);
                    }
                }
            }
        }
    }

    /** Display path relative to the torrent folder ('/' separated) to the path as GET /files lists it. */
    static Map<String, String> listedPaths(JsonNode files) {
        Map<String, String> paths = new HashMap<>();
        for (JsonNode f : files.path("files")) {
            String listed = f.path("path").asText();
            String relative = listed.startsWith("picked/") ? listed.substring("picked/".length()) : listed;
            paths.put(relative, listed);
        }
        return paths;
    }

    static boolean selectedOf(JsonNode files, String listedPath) {
        for (JsonNode f : files.path("files")) {
            if (listedPath.equals(f.path("path").asText())) {
                return f.path("selected").asBoolean();
            }
        }
        throw new AssertionError(listedPath + " not listed in " + files);
    }

    static boolean allWantedDone(JsonNode files, List<String> wanted, Map<String, String> paths) {
        for (JsonNode f : files.path("files")) {
            String path = f.path("path").asText();
            boolean isWanted = wanted.stream().anyMatch(w -> paths.get(w).equals(path));
            // a zero-length file has no piece: its progress is asserted on its own at the end
            if (isWanted && f.path("size").asLong() > 0 && f.path("progress").asDouble() < 100.0) {
                return false;
            }
        }
        return true;
    }
}

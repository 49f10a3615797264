package me.bittorrent.metainfo;

import static me.bittorrent.metainfo.MetainfoParserTest.LIMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import me.bittorrent.testing.Libtorrent;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our info-hash and layout against the real libtorrent and real torrent creators. */
class MetainfoLibtorrentTest {

    @TempDir
    Path tmp;
    Path payload;

    @BeforeEach
    void payload() {
        payload = tmp.resolve("Ünïcødé payload");
        TorrentBuilder.randomFile(payload.resolve("Ünïcødé/日本語.txt"), 40_000, 1);
        TorrentBuilder.randomFile(payload.resolve("a/b/c.bin"), 70_001, 2);
        TorrentBuilder.randomFile(payload.resolve("a/empty.dat"), 0, 3);
        TorrentBuilder.randomFile(payload.resolve("z.txt"), 123, 4);
    }

    @Test
    void torrentBuilderTorrentHasLibtorrentsInfoHash() throws Exception {
        Path torrent = TorrentBuilder.of(payload).pieceLength(16384).announce("http://127.0.0.1:1/announce")
                .privateFlag(true).writeTo(tmp.resolve("builder.torrent"));
        TorrentMeta meta = MetainfoParser.parse(Files.readAllBytes(torrent), LIMIT);
        assertEquals(Libtorrent.infoHash(torrent), meta.infoHash().hex());
    }

    @Test
    void mktorrentTorrentHasLibtorrentsInfoHashAndTheFolderLayout() throws Exception {
        Path mktorrent = onPath("mktorrent");
        assumeTrue(mktorrent != null, "mktorrent is not on PATH");
        Path torrent = tmp.resolve("mk.torrent");
        Process process = new ProcessBuilder(mktorrent.toString(), "-l", "15", "-a", "udp://127.0.0.1:1/announce",
                "-o", torrent.toString(), payload.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("mktorrent.log").toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "mktorrent did not finish");
        assertEquals(0, process.exitValue(), () -> "mktorrent failed: " + read(tmp.resolve("mktorrent.log")));

        TorrentMeta meta = MetainfoParser.parse(Files.readAllBytes(torrent), LIMIT);

        assertEquals(Libtorrent.infoHash(torrent), meta.infoHash().hex());
        assertEquals("Ünïcødé payload", meta.name());
        assertEquals(32768, meta.pieceLength());
        assertEquals(110_124, meta.totalLength());
        assertEquals(List.of(List.of("udp://127.0.0.1:1/announce")), meta.announceTiers());
        List<String> paths = new ArrayList<>(meta.files().stream().map(TorrentFile::displayPath).toList());
        Collections.sort(paths);
        assertEquals(List.of("a/b/c.bin", "a/empty.dat", "z.txt", "Ünïcødé/日本語.txt"), paths);
    }

    @Test
    void unsortedInfoKeysGetLibtorrentsInfoHash() throws Exception {
        Map<String, Object> sorted = TorrentBuilder.of(payload).pieceLength(16384).infoDict();
        List<String> keys = new ArrayList<>(sorted.keySet());
        Collections.sort(keys, Collections.reverseOrder());
        Map<String, Object> unsorted = new LinkedHashMap<>();
        keys.forEach(k -> unsorted.put(k, sorted.get(k)));
        Path torrent = Files.write(tmp.resolve("unsorted.torrent"),
                TorrentBuilder.torrentWithInfo(TorrentBuilder.keepingOrder(unsorted)));

        TorrentMeta meta = MetainfoParser.parse(Files.readAllBytes(torrent), LIMIT);

        assertEquals(Libtorrent.infoHash(torrent), meta.infoHash().hex());
        assertNotEquals(TorrentBuilder.of(payload).pieceLength(16384).infoHashHex(), meta.infoHash().hex());
    }

    @Test
    void libtorrentHybridTorrentWithPaddingFiles() throws Exception {
        Path torrent = Libtorrent.createTorrent(payload, 16384, false, tmp.resolve("hybrid.torrent"));

        TorrentMeta meta = MetainfoParser.parse(Files.readAllBytes(torrent), LIMIT);

        assertEquals(Libtorrent.v1InfoHash(torrent), meta.infoHash().hex());
        assertTrue(meta.files().stream().anyMatch(TorrentFile::padding), "libtorrent 2 pads hybrid torrents");
        assertEquals(110_124, meta.visibleFiles().stream().mapToLong(TorrentFile::length).sum());
        for (TorrentFile file : meta.visibleFiles()) {
            if (file.length() > 0) {
                assertEquals(0, file.offset() % 16384, file.displayPath() + " starts on a piece boundary");
            }
        }
    }

    @Test
    void libtorrentV1OnlyTorrent() throws Exception {
        Path single = payload.resolve("a/b/c.bin");
        Path torrent = Libtorrent.createTorrent(single, 32768, true, tmp.resolve("v1.torrent"));

        TorrentMeta meta = MetainfoParser.parse(Files.readAllBytes(torrent), LIMIT);

        assertEquals(Libtorrent.infoHash(torrent), meta.infoHash().hex());
        assertEquals(List.of(new TorrentFile(List.of("c.bin"), 70_001, 0, false)), meta.files());
        assertEquals(TorrentBuilder.of(single).pieceLength(32768).infoHashHex(), meta.infoHash().hex());
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(no output)";
        }
    }
}

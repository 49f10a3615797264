package me.bittorrent.metainfo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accepted torrents: layout, names, trackers, flags and the info-hash over the raw bytes. */
class MetainfoParserTest {

    static final long LIMIT = 10 * 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void singleFileTorrent() throws Exception {
        Path file = TorrentBuilder.randomFile(tmp.resolve("movie.mkv"), 100_000, 1);
        TorrentBuilder builder = TorrentBuilder.of(file).pieceLength(32768).announce("http://127.0.0.1:6969/announce");
        byte[] bytes = builder.build();

        TorrentMeta meta = MetainfoParser.parse(bytes, LIMIT);

        assertEquals(builder.infoHashHex(), meta.infoHash().hex());
        assertEquals("movie.mkv", meta.name());
        assertFalse(meta.multiFile());
        assertEquals(List.of(new TorrentFile(List.of("movie.mkv"), 100_000, 0, false)), meta.files());
        assertEquals(100_000, meta.totalLength());
        assertEquals(32768, meta.pieceLength());
        assertEquals(4, meta.pieceCount());
        assertEquals(100_000 - 3 * 32768, meta.pieceSize(3));
        assertArrayEquals((byte[]) builder.infoDict().get("pieces"), meta.pieceHashes());
        byte[] firstPiece = Arrays.copyOf(Files.readAllBytes(file), 32768);
        assertTrue(meta.pieceHashEquals(0, TorrentBuilder.sha1(firstPiece)));
        assertEquals(List.of(List.of("http://127.0.0.1:6969/announce")), meta.announceTiers());
        assertFalse(meta.isPrivate());
        assertArrayEquals(bytes, meta.torrentBytes());
    }

    @Test
    void multiFileTorrentWithNestedNonAsciiNamesAndZeroLengthFiles() throws Exception {
        Path dir = tmp.resolve("Ünïcødé album");
        TorrentBuilder.randomFile(dir.resolve("Ünïcødé/日本語.txt"), 20_000, 1);
        TorrentBuilder.randomFile(dir.resolve("a/b/c.bin"), 5_000, 2);
        TorrentBuilder.randomFile(dir.resolve("a/empty.dat"), 0, 3);
        TorrentBuilder.randomFile(dir.resolve("z.txt"), 0, 4);
        TorrentBuilder builder = TorrentBuilder.of(dir).pieceLength(16384);

        TorrentMeta meta = MetainfoParser.parse(builder.build(), LIMIT);

        assertTrue(meta.multiFile());
        assertEquals("Ünïcødé album", meta.name());
        assertEquals(new TorrentFile(List.of("Ünïcødé", "日本語.txt"), 20_000, 5_000, false), meta.files().get(3));
        assertEquals(List.of("a/b/c.bin", "a/empty.dat", "z.txt", "Ünïcødé/日本語.txt"),
                meta.files().stream().map(TorrentFile::displayPath).toList());
        assertEquals(List.of(0L, 5_000L, 5_000L, 5_000L), meta.files().stream().map(TorrentFile::offset).toList());
        assertEquals(25_000, meta.totalLength());
        assertEquals(2, meta.pieceCount());
        assertEquals(builder.infoHashHex(), meta.infoHash().hex());
        assertEquals(List.of(), meta.announceTiers());
    }

    @Test
    void prefersNameUtf8AndPathUtf8() throws Exception {
        Map<String, Object> info = validMultiFileInfo();
        info.put("name", latin1("Caf\u00e9"));
        info.put("name.utf-8", "Café");
        Map<String, Object> file = file(List.of(latin1("d\u00e9j\u00e0"), "vu.txt"), 10);
        file.put("path.utf-8", List.of("déjà", "vu.txt"));
        info.put("files", List.of(file));

        TorrentMeta meta = MetainfoParser.parse(TorrentBuilder.torrentWithInfo(info), LIMIT);

        assertEquals("Café", meta.name());
        assertEquals(List.of("déjà", "vu.txt"), meta.files().get(0).path());
    }

    @Test
    void paddingFilesStayInTheLayoutButAreHidden() throws Exception {
        Map<String, Object> info = validMultiFileInfo();
        Map<String, Object> pad1 = file(List.of(".pad", "6384"), 6384);
        pad1.put("attr", "p");
        Map<String, Object> pad2 = file(List.of(".pad", "6384"), 6384); // creators reuse pad names
        pad2.put("attr", "p");
        Map<String, Object> executable = file(List.of("run.sh"), 10_000);
        executable.put("attr", "x");
        info.put("files", List.of(file(List.of("a.bin"), 10_000), pad1, executable, pad2, file(List.of("b"), 1)));
        info.put("pieces", new byte[3 * 20]);

        TorrentMeta meta = MetainfoParser.parse(TorrentBuilder.torrentWithInfo(info), LIMIT);

        assertEquals(List.of(0L, 10_000L, 16_384L, 26_384L, 32_768L),
                meta.files().stream().map(TorrentFile::offset).toList());
        assertEquals(List.of(false, true, false, true, false),
                meta.files().stream().map(TorrentFile::padding).toList());
        assertEquals(List.of("a.bin", "run.sh", "b"), meta.visibleFiles().stream().map(TorrentFile::displayPath).toList());
        assertEquals(32_769, meta.totalLength());
    }

    @Test
    void announceListTiersFollowBep12AndSkipUnusableUrls() throws Exception {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("announce", "http://lone.example/announce");
        top.put("announce-list", List.of(
                List.of("http://a.example/announce", " udp://b.example:6969 "),
                List.of(""),
                List.of("not a url", "tracker-without-scheme"),
                List.of("http://a.example/announce"),
                "not a tier",
                List.of(42L, "https://c.example/announce")));
        top.put("info", validMultiFileInfo());

        TorrentMeta meta = MetainfoParser.parse(TorrentBuilder.encode(top), LIMIT);

        assertEquals(List.of(
                List.of("http://a.example/announce", "udp://b.example:6969"),
                List.of("https://c.example/announce")), meta.announceTiers());
    }

    @Test
    void aLoneAnnounceIsOneTierAndAnUnusableListFallsBackToIt() throws Exception {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("announce", "udp://lone.example:1337/announce");
        top.put("announce-list", List.of(List.of(""), List.of()));
        top.put("info", validMultiFileInfo());
        assertEquals(List.of(List.of("udp://lone.example:1337/announce")),
                MetainfoParser.parse(TorrentBuilder.encode(top), LIMIT).announceTiers());

        top.put("announce", 12L);
        top.remove("announce-list");
        assertEquals(List.of(), MetainfoParser.parse(TorrentBuilder.encode(top), LIMIT).announceTiers());
    }

    @Test
    void privateFlag() throws Exception {
        Path file = TorrentBuilder.randomFile(tmp.resolve("p.bin"), 1000, 1);
        assertTrue(MetainfoParser.parse(TorrentBuilder.of(file).privateFlag(true).build(), LIMIT).isPrivate());
        assertFalse(MetainfoParser.parse(TorrentBuilder.of(file).build(), LIMIT).isPrivate());
        Map<String, Object> info = TorrentBuilder.of(file).infoDict();
        info.put("private", 0L);
        assertFalse(MetainfoParser.parse(TorrentBuilder.torrentWithInfo(info), LIMIT).isPrivate());
    }

    @Test
    void infoHashIsOverTheRawBytesWhenKeysAreUnsorted() throws Exception {
        Path file = TorrentBuilder.randomFile(tmp.resolve("u.bin"), 50_000, 1);
        Map<String, Object> sorted = TorrentBuilder.of(file).infoDict();
        List<String> reversed = new ArrayList<>(sorted.keySet().stream().sorted().toList());
        java.util.Collections.reverse(reversed);
        Map<String, Object> unsorted = new LinkedHashMap<>();
        reversed.forEach(k -> unsorted.put(k, sorted.get(k)));
        byte[] rawInfo = TorrentBuilder.encode(TorrentBuilder.keepingOrder(unsorted));
        byte[] bytes = TorrentBuilder.torrentWithInfo(TorrentBuilder.keepingOrder(unsorted));
        assertTrue(new String(rawInfo, StandardCharsets.ISO_8859_1).startsWith("d6:pieces"));

        TorrentMeta meta = MetainfoParser.parse(bytes, LIMIT);

        assertArrayEquals(TorrentBuilder.sha1(rawInfo), meta.infoHash().bytes());
        assertNotEquals(TorrentBuilder.of(file).infoHashHex(), meta.infoHash().hex());
        assertEquals(50_000, meta.totalLength());
    }

    @Test
    void aPieceLengthOf64MiBIsAccepted() throws Exception {
        Map<String, Object> info = validMultiFileInfo();
        info.put("piece length", 64L * 1024 * 1024);
        assertEquals(64 * 1024 * 1024, MetainfoParser.parse(TorrentBuilder.torrentWithInfo(info), LIMIT).pieceLength());
    }

    /** A valid multi-file info dictionary of one 10-byte file "x.txt", pieces of 16 KiB. */
    static Map<String, Object> validMultiFileInfo() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", "folder");
        info.put("piece length", 16384L);
        info.put("pieces", new byte[20]);
        info.put("files", List.of(file(List.of("x.txt"), 10)));
        return info;
    }

    static Map<String, Object> file(List<?> path, long length) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("length", length);
        file.put("path", path);
        return file;
    }

    /** Bytes that are not UTF-8 (ISO-8859-1), as old clients wrote them. */
    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}

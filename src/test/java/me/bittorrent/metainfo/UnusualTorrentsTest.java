package me.bittorrent.metainfo;

import static me.bittorrent.metainfo.MetainfoParserTest.LIMIT;
import static me.bittorrent.metainfo.MetainfoParserTest.file;
import static me.bittorrent.metainfo.MetainfoParserTest.validMultiFileInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 10: torrents libtorrent loads are loaded here too, with names made safe the way libtorrent makes
 * them (duplicates renamed, long names shortened keeping the extension, control characters replaced).
 */
class UnusualTorrentsTest {

    private static TorrentMeta parse(Map<String, Object> info) throws InvalidTorrentException {
        return MetainfoParser.parse(TorrentBuilder.torrentWithInfo(info), LIMIT);
    }

    private static List<String> paths(TorrentMeta meta) {
        return meta.files().stream().filter(f -> !f.padding()).map(TorrentFile::displayPath).toList();
    }

    @Test
    void duplicatePathsAreRenamedLikeLibtorrent() throws Exception {
        Map<String, Object> info = validMultiFileInfo();
        info.put("files", List.of(file(List.of("a", "b.txt"), 5), file(List.of("c"), 1), file(List.of("a", "b.txt"), 4),
                file(List.of("a", "b.txt"), 3), file(List.of("c"), 1)));
        assertEquals(List.of("a/b.txt", "c", "a/b.1.txt", "a/b.2.txt", "c.1"), paths(parse(info)));
    }

    @Test
    void aFileNamedLikeAnotherFilesFolderIsRenamed() throws Exception {
        Map<String, Object> info = validMultiFileInfo();
        info.put("files", List.of(file(List.of("a", "b", "c"), 5), file(List.of("a", "b"), 5)));
        assertEquals(List.of("a/b/c", "a/b.1"), paths(parse(info)));
        info.put("files", List.of(file(List.of("a", "b"), 5), file(List.of("a", "b", "c"), 5)));
        assertEquals(List.of("a/b.1", "a/b/c"), paths(parse(info)));
    }

    @Test
    void aNameOverTheFileSystemLimitIsShortenedKeepingItsExtension() throws Exception {
        String longName = "é".repeat(200) + ".mkv"; // 404 bytes of UTF-8: no file system holds it
        Map<String, Object> info = validMultiFileInfo();
        info.put("name", "x".repeat(300));
        info.put("files", List.of(file(List.of(longName), 10)));
        TorrentMeta meta = parse(info);
        String shortened = meta.files().get(0).path().get(0);
        assertEquals("é".repeat(118) + ".mkv", shortened);
        assertTrue(shortened.getBytes(StandardCharsets.UTF_8).length <= 240);
        assertEquals("x".repeat(240), meta.name());
    }

    @Test
    void controlCharactersAndDirectionOverridesInNamesAreMadeSafe() throws Exception {
        Map<String, Object> info = validMultiFileInfo();
        info.put("name", "evil\r\n2026 INFO forged\u001b[2J");
        info.put("files", List.of(file(List.of("photo\u202egpj.exe"), 10)));
        TorrentMeta meta = parse(info);
        assertEquals("evil__2026 INFO forged_[2J", meta.name());
        assertEquals("photogpj.exe", meta.files().get(0).path().get(0));
    }

    @Test
    void aPaddingFileWithoutAPathIsLoaded() throws Exception {
        Map<String, Object> pad = new LinkedHashMap<>();
        pad.put("attr", "p");
        pad.put("length", 16374L);
        Map<String, Object> info = validMultiFileInfo();
        info.put("files", List.of(file(List.of("x.txt"), 10), pad, file(List.of("y.txt"), 10)));
        info.put("pieces", new byte[40]);
        TorrentMeta meta = parse(info);
        assertEquals(List.of("x.txt", "y.txt"), paths(meta));
        assertEquals(List.of(".pad", "16374"), meta.files().get(1).path());
        assertEquals(16384 + 10, meta.totalLength());
    }

    @Test
    void aSymlinkEntryIsNotCountedAsData() throws Exception {
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("attr", "l");
        link.put("length", 1_000_000L); // ignored, as libtorrent ignores it
        link.put("path", List.of("link"));
        link.put("symlink path", List.of("..", "..", "etc", "passwd"));
        Map<String, Object> info = validMultiFileInfo();
        info.put("files", List.of(file(List.of("x.txt"), 10), link));
        TorrentMeta meta = parse(info);
        assertEquals(10, meta.totalLength(), "a symlink takes no space in the payload");
        assertEquals(List.of("x.txt"), paths(meta), "the link is not created (it could point anywhere)");
    }

    @Test
    void piecesAboveTheOld64MiBAreAcceptedUpToTheLimit() throws Exception {
        long limit = MetainfoParser.maxPieceLength();
        Map<String, Object> info = validMultiFileInfo();
        info.put("piece length", limit);
        assertEquals(limit, parse(info).pieceLength());
    }
}

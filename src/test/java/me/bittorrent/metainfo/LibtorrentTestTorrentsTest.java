package me.bittorrent.metainfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * libtorrent's own test torrents (test/test_torrents of arvidn/libtorrent, BSD licence beside them in
 * src/test/resources/libtorrent-test-torrents): the v1 ones libtorrent loads load here too, and the ones it
 * refuses are refused here (test_torrent_info.cpp's two lists). The few we refuse though libtorrent loads are
 * listed with the reason: they would escape the download folder or write where they should not.
 */
class LibtorrentTestTorrentsTest {

    private static final long LIMIT = 10L * 1024 * 1024;

    /** Loaded by libtorrent, refused here on purpose, with the start of our message. */
    static final Map<String, String> REFUSED_ON_PURPOSE = Map.ofEntries(
            // '..' and '/' inside names: libtorrent strips them; we refuse, so nothing can even try to escape
            Map.entry("absolute_filename.torrent", "The file path '/foobar' contains a name with a slash"),
            Map.entry("backslash_path.torrent", "The file path '\\/\\/bar' contains a name with a slash"),
            Map.entry("hidden_parent_path.torrent", "The file path 'foo/../../../bar/bar' contains a name with a"),
            Map.entry("invalid_directory_name.torrent", "The file path '//foo' contains a name with a slash"),
            Map.entry("invalid_name2.torrent", "The torrent name '..' contains '..'"),
            Map.entry("parent_path.torrent", "The file path '../../bar' contains '..'"),
            Map.entry("slash_path.torrent", "The file path '////bar' contains a name with a slash"),
            Map.entry("slash_path2.torrent", "The file path 'abc/../../def///bar' contains a name with a slash"),
            Map.entry("slash_path3.torrent", "The torrent name 'temp/../../abc' contains a name with a slash"),
            Map.entry("symlink_filtered_path.torrent", "The file path 'a///bar' contains a name with a slash"),
            // a backslash in a name (Windows-made torrents): libtorrent drops it, we refuse it
            Map.entry("invalid_filename.torrent", "The torrent name '\\est2' contains a name with a slash or"),
            Map.entry("invalid_filename2.torrent", "The torrent name '\\est2' contains a name with a slash or"),
            // an empty path element: libtorrent names it '_', we refuse it
            Map.entry("empty_path.torrent", "The file path '/' contains an empty name"),
            Map.entry("empty_path_multi.torrent", "The file path '' contains an empty name"));

    static Stream<String> good() {
        return list("good");
    }

    static Stream<String> bad() {
        return list("bad");
    }

    private static Stream<String> list(String kind) {
        try (InputStream in = LibtorrentTestTorrentsTest.class.getResourceAsStream("/libtorrent-test-torrents/"
                + kind + "/index.txt")) {
            return new String(in.readAllBytes()).lines().filter(l -> !l.isBlank()).toList().stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] read(String kind, String name) throws IOException {
        try (InputStream in = LibtorrentTestTorrentsTest.class.getResourceAsStream("/libtorrent-test-torrents/"
                + kind + "/" + name)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("good")
    void whatLibtorrentLoadsLoads(String name) throws Exception {
        byte[] bytes = read("good", name);
        String refusal = REFUSED_ON_PURPOSE.get(name);
        if (refusal != null) {
            String message = assertThrows(InvalidTorrentException.class, () -> MetainfoParser.parse(bytes, LIMIT))
                    .getMessage();
            assertTrue(message.startsWith(refusal), message);
            return;
        }
        TorrentMeta meta = MetainfoParser.parse(bytes, LIMIT);
        assertTrue(meta.totalLength() > 0);
        for (TorrentFile f : meta.files()) {
            for (String element : f.path()) {
                assertTrue(PathRules.problemWith(element) == null, name + ": " + f.path());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void whatLibtorrentRefusesIsRefused(String name) throws Exception {
        byte[] bytes = read("bad", name);
        String message = assertThrows(InvalidTorrentException.class, () -> MetainfoParser.parse(bytes, LIMIT),
                name).getMessage();
        assertTrue(!message.isBlank());
    }

    @org.junit.jupiter.api.Test
    void duplicateFilesAreRenamedAsLibtorrentRenamesThem() throws Exception {
        TorrentMeta meta = MetainfoParser.parse(read("good", "duplicate_files.torrent"), LIMIT);
        assertEquals("foo/bar.txt", meta.files().get(0).displayPath());
        assertEquals("foo/bar.1.txt", meta.files().get(1).displayPath());
    }
}

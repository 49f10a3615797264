package me.bittorrent.metainfo;

import static me.bittorrent.metainfo.MetainfoParserTest.LIMIT;
import static me.bittorrent.metainfo.MetainfoParserTest.file;
import static me.bittorrent.metainfo.MetainfoParserTest.validMultiFileInfo;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a .torrent is refused, each with the message a user would read. */
class MetainfoRejectionTest {

    private static String rejection(byte[] bytes, long limit) {
        return assertThrows(InvalidTorrentException.class, () -> MetainfoParser.parse(bytes, limit)).getMessage();
    }

    private static String rejection(Map<String, ?> info) {
        return rejection(TorrentBuilder.torrentWithInfo(info), LIMIT);
    }

    private static String rejectionOfValidInfo(Consumer<Map<String, Object>> change) {
        Map<String, Object> info = validMultiFileInfo();
        change.accept(info);
        return rejection(info);
    }

    private static Map<String, Object> singleFileInfo(long length) {
        Map<String, Object> info = validMultiFileInfo();
        info.remove("files");
        info.put("name", "one.bin");
        info.put("length", length);
        return info;
    }

    @Test
    void tooLargeForTheLimit() {
        assertEquals("The .torrent file is larger than the 10 MiB limit", rejection(new byte[10 * 1024 * 1024 + 1], LIMIT));
        assertEquals("The .torrent file is larger than the 512 KiB limit", rejection(new byte[512 * 1024 + 1], 512 * 1024));
        assertEquals("The .torrent file is larger than the 1000 bytes limit", rejection(new byte[1001], 1000));
    }

    @Test
    void notBencodeAtAll() {
        assertEquals("The .torrent file is not valid bencode: unexpected character '<' (at byte 0)",
                rejection("<html>not a torrent</html>".getBytes(), LIMIT));
    }

    @Test
    void trailingGarbageAfterTheTopLevelDictionary() {
        byte[] valid = TorrentBuilder.torrentWithInfo(validMultiFileInfo());
        byte[] withGarbage = java.util.Arrays.copyOf(valid, valid.length + 1);
        withGarbage[valid.length] = 'x';
        assertEquals("The .torrent file has extra data after its end (at byte " + valid.length + ")",
                rejection(withGarbage, LIMIT));
    }

    @Test
    void aTrailingNewlineAfterTheDictionaryIsAcceptedAsLibtorrentDoes() throws Exception {
        byte[] valid = TorrentBuilder.torrentWithInfo(validMultiFileInfo());
        byte[] withNewline = java.util.Arrays.copyOf(valid, valid.length + 2);
        withNewline[valid.length] = '\r';
        withNewline[valid.length + 1] = '\n';
        assertEquals(MetainfoParser.parse(valid, LIMIT).infoHash(), MetainfoParser.parse(withNewline, LIMIT).infoHash());
    }

    @Test
    void missingOrMistypedInfo() {
        assertEquals("The torrent has no 'info' dictionary",
                rejection(TorrentBuilder.encode(Map.of("announce", "http://x/announce")), LIMIT));
        assertEquals("'info' in the torrent is not a dictionary",
                rejection(TorrentBuilder.encode(Map.of("info", List.of())), LIMIT));
    }

    @Test
    void missingKeysAreNamed() {
        assertEquals("The torrent is missing 'name' in the info dictionary", rejectionOfValidInfo(i -> i.remove("name")));
        assertEquals("The torrent is missing 'piece length' in the info dictionary",
                rejectionOfValidInfo(i -> i.remove("piece length")));
        assertEquals("The torrent is missing 'pieces' in the info dictionary", rejectionOfValidInfo(i -> i.remove("pieces")));
        assertEquals("The torrent is missing 'length' in the info dictionary", rejectionOfValidInfo(i -> i.remove("files")));
        assertEquals("The torrent is missing 'length' in file 2 of 'files'", rejectionOfValidInfo(i -> i.put("files",
                List.of(file(List.of("a"), 1), Map.of("path", List.of("b"))))));
        assertEquals("The torrent is missing 'path' in file 1 of 'files'",
                rejectionOfValidInfo(i -> i.put("files", List.of(Map.of("length", 1L)))));
    }

    @Test
    void mistypedKeysAreNamed() {
        assertEquals("'name' in the info dictionary is not a string", rejectionOfValidInfo(i -> i.put("name", 5L)));
        assertEquals("'piece length' in the info dictionary is not an integer",
                rejectionOfValidInfo(i -> i.put("piece length", "16384")));
        assertEquals("'pieces' in the info dictionary is not a string", rejectionOfValidInfo(i -> i.put("pieces", 1L)));
        assertEquals("'files' in the info dictionary is not a list", rejectionOfValidInfo(i -> i.put("files", "x")));
        assertEquals("Entry 1 of 'files' is not a dictionary", rejectionOfValidInfo(i -> i.put("files", List.of("x"))));
        assertEquals("'length' in file 1 of 'files' is not an integer",
                rejectionOfValidInfo(i -> i.put("files", List.of(Map.of("length", "1", "path", List.of("a"))))));
        assertEquals("'path' in file 1 of 'files' is not a list of strings",
                rejectionOfValidInfo(i -> i.put("files", List.of(file(List.of("a", 1L), 1)))));
        assertEquals("'path' in file 1 of 'files' is not a list of strings",
                rejectionOfValidInfo(i -> i.put("files", List.of(Map.of("length", 1L, "path", "a/b")))));
        Map<String, Object> single = singleFileInfo(10);
        single.put("length", "10");
        assertEquals("'length' in the info dictionary is not an integer", rejection(single));
    }

    @Test
    void bothLengthAndFiles() {
        assertEquals("The info dictionary has both 'length' and 'files'", rejectionOfValidInfo(i -> i.put("length", 10L)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -2, Long.MAX_VALUE})
    void pieceLengthNotPositiveOrAboveTheLimit(long value) {
        long limit = MetainfoParser.maxPieceLength();
        long pieceLength = value == -2 ? limit + 1 : value;
        String message = rejectionOfValidInfo(i -> i.put("piece length", pieceLength));
        assertEquals(true, message.startsWith("The piece length must be between 1 byte and "
                + MetainfoParser.human(limit) + ", not " + pieceLength), message);
        assertEquals(true, limit >= 64L << 20 && limit <= 512L << 20, "limit " + limit);
    }

    @Test
    void piecesNotAMultipleOf20() {
        assertEquals("'pieces' must be a multiple of 20 bytes long, not 21",
                rejectionOfValidInfo(i -> i.put("pieces", new byte[21])));
    }

    @Test
    void pieceCountNotMatchingTheLength() {
        assertEquals("The torrent has 2 piece hashes, but its 10 bytes in pieces of 16384 bytes need 1",
                rejectionOfValidInfo(i -> i.put("pieces", new byte[40])));
        assertEquals("The torrent has 0 piece hashes, but its 10 bytes in pieces of 16384 bytes need 1",
                rejectionOfValidInfo(i -> i.put("pieces", new byte[0])));
        assertEquals("The torrent has 1 piece hashes, but its 16385 bytes in pieces of 16384 bytes need 2",
                rejection(singleFileInfo(16385)));
    }

    @Test
    void negativeLengths() {
        assertEquals("The file length is negative (-1)", rejection(singleFileInfo(-1)));
        assertEquals("The length of file 2 of 'files' is negative (-5)",
                rejectionOfValidInfo(i -> i.put("files", List.of(file(List.of("a"), 10), file(List.of("b"), -5)))));
    }

    @Test
    void lengthsWhoseSumOverflows() {
        assertEquals("The file lengths add up to more than a 64-bit number can hold",
                rejectionOfValidInfo(i -> i.put("files",
                        List.of(file(List.of("a"), Long.MAX_VALUE / 2 + 1), file(List.of("b"), Long.MAX_VALUE / 2 + 1)))));
    }

    @Test
    void noData() {
        assertEquals("The torrent contains no data", rejection(singleFileInfo(0)));
        assertEquals("The torrent contains no data", rejectionOfValidInfo(i -> i.put("files", List.of())));
        assertEquals("The torrent contains no data",
                rejectionOfValidInfo(i -> i.put("files", List.of(file(List.of("a"), 0), file(List.of("b"), 0)))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "/etc", "a\\b", "nul\0byte", "C:", "c:evil", "Z:\\x"})
    void unsafePathElementsAreRefused(String element) {
        String message = rejectionOfValidInfo(i -> i.put("files", List.of(file(List.of("ok", element), 1))));
        assertEquals(true, message.startsWith("The file path 'ok/"), message);
        assertEquals(true, message.contains(expectedProblem(element)), message);

        String nameMessage = rejectionOfValidInfo(i -> i.put("name", element));
        assertEquals(true, nameMessage.startsWith("The torrent name '"), nameMessage);
        assertEquals(true, nameMessage.contains(expectedProblem(element)), nameMessage);
    }

    private static String expectedProblem(String element) {
        if (element.isEmpty()) {
            return "contains an empty name";
        }
        if (element.equals(".") || element.equals("..")) {
            return "contains '" + element + "', which could point outside the download folder";
        }
        if (element.contains("/") || element.contains("\\")) {
            return "contains a name with a slash or backslash in it";
        }
        if (element.contains("\0")) {
            return "contains a NUL character";
        }
        return "contains a drive letter (" + element.substring(0, 2) + "), which makes it an absolute path";
    }

    @Test
    void unsafeNameOfASingleFileTorrent() {
        Map<String, Object> info = singleFileInfo(10);
        info.put("name", "..");
        assertEquals("The torrent name '..' contains '..', which could point outside the download folder",
                rejection(info));
        info.put("name", "ok");
        info.put("name.utf-8", "../../etc/passwd");
        assertEquals("The torrent name '../../etc/passwd' contains a name with a slash or backslash in it",
                rejection(info));
    }

    @Test
    void anUnsafePathUtf8IsRefusedEvenWhenPathIsSafe() {
        Map<String, Object> entry = file(List.of("fine.txt"), 10);
        entry.put("path.utf-8", List.of("..", "escape.txt"));
        assertEquals("The file path '../escape.txt' contains '..', which could point outside the download folder",
                rejectionOfValidInfo(i -> i.put("files", List.of(entry))));
    }

    @Test
    void anEmptyPathIsRefused() {
        assertEquals("The file path is empty", rejectionOfValidInfo(i -> i.put("files", List.of(file(List.of(), 10)))));
    }

    @Test
    void messagesShowControlCharactersReadably() {
        assertEquals("The file path 'ok/nul\\u0000byte' contains a NUL character",
                rejectionOfValidInfo(i -> i.put("files", List.of(file(List.of("ok", "nul\0byte"), 1)))));
    }

    @Test
    void pathsCompareCaseSensitively() {
        Map<String, Object> info = validMultiFileInfo();
        info.put("files", List.of(file(List.of("Readme"), 5), file(List.of("README"), 5), file(List.of("readme", "x"), 1)));
        assertDoesNotThrow(() -> MetainfoParser.parse(TorrentBuilder.torrentWithInfo(info), LIMIT));
    }

    @Test
    void v2OnlyTorrentsAreNamedAsSuch() {
        Map<String, Object> info = validMultiFileInfo();
        info.remove("pieces");
        info.put("meta version", 2L);
        assertEquals("BitTorrent v2-only torrents are not supported (no 'pieces')", rejection(info));
    }

    @Test
    void hostileInfoWithDuplicateKeysIsRefused() {
        // Built by hand: a map cannot hold the same key twice.
        String info = "d6:lengthi10e6:lengthi20e4:name1:x12:piece lengthi16384e6:pieces20:" + "x".repeat(20) + "e";
        String message = rejection(("d4:info" + info + "e").getBytes(), LIMIT);
        assertEquals("The .torrent file is not valid bencode: a dictionary has the same key twice (length) (at byte 20)",
                message);
    }

    @Test
    void mistypedOptionalTrackerKeysAreIgnoredNotRefused() {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("announce", List.of("x"));
        top.put("announce-list", "http://x/announce");
        top.put("info", validMultiFileInfo());
        assertDoesNotThrow(() -> MetainfoParser.parse(TorrentBuilder.encode(top), LIMIT));
    }
}

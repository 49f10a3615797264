package me.bittorrent.storage;

import static me.bittorrent.storage.TestTorrent.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is ever written outside the download folder, whatever the torrent or the disk looks like. */
class PieceStoreSafetyTest {

    @TempDir
    Path temp;
    Path downloads;
    Path outside;

    @BeforeEach
    void folders() throws IOException {
        downloads = Files.createDirectory(temp.resolve("downloads"));
        outside = Files.createDirectory(temp.resolve("outside"));
    }

    @Test
    void dotDotPathElementIsRefused() throws Exception {
        TestTorrent t = TestTorrent.multi("evil", 16, file(10, "ok.bin"), file(10, "..", "..", "escaped.bin"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PieceStore(t.meta(), downloads, t.all(), false));
        assertTrue(e.getMessage().contains(".."), e.getMessage());
        assertNothingOutside();
        assertEmpty(downloads);
    }

    @Test
    void absoluteOrClimbingNamesAreRefused() throws Exception {
        for (String name : List.of(outside.resolve("abs.bin").toString(), "..", ".", "", "a/../../b", "../x")) {
            TestTorrent single = TestTorrent.single(name, 16, 20);
            assertThrows(IllegalArgumentException.class, () -> new PieceStore(single.meta(), downloads, single.all(), false),
                    "single-file name '" + name + "'");
            TestTorrent multi = TestTorrent.multi(name, 16, file(20, "x.bin"));
            assertThrows(IllegalArgumentException.class, () -> new PieceStore(multi.meta(), downloads, multi.all(), false),
                    "folder name '" + name + "'");
        }
        assertNothingOutside();
        assertEmpty(downloads);
    }

    @Test
    void absoluteFileElementIsRefused() throws Exception {
        TestTorrent t = TestTorrent.multi("t", 16, file(10, outside.toString(), "x.bin"));
        assertThrows(IllegalArgumentException.class, () -> new PieceStore(t.meta(), downloads, t.all(), false));
        assertNothingOutside();
    }

    @Test
    void symlinkedFolderPointingOutsideIsRefused() throws Exception {
        TestTorrent t = TestTorrent.multi("t", 16, file(10, "a.bin"), file(10, "sub", "b.bin"));
        Files.createDirectories(downloads.resolve("t"));
        Files.createSymbolicLink(downloads.resolve("t/sub"), outside);
        try (PieceStore store = new PieceStore(t.meta(), downloads, t.all(), false)) {
            IOException e = assertThrows(IOException.class, () -> store.writePiece(0, t.content(), 0));
            assertTrue(e.getMessage().contains("outside"), e.getMessage());
            assertThrows(IOException.class, () -> store.readBlock(0, 10, 6, new byte[6], 0));
        }
        assertNothingOutside();
    }

    @Test
    void symlinkedDownloadSubfolderOutsideIsRefusedEvenWhenDeep() throws Exception {
        TestTorrent t = TestTorrent.multi("t", 16, file(20, "deep", "er", "b.bin"));
        Files.createSymbolicLink(downloads.resolve("t"), outside);
        try (PieceStore store = new PieceStore(t.meta(), downloads, t.all(), false)) {
            assertThrows(IOException.class, () -> store.writePiece(0, t.content(), 0));
        }
        assertNothingOutside();
    }

    @Test
    void symlinkedFilePointingOutsideIsRefused() throws Exception {
        TestTorrent t = TestTorrent.single("movie.bin", 16, 20);
        Path victim = Files.writeString(outside.resolve("victim.txt"), "precious");
        Files.createSymbolicLink(downloads.resolve("movie.bin"), victim);
        Files.createSymbolicLink(downloads.resolve("." + t.meta().infoHash().hex() + ".parts"), outside.resolve("made.parts"));
        try (PieceStore store = new PieceStore(t.meta(), downloads, t.all(), false)) {
            assertThrows(IOException.class, () -> store.writePiece(0, t.content(), 0));
            store.deleteFiles(); // removes the links, never their targets
        }
        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.exists(outside.resolve("made.parts")));
        assertFalse(Files.exists(downloads.resolve("movie.bin"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void linksThatStayInsideTheDownloadFolderAreFollowed() throws Exception {
        TestTorrent t = TestTorrent.multi("t", 16, file(10, "a.bin"), file(10, "sub", "b.bin"));
        Path real = Files.createDirectories(downloads.resolve("elsewhere"));
        Files.createDirectories(downloads.resolve("t"));
        Files.createSymbolicLink(downloads.resolve("t/sub"), real);
        try (PieceStore store = new PieceStore(t.meta(), downloads, t.all(), false)) {
            t.writeAll(store);
            assertEquals(2, store.checkAll().cardinality());
        }
        assertArrayEquals(t.fileBytes(1), Files.readAllBytes(real.resolve("b.bin")));
    }

    @Test
    void deleteFilesDoesNotFollowAFolderLinkOutside() throws Exception {
        TestTorrent t = TestTorrent.multi("t", 16, file(10, "a.bin"), file(10, "sub", "b.bin"));
        try (PieceStore store = new PieceStore(t.meta(), downloads, t.all(), false)) {
            t.writeAll(store);
        }
        // the user swaps the folder for a link to somewhere else that holds a file of the same name
        Path sub = downloads.resolve("t/sub");
        Files.delete(sub.resolve("b.bin"));
        Files.delete(sub);
        Path theirs = Files.writeString(outside.resolve("b.bin"), "theirs");
        Files.createSymbolicLink(sub, outside);
        try (PieceStore store = new PieceStore(t.meta(), downloads, t.all(), false)) {
            store.deleteFiles();
        }
        assertEquals("theirs", Files.readString(theirs));
        assertFalse(Files.exists(downloads.resolve("t/a.bin")));
    }

    private void assertNothingOutside() throws IOException {
        assertEmpty(outside);
        try (Stream<Path> top = Files.list(temp)) {
            assertEquals(List.of("downloads", "outside"), top.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(Files.exists(temp.getParent().resolve("escaped.bin")));
    }

    private static void assertEmpty(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            assertEquals(List.of(), s.toList(), folder + " should be empty");
        }
    }
}

package me.bittorrent.storage;

import static me.bittorrent.storage.TestTorrent.file;
import static me.bittorrent.storage.TestTorrent.pad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;
import me.bittorrent.metainfo.TorrentFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PieceStoreTest {

    @TempDir
    Path dir;

    /** 64-byte pieces; a piece spanning 3 files, nested folders, an empty file, a short last piece. */
    private static TestTorrent nested() {
        return TestTorrent.multi("album", 64,
                file(100, "a.bin"),
                file(10, "sub", "b.bin"),
                file(30, "sub", "deeper", "c.bin"),
                file(0, "sub", "empty.txt"),
                file(150, "d.bin"));
    }

    @Test
    void writingEveryPieceGivesByteIdenticalFilesInNestedFolders() throws Exception {
        TestTorrent t = nested();
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            t.writeAll(store);
        }
        Path top = dir.resolve("album");
        assertArrayEquals(t.fileBytes(0), Files.readAllBytes(top.resolve("a.bin")));
        assertArrayEquals(t.fileBytes(1), Files.readAllBytes(top.resolve("sub/b.bin")));
        assertArrayEquals(t.fileBytes(2), Files.readAllBytes(top.resolve("sub/deeper/c.bin")));
        assertEquals(0, Files.size(top.resolve("sub/empty.txt")), "a selected empty file is created");
        assertArrayEquals(t.fileBytes(4), Files.readAllBytes(top.resolve("d.bin")));
        assertFalse(Files.exists(dir.resolve("." + t.meta().infoHash().hex() + ".parts")), "no part file when all is selected");
    }

    @Test
    void singleFileTorrentLivesAtItsName() throws Exception {
        TestTorrent t = TestTorrent.single("movie.mkv", 32, 100);
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            t.writeAll(store);
            assertEquals(dir.resolve("movie.mkv"), store.pathOf(0));
        }
        assertArrayEquals(t.content(), Files.readAllBytes(dir.resolve("movie.mkv")));
    }

    @Test
    void readBlockAcrossFileBoundariesReturnsTheOriginalBytes() throws Exception {
        TestTorrent t = nested();
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            t.writeAll(store);
        }
        // a fresh store: everything is read back from disk, not from anything cached
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            int[][] blocks = {{1, 30, 20}, {1, 0, 64}, {1, 44, 20}, {0, 0, 64}, {4, 0, 34}, {4, 10, 24}, {2, 60, 4}};
            for (int[] b : blocks) {
                byte[] dst = new byte[b[2] + 7];
                store.readBlock(b[0], b[1], b[2], dst, 7);
                int from = t.pieceOffset(b[0]) + b[1];
                assertArrayEquals(Arrays.copyOfRange(t.content(), from, from + b[2]), Arrays.copyOfRange(dst, 7, dst.length),
                        "piece " + b[0] + " begin " + b[1] + " length " + b[2]);
            }
            assertThrows(IllegalArgumentException.class, () -> store.readBlock(4, 30, 5, new byte[5], 0));
        }
    }

    @Test
    void readBlockIntoADirectBufferFillsExactlyItsRemainingBytesAcrossFilesPaddingAndThePartFile() throws Exception {
        TestTorrent t = nested();
        boolean[] sel = {true, false, false, true, true}; // b.bin and c.bin live in the part file
        try (PieceStore store = new PieceStore(t.meta(), dir, sel, false)) {
            t.writeAll(store);
            int[][] blocks = {{1, 30, 20}, {1, 0, 64}, {0, 0, 64}, {4, 0, 34}, {2, 60, 4}};
            for (int[] b : blocks) {
                ByteBuffer dst = ByteBuffer.allocateDirect(b[2] + 10);
                dst.position(3).limit(3 + b[2]);
                store.readBlock(b[0], b[1], dst);
                assertEquals(3 + b[2], dst.position(), "advanced past the block");
                byte[] got = new byte[b[2]];
                dst.position(3);
                dst.get(got);
                int from = t.pieceOffset(b[0]) + b[1];
                assertArrayEquals(Arrays.copyOfRange(t.content(), from, from + b[2]), got,
                        "piece " + b[0] + " begin " + b[1] + " length " + b[2]);
                dst.clear();
                assertEquals(0, dst.get(2), "nothing before the position");
                assertEquals(0, dst.get(3 + b[2]), "nothing after the limit");
            }
        }
        TestTorrent padded = TestTorrent.multi("padded", 16, file(5, "a"), pad(11), file(16, "b"), pad(12), file(4, "c"));
        try (PieceStore store = new PieceStore(padded.meta(), dir, padded.all(), false)) {
            padded.writeAll(store);
            ByteBuffer dst = ByteBuffer.allocateDirect(16);
            while (dst.hasRemaining()) {
                dst.put((byte) 7);
            }
            store.readBlock(0, 0, dst.clear());
            assertEquals(ByteBuffer.wrap(Arrays.copyOfRange(padded.content(), 0, 16)), dst.flip());
        }
    }

    @Test
    void unselectedFileIsNotCreatedAndItsSharedBytesGoToTheHiddenPartFile() throws Exception {
        TestTorrent t = nested();
        boolean[] sel = {true, false, false, true, true}; // b.bin and c.bin are not wanted
        Path part = dir.resolve("." + t.meta().infoHash().hex() + ".parts");
        try (PieceStore store = new PieceStore(t.meta(), dir, sel, false)) {
            // piece 1 = a.bin[64..100) + b.bin + c.bin[0..18); piece 2 = c.bin[18..30) + d.bin[0..52)
            store.writePiece(0, t.content(), t.pieceOffset(0));
            store.writePiece(1, t.content(), t.pieceOffset(1));
            store.writePiece(2, t.content(), t.pieceOffset(2));
            assertFalse(Files.exists(dir.resolve("album/sub/b.bin")));
            assertFalse(Files.exists(dir.resolve("album/sub/deeper/c.bin")));
            assertEquals(part, store.partFilePath());
            assertTrue(Files.exists(part));
            assertTrue(store.checkPiece(1), "the boundary piece re-checks from file + part file");
            assertTrue(store.checkPiece(2));
            byte[] dst = new byte[64];
            store.readBlock(1, 0, 64, dst, 0);
            assertArrayEquals(Arrays.copyOfRange(t.content(), 64, 128), dst);
        }
        // the part file holds the foreign bytes at their torrent stream offsets (100..140)
        byte[] partBytes = Files.readAllBytes(part);
        assertArrayEquals(Arrays.copyOfRange(t.content(), 100, 140), Arrays.copyOfRange(partBytes, 100, 140));
        assertArrayEquals(Arrays.copyOfRange(t.content(), 0, 100), Files.readAllBytes(dir.resolve("album/a.bin")));
    }

    @Test
    void selectingAFileLaterMovesItsBytesOutOfThePartFile() throws Exception {
        TestTorrent t = nested();
        try (PieceStore store = new PieceStore(t.meta(), dir, new boolean[] {true, false, false, true, true}, false)) {
            t.writeAll(store);
            store.setSelection(new boolean[] {true, true, true, true, true});
            assertArrayEquals(t.fileBytes(1), Files.readAllBytes(dir.resolve("album/sub/b.bin")));
            assertArrayEquals(t.fileBytes(2), Files.readAllBytes(dir.resolve("album/sub/deeper/c.bin")));
            assertEquals(BitSet.valueOf(new long[] {0b11111}), store.checkAll());
            // deselecting again keeps the bytes in the real file, where reads still find them
            store.setSelection(new boolean[] {true, false, false, true, true});
            assertEquals(BitSet.valueOf(new long[] {0b11111}), store.checkAll());
        }
    }

    @Test
    void paddingBytesAreNeverWrittenAndReadBackAsZeros() throws Exception {
        TestTorrent t = TestTorrent.multi("padded", 16, file(5, "a"), pad(11), file(16, "b"), pad(12), file(4, "c"));
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            t.writeAll(store);
            byte[] dst = new byte[16];
            Arrays.fill(dst, (byte) 7);
            store.readBlock(0, 0, 16, dst, 0);
            assertArrayEquals(Arrays.copyOfRange(t.content(), 0, 16), dst);
            assertEquals(3, t.meta().pieceCount());
            assertEquals(BitSet.valueOf(new long[] {0b111}), store.checkAll());
            assertThrows(IllegalArgumentException.class, () -> store.pathOf(1));
        }
        assertFalse(Files.exists(dir.resolve("padded/.pad")));
        try (Stream<Path> all = Files.walk(dir)) {
            assertEquals(List.of("a", "b", "c"), all.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(5, Files.size(dir.resolve("padded/a")));
        assertEquals(16, Files.size(dir.resolve("padded/b")));
        assertEquals(4, Files.size(dir.resolve("padded/c")));
    }

    @Test
    void checkAllFindsExactlyThePiecesPresentAndACorruptByteFailsItsPiece() throws Exception {
        TestTorrent t = nested(); // 5 pieces
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            assertEquals(new BitSet(), store.checkAll(), "nothing on disk yet");
            for (int i : new int[] {0, 2, 3}) {
                store.writePiece(i, t.content(), t.pieceOffset(i));
            }
            assertEquals(BitSet.valueOf(new long[] {0b01101}), store.checkAll());
            store.flush();
        }
        // flip one byte of d.bin that belongs to piece 3 (stream 192 = d.bin offset 52)
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("album/d.bin").toFile(), "rw")) {
            raf.seek(52);
            int b = raf.read();
            raf.seek(52);
            raf.write(b ^ 0x01);
        }
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            assertEquals(BitSet.valueOf(new long[] {0b00101}), store.checkAll());
            assertFalse(store.checkPiece(3));
            assertThrows(MissingDataException.class, () -> store.readBlock(4, 0, 10, new byte[10], 0),
                    "the last piece was never written: d.bin is too short");
        }
    }

    @Test
    void preallocateGivesSelectedFilesTheirFullSizeAtTheFirstWrite() throws Exception {
        TestTorrent t = nested();
        try (PieceStore store = new PieceStore(t.meta(), dir, new boolean[] {true, false, true, true, true}, true)) {
            store.writePiece(0, t.content(), 0);
            assertEquals(100, Files.size(dir.resolve("album/a.bin")));
            assertEquals(30, Files.size(dir.resolve("album/sub/deeper/c.bin")));
            assertEquals(150, Files.size(dir.resolve("album/d.bin")));
            assertFalse(Files.exists(dir.resolve("album/sub/b.bin")));
            assertEquals(BitSet.valueOf(new long[] {0b1}), store.checkAll(), "preallocated zeros do not pass as data");
            t.writeAll(store);
            assertEquals(BitSet.valueOf(new long[] {0b11111}), store.checkAll());
        }
        assertArrayEquals(t.fileBytes(4), Files.readAllBytes(dir.resolve("album/d.bin")));
    }

    @Test
    void fingerprintsChangeWhenAFileIsModified() throws Exception {
        TestTorrent t = nested();
        try (PieceStore store = new PieceStore(t.meta(), dir, new boolean[] {true, false, false, true, true}, false)) {
            t.writeAll(store);
            store.flush();
            List<FileFingerprint> before = store.fingerprints();
            assertEquals(5, before.size());
            assertEquals(new FileFingerprint(0, 100, Files.getLastModifiedTime(dir.resolve("album/a.bin")).toMillis()), before.get(0));
            assertEquals(new FileFingerprint(1, -1, -1), before.get(1), "an absent file");
            assertFalse(before.get(1).exists());

            Path a = dir.resolve("album/a.bin");
            Files.write(a, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
            List<FileFingerprint> grown = store.fingerprints();
            assertEquals(103, grown.get(0).size());

            Files.setLastModifiedTime(dir.resolve("album/d.bin"), FileTime.fromMillis(1_000_000_000_000L));
            List<FileFingerprint> touched = store.fingerprints();
            assertNotEquals(grown.get(4), touched.get(4));
            assertEquals(1_000_000_000_000L, touched.get(4).modifiedMillis());
        }
    }

    @Test
    void deleteFilesRemovesOnlyTheTorrentsFilesAndTheFoldersLeftEmpty() throws Exception {
        TestTorrent t = nested();
        Path top = dir.resolve("album");
        try (PieceStore store = new PieceStore(t.meta(), dir, new boolean[] {true, true, false, true, true}, false)) {
            t.writeAll(store);
            assertTrue(Files.exists(store.partFilePath()));
            Files.writeString(top.resolve("sub/my-notes.txt"), "mine");
            Files.writeString(dir.resolve("other.txt"), "not the torrent's");
            Files.createDirectories(top.resolve("my-empty-folder"));
            store.deleteFiles();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            List<String> left = all.map(p -> dir.relativize(p).toString()).sorted().toList();
            assertEquals(List.of("", "album", "album/my-empty-folder", "album/sub", "album/sub/my-notes.txt", "other.txt"), left);
        }
    }

    @Test
    void deleteFilesOfACompleteTorrentLeavesTheDownloadFolderEmpty() throws Exception {
        TestTorrent t = nested();
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            t.writeAll(store);
            store.deleteFiles();
            store.deleteFiles(); // twice is harmless
        }
        assertTrue(Files.isDirectory(dir));
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(0, all.count());
        }
    }

    @Test
    void manySmallFilesStayWithinTheOpenFileLimit() throws Exception {
        TestTorrent.Entry[] entries = new TestTorrent.Entry[300];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = file(3 + i % 5, "f" + i);
        }
        TestTorrent t = TestTorrent.multi("many", 16, entries);
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            t.writeAll(store);
            assertEquals(t.meta().pieceCount(), store.checkAll().cardinality());
        }
        for (int i = 0; i < t.meta().files().size(); i++) {
            TorrentFile f = t.meta().files().get(i);
            assertArrayEquals(t.fileBytes(i), Files.readAllBytes(dir.resolve("many").resolve(f.path().get(0))));
        }
    }
}

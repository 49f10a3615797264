package me.bittorrent.storage;

import static me.bittorrent.storage.TestTorrent.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.sun.nio.file.ExtendedOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verified pieces written past the page cache (O_DIRECT) where the file system allows it, the rest buffered. */
class DirectWritesTest {

    @TempDir
    Path dir;

    /** Whether this folder's file system takes O_DIRECT at all (tmpfs does not): then the store must use it. */
    private boolean folderTakesDirect() throws IOException {
        Path probe = Files.createFile(dir.resolve("probe"));
        try (FileChannel ignored = FileChannel.open(probe, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            Files.delete(probe);
        }
    }

    @Test
    void piecesWrittenInAnyOrderAreByteIdenticalWithAnUnalignedTail() throws Exception {
        int pieceLength = 256 * 1024;
        // 5 pieces and a tail of 1000 bytes: the last piece's aligned part goes direct, its tail buffered
        TestTorrent t = TestTorrent.single("movie.mkv", pieceLength, 5 * pieceLength + 1000);
        boolean direct = folderTakesDirect();
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), false)) {
            for (int p : new int[] {5, 2, 0, 4, 1, 3}) {
                store.writePiece(p, t.content(), t.pieceOffset(p));
            }
            store.flush();
            if (direct) {
                int alignment = (int) Files.getFileStore(dir).getBlockSize();
                long tailAligned = 1000 - 1000 % alignment;
                assertEquals(5L * pieceLength + tailAligned, store.directBytes(),
                        "every aligned byte bypassed the page cache");
            }
            assertTrue(store.checkPiece(3) && store.checkPiece(5), "reads see what was written direct");
            BitSet all = store.checkAll();
            assertEquals(t.meta().pieceCount(), all.cardinality());
        }
        assertArrayEquals(t.content(), Files.readAllBytes(dir.resolve("movie.mkv")));
    }

    @Test
    void piecesLargerThanAStagingBufferWrittenByStoresOnSeveralThreadsAtOnceAreByteIdentical() throws Exception {
        // 4 MiB pieces are staged in several chunks; three stores write at the same time, so the shared staging
        // buffers are taken and given back concurrently: a buffer lent twice would mix their bytes
        int pieceLength = 4 * DirectWrites.CHUNK;
        boolean direct = folderTakesDirect();
        TestTorrent[] torrents = new TestTorrent[3];
        List<Future<?>> writes = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(torrents.length);
        try {
            for (int i = 0; i < torrents.length; i++) {
                TestTorrent t = TestTorrent.single("file" + i + ".bin", pieceLength, 3 * pieceLength + 4096 + 17);
                torrents[i] = t;
                Path folder = Files.createDirectory(dir.resolve("t" + i));
                writes.add(threads.submit(() -> {
                    try (PieceStore store = new PieceStore(t.meta(), folder, t.all(), false)) {
                        for (int p = t.meta().pieceCount() - 1; p >= 0; p--) {
                            store.writePiece(p, t.content(), t.pieceOffset(p));
                        }
                        assertTrue(!direct || store.directBytes() >= 3L * pieceLength, "the whole pieces went direct");
                    }
                    return null;
                }));
            }
            for (Future<?> w : writes) {
                w.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        for (int i = 0; i < torrents.length; i++) {
            assertArrayEquals(torrents[i].content(), Files.readAllBytes(dir.resolve("t" + i + "/file" + i + ".bin")),
                    "torrent " + i);
        }
    }

    @Test
    void alignedOffHeapPiecesGoToTheDiskAsTheyAreAndAnyOtherIsStaged() throws Exception {
        // the engine's piece buffers are page-aligned off-heap memory: written without a copy; a heap array or an
        // off-heap buffer at an odd address goes through a staging buffer, with the same bytes on disk
        int pieceLength = 256 * 1024;
        TestTorrent t = TestTorrent.single("movie.mkv", pieceLength, 6 * pieceLength);
        boolean direct = folderTakesDirect();
        Path path = dir.resolve("movie.mkv");
        Files.write(path, new byte[t.content().length]);
        DirectWrites writes = new DirectWrites("t", true);
        for (int p = 0; p < 6; p++) {
            ByteBuffer piece = switch (p % 3) {
                case 0 -> ByteBuffer.allocateDirect(pieceLength + 8192).alignedSlice(4096).slice(0, pieceLength);
                case 1 -> ByteBuffer.allocateDirect(pieceLength + 8192).alignedSlice(4096).slice(1, pieceLength);
                default -> ByteBuffer.allocate(pieceLength);
            };
            piece.put(0, t.content(), t.pieceOffset(p), pieceLength);
            int written = writes.write(0, () -> path, piece, (long) p * pieceLength);
            assertEquals(direct ? pieceLength : 0, written, "piece " + p);
            assertEquals(0, piece.position(), "the caller's buffer is left as it was");
        }
        writes.flush();
        writes.close();
        if (direct) {
            assertEquals(6L * pieceLength, writes.directBytes());
            assertEquals(4L * pieceLength, writes.stagedBytes(), "the 2 aligned off-heap pieces were not copied");
            assertArrayEquals(t.content(), Files.readAllBytes(path));
        }
    }

    @Test
    void piecesInAlignedOffHeapBuffersAreStoredByteIdenticalInASingleAndAMultiFileTorrent() throws Exception {
        // a multi-file piece is cut into spans; those at an unaligned place in the piece are staged or buffered
        TestTorrent single = TestTorrent.single("one.bin", 64 * 1024, 5 * 64 * 1024 + 1000);
        TestTorrent multi = TestTorrent.multi("album", 64 * 1024, file(70000, "a.bin"), file(4096 * 20, "b.bin"),
                file(3333, "c.bin"));
        for (TestTorrent t : List.of(single, multi)) {
            Path folder = Files.createDirectory(dir.resolve(t.meta().name() + "-store"));
            try (PieceStore store = new PieceStore(t.meta(), folder, t.all(), false)) {
                for (int p = t.meta().pieceCount() - 1; p >= 0; p--) {
                    int size = t.meta().pieceSize(p);
                    ByteBuffer piece = ByteBuffer.allocateDirect(size + 8192).alignedSlice(4096).slice(0, size);
                    piece.put(0, t.content(), t.pieceOffset(p), size);
                    store.writePiece(p, piece);
                }
                assertEquals(t.meta().pieceCount(), store.checkAll().cardinality(), t.meta().name());
            }
        }
        assertArrayEquals(single.content(), Files.readAllBytes(dir.resolve("one.bin-store/one.bin")));
        for (int f = 0; f < 3; f++) {
            assertArrayEquals(multi.fileBytes(f), Files.readAllBytes(
                    dir.resolve("album-store/album/" + List.of("a.bin", "b.bin", "c.bin").get(f))), "file " + f);
        }
    }

    @Test
    void aFileThatCannotBeOpenedDirectTurnsDirectWritesOffAndWritesNothing() throws Exception {
        // (tmpfs takes O_DIRECT on recent kernels: a folder where a file should be stands for a refusing open)
        Path notAFile = Files.createDirectory(dir.resolve("folder"));
        DirectWrites direct = new DirectWrites("t", true);
        byte[] data = new byte[64 * 1024];
        assertEquals(0, direct.write(0, () -> notAFile, ByteBuffer.wrap(data), 0), "nothing went direct");
        assertFalse(direct.enabled(), "the store writes through the page cache from now on");
        Path file = Files.createFile(dir.resolve("file"));
        assertEquals(0, direct.write(1, () -> file, ByteBuffer.wrap(data), 0), "not tried again");
        assertEquals(0, Files.size(file));
        assertEquals(0, direct.directBytes());
    }

    @Test
    void unalignedSpansOfAMultiFileTorrentAreWrittenBuffered() throws Exception {
        // 8 KiB pieces over files of odd sizes: most spans start at unaligned file offsets
        TestTorrent t = TestTorrent.multi("album", 8192, file(5000, "a.bin"), file(12288, "b.bin"),
                file(3333, "c.bin"));
        try (PieceStore store = new PieceStore(t.meta(), dir, t.all(), true)) {
            t.writeAll(store);
        }
        assertArrayEquals(t.fileBytes(0), Files.readAllBytes(dir.resolve("album/a.bin")));
        assertArrayEquals(t.fileBytes(1), Files.readAllBytes(dir.resolve("album/b.bin")));
        assertArrayEquals(t.fileBytes(2), Files.readAllBytes(dir.resolve("album/c.bin")));
    }
}

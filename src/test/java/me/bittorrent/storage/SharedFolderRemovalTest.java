package me.bittorrent.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 8: two torrents sharing a top folder removed with their files at the same moment used to fail
 * (one deleted a folder the other was listing). Both must succeed and leave no folder behind.
 */
class SharedFolderRemovalTest {

    private static TorrentMeta meta(Path parent, String... files) throws Exception {
        Path root = parent.resolve("shared");
        for (String f : files) {
            Payloads.file(root.resolve(f), 1000);
        }
        return MetainfoParser.parse(TorrentBuilder.of(root).pieceLength(16384).build(), 1 << 20);
    }

    private static void place(TorrentMeta meta, Path downloadDir) throws Exception {
        for (var f : meta.files()) {
            Path p = downloadDir.resolve("shared").resolve(String.join("/", f.path()));
            Files.createDirectories(p.getParent());
            Files.write(p, new byte[(int) f.length()]);
        }
    }

    private static void delete(TorrentMeta meta, Path downloadDir) throws Exception {
        boolean[] all = new boolean[meta.files().size()];
        Arrays.fill(all, true);
        try (PieceStore store = new PieceStore(meta, downloadDir, all, false)) {
            store.deleteFiles();
        }
    }

    @Test
    void twoRemovalsOfOneSharedFolderAtOnceBothSucceed() throws Exception {
        TorrentMeta a = meta(Payloads.tempDir("a"), "a1.bin", "sub/deep/a2.bin");
        TorrentMeta b = meta(Payloads.tempDir("b"), "b1.bin", "sub/deep/b2.bin");
        Path downloads = Payloads.tempDir("downloads");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                place(a, downloads);
                place(b, downloads);
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Object>> both = pool.invokeAll(List.of(
                        () -> { together.await(10, TimeUnit.SECONDS); delete(a, downloads); return null; },
                        () -> { together.await(10, TimeUnit.SECONDS); delete(b, downloads); return null; }));
                for (Future<Object> f : both) {
                    f.get(30, TimeUnit.SECONDS); // rethrows a removal's failure
                }
                assertFalse(Files.exists(downloads.resolve("shared")), "round " + round + " left the folder");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.TorrentMeta;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A piece's hash and its write run on two queues: a piece is hashed (and a failed one reported) while the disk is
 * busy with another piece's write, and a piece that passed is written, in the disk's order, before it is reported.
 */
class DiskIoTest {

    private static final int PIECE = 32 * 1024;

    @TempDir
    Path tmp;
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void tearDown() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aPieceIsHashedWhileTheDiskIsBusyAndWrittenInItsOrderBeforeItIsReported() throws Exception {
        TorrentMeta meta = TestTorrents.create(tmp, "pipe", PIECE, List.of(new TestTorrents.FileSpec("a.bin", 3 * PIECE)),
                List.of(), 11);
        byte[] content = Files.readAllBytes(tmp.resolve("pipe/a.bin"));
        Path leech = tmp.resolve("leech");
        DiskIo disk = new DiskIo(vertx, meta, null);
        await(disk.open(meta, leech, new boolean[] {true}, false, new BitSet(), new BitSet(), new BitSet()));

        CountDownLatch release = new CountDownLatch(1);
        Future<Object> held = disk.run(() -> release.await(30, TimeUnit.SECONDS)); // the disk is busy
        CountDownLatch hashed = new CountDownLatch(2);
        Future<PieceVerifier.Checked> passed = disk.checkThenWrite(0,
                ByteBuffer.wrap(Arrays.copyOfRange(content, 0, PIECE)), () -> {
                    hashed.countDown();
                    return new PieceVerifier.Checked(true, null);
                });
        Future<PieceVerifier.Checked> failed = disk.checkThenWrite(1, ByteBuffer.wrap(new byte[PIECE]), () -> {
            hashed.countDown();
            return new PieceVerifier.Checked(false, null);
        });

        assertTrue(hashed.await(30, TimeUnit.SECONDS), "both pieces are hashed while the disk is held");
        assertFalse(await(failed).ok(), "a failed piece is reported without waiting for the disk");
        assertFalse(passed.isComplete(), "a piece that passed is reported only once written, after the disk's "
                + "earlier work");
        release.countDown();
        assertTrue(await(passed).ok());
        assertTrue(held.isComplete());
        await(disk.flush());
        byte[] written = Files.readAllBytes(leech.resolve("pipe/a.bin"));
        assertArrayEquals(Arrays.copyOfRange(content, 0, PIECE), Arrays.copyOfRange(written, 0, PIECE));
        assertTrue(written.length < 2 * PIECE || Arrays.equals(new byte[PIECE], Arrays.copyOfRange(written, PIECE,
                2 * PIECE)), "the failed piece was never written");
        await(disk.close());
    }
}

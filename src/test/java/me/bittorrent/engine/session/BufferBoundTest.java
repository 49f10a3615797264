package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.LibtorrentPeer;
import me.bittorrent.testing.TorrentBuilder;

/**
 * Issue 4 proof 5: memory stays flat over a limited 256 MiB download from a libtorrent seeder, including a
 * stretch where the disk is stuck (slower than the network): requesting stops at the pending-verify bound.
 *
 * <p>The deterministic bound, checked on every sample of {@link TorrentSession#buffered()}:
 * held bytes (piece buffers + pieces waiting for hash/disk + upload reads) stay below
 * {@code MAX_PENDING_BYTES (32 MiB) + 1 s of the download limit (what is requested when requesting stops)
 * + 4 pieces (the piece crossing the bound and partial pieces)}. Heap used after a GC is logged beside it and
 * may not grow by more than that bound plus 32 MiB of slack.
 */
class BufferBoundTest {

    @RegisterExtension
    final SessionHarness harness = new SessionHarness();

    static final int PIECE = 1 << 20;
    static final long SIZE = 256L << 20;
    static final long LIMIT = 24L << 20;
    static final long BOUND = PieceVerifier.MAX_PENDING_BYTES + LIMIT + 4L * PIECE;

    @TempDir
    Path tmp;

    static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    void memoryStaysWithinTheBoundEvenWhenTheDiskStalls() throws Exception {
        Path seedDir = Files.createDirectories(tmp.resolve("seed"));
        Path payload = TorrentBuilder.randomFile(seedDir.resolve("big.bin"), SIZE, 41);
        Path torrentFile = TorrentBuilder.of(payload).pieceLength(PIECE).writeTo(tmp.resolve("big.torrent"));
        TorrentMeta meta = MetainfoParser.parse(Files.readAllBytes(torrentFile), 10 << 20);
        long heapBefore = heapAfterGc();
        try (LibtorrentPeer seed = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            seed.awaitReady(Duration.ofSeconds(60));
            TorrentSession leecher = harness.session(SessionHarness.newPeerId(), meta,
                    Files.createDirectories(tmp.resolve("leech")), new SessionSettings(LIMIT, 0, 50, 100, false),
                    new BitSet());
            CompletableFuture<Void> completed = SessionHarness.record(leecher).completed();
            AtomicLong maxHeld = new AtomicLong();
            AtomicLong maxPending = new AtomicLong();
            Runnable sample = () -> {
                BufferedBytes b = leecher.buffered().await().atMost(Duration.ofSeconds(5));
                maxHeld.accumulateAndGet(b.held(), Math::max);
                maxPending.accumulateAndGet(b.pendingVerify(), Math::max);
                assertTrue(b.held() <= BOUND, "held " + b + " over the bound " + BOUND);
            };
            leecher.start().await().atMost(Duration.ofSeconds(30));
            leecher.addPeer("127.0.0.1", seed.port());

            // run at the limit up to 64 MiB
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (leecher.latestSnapshot().downloaded() < (64L << 20)) {
                assertTrue(System.nanoTime() < deadline, "slow: " + leecher.latestSnapshot());
                sample.run();
                Thread.sleep(100); // sampling interval
            }
            // the disk stalls: the session's disk queue is busy with our task until we release it
            CountDownLatch release = new CountDownLatch(1);
            leecher.onDisk(() -> release.await(60, TimeUnit.SECONDS));
            // requesting must stop: the downloaded counter stands still for 2 s while pieces wait for the disk
            long stallDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long last = -1;
            long stillSince = System.nanoTime();
            while (System.nanoTime() - stillSince < TimeUnit.SECONDS.toNanos(2)) {
                assertTrue(System.nanoTime() < stallDeadline, "never stopped requesting: " + leecher.buffered()
                        .await().atMost(Duration.ofSeconds(5)));
                sample.run();
                long now = leecher.snapshot().await().atMost(Duration.ofSeconds(5)).downloaded();
                if (now != last) {
                    last = now;
                    stillSince = System.nanoTime();
                }
                Thread.sleep(100); // sampling interval
            }
            long heapStalled = heapAfterGc();
            BufferedBytes stalled = leecher.buffered().await().atMost(Duration.ofSeconds(5));
            // requesting stops when pending + in flight reach the bound; the last blocks in flight land in
            // partial pieces' buffers, so pending alone ends within a few pieces of it (not earlier)
            assertTrue(stalled.pendingVerify() + stalled.pieceBuffers() > PieceVerifier.MAX_PENDING_BYTES - 4L * PIECE,
                    "stopped only at the pending-verify bound: " + stalled);
            assertEquals(0, stalled.requested(), "nothing left requested while the disk is stuck: " + stalled);
            release.countDown();

            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!completed.isDone()) {
                assertTrue(System.nanoTime() < deadline, "did not complete: " + leecher.latestSnapshot());
                sample.run();
                Thread.sleep(100); // sampling interval
            }
            BufferedBytes after = leecher.buffered().await().atMost(Duration.ofSeconds(5));
            assertEquals(0, after.held(), "nothing held once complete: " + after);
            long heapAfter = heapAfterGc();
            System.out.printf("measured buffers: max held %d B, max pending verify %d B, bound %d B; heap after GC"
                    + " before %d, stalled %d (%s), after %d%n", maxHeld.get(), maxPending.get(), BOUND, heapBefore,
                    heapStalled, stalled, heapAfter);
            assertTrue(heapStalled - heapBefore <= BOUND + (32L << 20), "heap grew by " + (heapStalled - heapBefore));
            assertTrue(heapAfter - heapBefore <= 32L << 20, "heap grew by " + (heapAfter - heapBefore));
            leecher.stop().await().atMost(Duration.ofSeconds(30));
        }
    }
}

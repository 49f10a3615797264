package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.wire.PeerServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 11: one disk-full event puts the torrent in error with ONE error line saying so in words, not
 * one per piece that was on its way to the disk.
 */
class DiskFullLogTest {

    static final int HELD_WRITES = 5;

    @TempDir
    Path tmp;

    @Test
    void theWritesInFlightWhenTheDiskFillsGiveOneErrorLine() throws Exception {
        Vertx vertx = Vertx.vertx();
        Context context = vertx.getOrCreateContext();
        PeerServer server = new PeerServer();
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger sessionLog = Logger.getLogger(TorrentSession.class.getName());
        sessionLog.addHandler(capture);
        try {
            Path seedDir = tmp.resolve("seed");
            TorrentMeta meta = TestTorrents.create(seedDir, "full", 32 * 1024,
                    List.of(new TestTorrents.FileSpec("a.bin", 1_000_000)), List.of(), 5);
            BitSet all = new BitSet();
            all.set(0, meta.pieceCount());
            byte[] seedId = SessionHarness.newPeerId();
            TorrentSession seeder = new TorrentSession(vertx, context, seedId, 0, SessionHarness.NO_TRACKER, meta,
                    seedDir, SessionSettings.DEFAULTS, null, all);
            int seedPort = SessionHarness.listen(vertx, context, server, meta, seedId, seeder);
            seeder.start().await().atMost(Duration.ofSeconds(30));

            TorrentSession leecher = new TorrentSession(vertx, context, SessionHarness.newPeerId(), 0,
                    SessionHarness.NO_TRACKER, meta, Files.createDirectories(tmp.resolve("leech")),
                    SessionSettings.DEFAULTS, null, new BitSet());
            // the disk fills while several verified pieces wait to be written: they all fail together
            List<Promise<Void>> held = new ArrayList<>();
            AtomicInteger writes = new AtomicInteger();
            leecher.diskWriteFault(piece -> {
                writes.incrementAndGet();
                Promise<Void> write = Promise.promise();
                held.add(write);
                if (held.size() >= HELD_WRITES) {
                    held.forEach(p -> p.tryFail(new IOException("No space left on device")));
                }
                return write.future();
            });
            AtomicInteger pieceFailures = new AtomicInteger();
            leecher.events().subscribe().with(e -> {
                if (e instanceof TorrentEvent.PieceFailed) {
                    pieceFailures.incrementAndGet();
                }
            });
            leecher.start().await().atMost(Duration.ofSeconds(30));
            leecher.addPeer("127.0.0.1", seedPort);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (pieceFailures.get() < HELD_WRITES && System.nanoTime() < deadline) {
                Thread.sleep(20); // bounded poll of the events
            }
            assertTrue(pieceFailures.get() >= HELD_WRITES, "write failures seen: " + pieceFailures.get());
            SessionSnapshot failed = leecher.snapshot().await().atMost(Duration.ofSeconds(5));
            assertEquals(SessionState.ERROR, failed.state());
            assertTrue(failed.error().startsWith("the disk is full"), failed.error());
            assertEquals(1, errors.size(), errors.stream().map(LogRecord::getMessage).toList().toString());

            leecher.stop().await().atMost(Duration.ofSeconds(30));
            seeder.stop().await().atMost(Duration.ofSeconds(30));
        } finally {
            sessionLog.removeHandler(capture);
            server.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}

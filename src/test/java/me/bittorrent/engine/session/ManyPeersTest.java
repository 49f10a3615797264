package me.bittorrent.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.testing.LibtorrentPeer;

/** A leecher downloading from two of our seeders and a libtorrent seeder at once: every source is used. */
class ManyPeersTest {

    @TempDir
    Path tmp;

    @Test
    void downloadsFromThreeSeedersAtOnce() throws Exception {
        Vertx vertx = Vertx.vertx();
        Context context = vertx.getOrCreateContext();
        List<PeerListener> listeners = List.of(new PeerListener(), new PeerListener());
        List<TorrentSession> seeders = new ArrayList<>();
        Path seedDir = tmp.resolve("seed");
        Path leechDir = Files.createDirectories(tmp.resolve("leech"));
        TorrentMeta meta = TestTorrents.create(seedDir, "many", 128 * 1024, List.of(
                new TestTorrents.FileSpec("x/a.bin", 9_000_001), new TestTorrents.FileSpec("b.bin", 7_777_777)),
                List.of(), 31);
        Path torrentFile = Files.write(tmp.resolve("t.torrent"), meta.torrentBytes());
        try (LibtorrentPeer lt = LibtorrentPeer.seed(torrentFile, seedDir).seedMode().noTrackers().start()) {
            BitSet all = new BitSet();
            all.set(0, meta.pieceCount());
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                byte[] id = SessionHarness.newPeerId();
                TorrentSession seeder = new TorrentSession(vertx, context, id, 0, SessionHarness.NO_TRACKER, meta,
                        seedDir, SessionSettings.DEFAULTS, null, all);
                PeerListener own = listeners.get(i);
                ports.add(own.listen(vertx, context, "127.0.0.1", 0).toCompletionStage().toCompletableFuture()
                        .get(10, TimeUnit.SECONDS));
                own.register(seeder, id);
                seeder.start().await().atMost(Duration.ofSeconds(30));
                seeders.add(seeder);
            }
            lt.awaitReady(Duration.ofSeconds(30));
            ports.add(lt.port());

            TorrentSession leecher = new TorrentSession(vertx, context, SessionHarness.newPeerId(), 0,
                    SessionHarness.NO_TRACKER, meta, leechDir, SessionSettings.DEFAULTS, null, new BitSet());
            CompletableFuture<Void> completed = SessionHarness.record(leecher).completed();
            leecher.start().await().atMost(Duration.ofSeconds(30));
            ports.forEach(port -> leecher.addPeer("127.0.0.1", port));
            completed.get(90, TimeUnit.SECONDS);
            SessionSnapshot done = leecher.snapshot().await().atMost(Duration.ofSeconds(5));
            assertEquals(meta.pieceCount(), done.verified().cardinality());
            leecher.stop().await().atMost(Duration.ofSeconds(30));
            long fromOurs = 0;
            for (TorrentSession seeder : seeders) {
                fromOurs += seeder.snapshot().await().atMost(Duration.ofSeconds(5)).uploaded();
                seeder.stop().await().atMost(Duration.ofSeconds(30));
            }
            assertTrue(fromOurs > 0, "our seeders served nothing");
            assertTrue(done.downloaded() >= meta.totalLength());
        } finally {
            listeners.forEach(PeerListener::close);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        LibtorrentInteropTest.assertSameFiles(meta, seedDir, leechDir);
    }
}

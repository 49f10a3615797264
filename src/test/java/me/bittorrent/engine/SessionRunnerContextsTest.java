package me.bittorrent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import me.bittorrent.engine.session.RateLimiter;
import me.bittorrent.metainfo.MetainfoParser;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.state.StoredTorrent;
import me.bittorrent.state.TorrentLifecycle;
import me.bittorrent.state.TorrentSettings;
import me.bittorrent.testing.Payloads;
import me.bittorrent.testing.TorrentBuilder;
import me.bittorrent.tracker.TrackerClient;

/** Torrents are spread over the event loops: two running torrents live on two contexts, on two threads. */
class SessionRunnerContextsTest {

    @TempDir
    Path tmp;

    static final TrackerClient NO_TRACKER = (url, request) -> Uni.createFrom()
            .failure(new IllegalStateException("no tracker in this test"));

    /** The registry as DownloadEngine keeps it, in a map. */
    static final class MapRegistry implements SessionRunner.Registry {
        final Map<String, RegisteredTorrent> torrents = new ConcurrentHashMap<>();

        @Override
        public Optional<RegisteredTorrent> find(String id) {
            return Optional.ofNullable(torrents.get(id));
        }

        @Override
        public List<RegisteredTorrent> all() {
            return List.copyOf(torrents.values());
        }

        @Override
        public GlobalSettings global() {
            return new GlobalSettings(0, 0, 10, 0, me.bittorrent.state.TorrentSettings.defaults(0));
        }

        @Override
        public Uni<Void> remove(String id) {
            torrents.remove(id);
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<RegisteredTorrent> metadataArrived(String id, byte[] info) {
            return Uni.createFrom().failure(new IllegalStateException("no magnets in this test"));
        }

        @Override
        public Uni<RegisteredTorrent> update(String id, UnaryOperator<RegisteredTorrent> change) {
            return Uni.createFrom().item(() -> torrents.computeIfPresent(id, (k, t) -> change.apply(t)));
        }
    }

    RegisteredTorrent torrent(String name, long seed) throws Exception {
        Path file = Payloads.tempDir("payload").resolve(name + ".bin");
        Payloads.file(file, 100_000 + (int) seed);
        TorrentMeta meta = MetainfoParser.parse(TorrentBuilder.of(file).pieceLength(16384)
                .announce("http://127.0.0.1:1/announce").build(), 1 << 20);
        StoredTorrent stored = new StoredTorrent(meta.infoHash().hex(), meta.name(), Instant.now(),
                tmp.resolve("dl-" + name).toString(), TorrentSettings.defaults(0), Map.of(),
                TorrentLifecycle.STOPPED, "", 0, 0, List.of(), null);
        return new RegisteredTorrent(meta, stored);
    }

    @Test
    void twoTorrentsRunOnTwoEventLoops() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            MapRegistry registry = new MapRegistry();
            RegisteredTorrent a = torrent("a", 1);
            RegisteredTorrent b = torrent("b", 2);
            registry.torrents.put(a.id(), a);
            registry.torrents.put(b.id(), b);
            SessionRunner runner = new SessionRunner(vertx, NO_TRACKER, registry, new SimpleMeterRegistry(), 5, 0,
                    RateLimiter.unlimited(), RateLimiter.unlimited());
            runner.start(a.id()).await().atMost(java.time.Duration.ofSeconds(10));
            runner.start(b.id()).await().atMost(java.time.Duration.ofSeconds(10));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (runner.contextOf(a.id()) == null || runner.contextOf(b.id()) == null) {
                assertTrue(System.nanoTime() < deadline, "both sessions launch within 10 s");
                Thread.sleep(20); // polling the runner's map, bounded by the deadline
            }
            Context ca = runner.contextOf(a.id());
            Context cb = runner.contextOf(b.id());
            assertNotSame(ca, cb);
            assertTrue(ca.isEventLoopContext() && cb.isEventLoopContext());
            assertNotEquals(threadOf(ca), threadOf(cb), "two torrents, two event-loop threads");
            assertEquals(2, SessionRunner.torrentContexts(vertx, 2).length);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    static Thread threadOf(Context context) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        context.runOnContext(v -> thread.complete(Thread.currentThread()));
        return thread.get(5, TimeUnit.SECONDS);
    }
}

package me.bittorrent.engine.session;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.tracker.TrackerClient;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerServer;

/**
 * What every test of real sessions on loopback needs: a Vert.x with one engine context, sessions built on it, peer
 * servers that listen for them (closed after the test with the Vert.x), fresh peer ids and a recorder of a
 * session's events. Register it with {@code @RegisterExtension final SessionHarness harness = new SessionHarness();}.
 */
final class SessionHarness implements BeforeEachCallback, AfterEachCallback {

    /** Sessions of these tests find peers only through {@code addPeer}: any announce fails. */
    static final TrackerClient NO_TRACKER = (url, request) -> Uni.createFrom()
            .failure(new IllegalStateException("no tracker in this test"));

    private Vertx vertx;
    private Context context;
    private final List<PeerServer> servers = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext extension) {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    @Override
    public void afterEach(ExtensionContext extension) throws Exception {
        for (PeerServer server : servers) {
            server.close();
        }
        servers.clear();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    Vertx vertx() {
        return vertx;
    }

    /** The engine context: sessions built here and the sockets their servers accept live on it. */
    Context context() {
        return context;
    }

    /** A random peer id with our client prefix. */
    static byte[] newPeerId() {
        byte[] id = new byte[20];
        ThreadLocalRandom.current().nextBytes(id);
        System.arraycopy("-BM0100-".getBytes(), 0, id, 0, 8);
        return id;
    }

    /** A session with default settings on the engine context, no tracker; {@code verified} null = check files first. */
    TorrentSession session(byte[] peerId, TorrentMeta meta, Path dir, BitSet verified) {
        return session(peerId, meta, dir, SessionSettings.DEFAULTS, verified);
    }

    TorrentSession session(byte[] peerId, TorrentMeta meta, Path dir, SessionSettings settings, BitSet verified) {
        return new TorrentSession(vertx, context, peerId, 0, NO_TRACKER, meta, dir, settings, null, verified);
    }

    /** A leecher that starts with nothing (no check of its folder). */
    TorrentSession leecher(TorrentMeta meta, Path dir) {
        return session(newPeerId(), meta, dir, new BitSet());
    }

    /** A session that listens for peers: {@code port} is where they dial it. */
    record Listening(TorrentSession session, byte[] peerId, int port) {
    }

    /** A seeder that checks its folder, listening on loopback, started and checked to the last piece. */
    Listening seeder(TorrentMeta meta, Path dir) throws Exception {
        byte[] id = newPeerId();
        TorrentSession seeder = session(id, meta, dir, null);
        int port = listen(meta, id, seeder);
        seeder.start().await().atMost(Duration.ofSeconds(30));
        return new Listening(seeder, id, port);
    }

    /**
     * A seeder trusted to hold every piece of {@code meta} in {@code dir} (no check), listening with {@code server}
     * on the engine context, started.
     */
    Listening completeSeeder(TorrentMeta meta, Path dir, PeerServer server) throws Exception {
        byte[] id = newPeerId();
        BitSet all = new BitSet();
        all.set(0, meta.pieceCount());
        TorrentSession seeder = session(id, meta, dir, all);
        int port = listen(context, server, meta, id, seeder);
        seeder.start().await().atMost(Duration.ofSeconds(10));
        return new Listening(seeder, id, port);
    }

    /** Listens on loopback (a new server on the engine context) for {@code session}'s torrent. */
    int listen(TorrentMeta meta, byte[] peerId, TorrentSession session) throws Exception {
        return listen(context, new PeerServer(), meta, peerId, session);
    }

    /** The same on {@code on} with {@code server} (closed after the test, like every server of the harness). */
    int listen(Context on, PeerServer server, TorrentMeta meta, byte[] peerId, TorrentSession session)
            throws Exception {
        if (!servers.contains(server)) {
            servers.add(server);
        }
        return listen(vertx, on, server, meta, peerId, session);
    }

    /** Starts {@code server} on {@code on} (so accepted sockets live there) for one session; its port. */
    static int listen(Vertx vertx, Context on, PeerServer server, TorrentMeta meta, byte[] peerId,
            TorrentSession session) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        on.runOnContext(v -> server.listen(vertx, "127.0.0.1", 0,
                ih -> ih.equals(meta.infoHash()) ? Optional.of(Handshake.ours(ih, peerId)) : Optional.empty(),
                session::acceptIncoming).onComplete(ar -> {
                    if (ar.succeeded()) {
                        port.complete(ar.result());
                    } else {
                        port.completeExceptionally(ar.cause());
                    }
                }));
        return port.get(10, TimeUnit.SECONDS);
    }

    /** A server closed after the test, for tests that listen with their own accept logic. */
    PeerServer server() {
        return server(new PeerServer());
    }

    /** {@code server}, closed after the test. */
    PeerServer server(PeerServer server) {
        servers.add(server);
        return server;
    }

    /** Every event of a session as it comes, and a future completed by its first {@code Completed}. */
    record Recorder(ConcurrentLinkedQueue<TorrentEvent> events, CompletableFuture<Void> completed) {

        long count(Predicate<TorrentEvent> which) {
            return events.stream().filter(which).count();
        }

        /** Waits for the download to complete, at most {@code seconds}. */
        void awaitCompleted(long seconds) throws Exception {
            completed.get(seconds, TimeUnit.SECONDS);
        }
    }

    /** Subscribes to {@code session}'s events from now on. */
    static Recorder record(TorrentSession session) {
        Recorder recorder = new Recorder(new ConcurrentLinkedQueue<>(), new CompletableFuture<>());
        session.events().subscribe().with(e -> {
            recorder.events().add(e);
            if (e instanceof TorrentEvent.Completed) {
                recorder.completed().complete(null);
            }
        });
        return recorder;
    }
}

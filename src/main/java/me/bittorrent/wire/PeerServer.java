package me.bittorrent.wire;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import me.bittorrent.metainfo.InfoHash;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Accepts incoming peer connections: reads the peer's handshake (with a timeout), looks up our handshake for its
 * info-hash (unknown torrent: the socket is closed), answers, and hands the {@link PeerConnection} over.
 * Connections run on the context that called {@link #listen}.
 */
public final class PeerServer {

    private static final Logger LOG = Logger.getLogger(PeerServer.class);
    private static final Handler<AsyncResult<Void>> NO_CALLBACK = null;

    /** Short: a socket that does not handshake holds a descriptor and a half-open slot until then. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final Duration handshakeTimeout;
    private final ConnectionSettings settings;
    private final IncomingGate gate;
    private NetServer server;

    public PeerServer() {
        this(HANDSHAKE_TIMEOUT, ConnectionSettings.DEFAULTS, new IncomingGate(IncomingGate.Caps.forThisProcess()));
    }

    public PeerServer(Duration handshakeTimeout, ConnectionSettings settings) {
        this(handshakeTimeout, settings, new IncomingGate(IncomingGate.Caps.forThisProcess()));
    }

    public PeerServer(Duration handshakeTimeout, ConnectionSettings settings, IncomingGate gate) {
        this.handshakeTimeout = handshakeTimeout;
        this.settings = settings;
        this.gate = gate;
    }

    /** The caps on incoming connections and their counts. */
    public IncomingGate gate() {
        return gate;
    }

    /**
     * Starts listening; port 0 picks a free port. The future holds the bound port.
     *
     * @param ourHandshakeFor our handshake for a torrent we serve, empty for one we do not
     * @param accepted        receives each handshaken connection; it should set the connection's handlers (and,
     *                        for a torrent with very many pieces, {@link PeerConnection#maxFrameLength})
     */
    public Future<Integer> listen(Vertx vertx, String host, int port,
                                  Function<InfoHash, Optional<Handshake>> ourHandshakeFor,
                                  Consumer<PeerConnection> accepted) {
        if (server != null) {
            return Future.failedFuture(new IllegalStateException("the peer server is already listening"));
        }
        Promise<Integer> promise = Promise.promise();
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            NetServer s = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
            server = s;
            s.connectHandler(socket -> accept(vertx, socket, ourHandshakeFor, accepted));
            s.listen(port, host).onComplete(ar -> {
                if (ar.succeeded()) {
                    IncomingGate.Caps caps = gate.caps();
                    LOG.debugf("Listening for peers on %s:%d: at most %d incoming connections, %d of them before"
                            + " their handshake (%d s), %d per address", host, ar.result().actualPort(),
                            caps.maxConnections(), caps.maxHalfOpen(), handshakeTimeout.toSeconds(), caps.maxPerIp());
                    promise.complete(ar.result().actualPort());
                } else {
                    server = null;
                    promise.fail(ar.cause());
                }
            });
        });
        return promise.future();
    }

    public Future<Void> close() {
        NetServer s = server;
        server = null;
        return s == null ? Future.succeededFuture() : s.close();
    }

    private void accept(Vertx vertx, NetSocket socket, Function<InfoHash, Optional<Handshake>> ourHandshakeFor,
                        Consumer<PeerConnection> accepted) {
        String ip = socket.remoteAddress().host();
        String from = ip + ":" + socket.remoteAddress().port();
        if (!gate.tryOpen(ip)) {
            // over a cap: closed before reading anything (a flood of sockets must not exhaust descriptors)
            LOG.debugf("Refused %s: too many incoming connections", from);
            socket.close();
            return;
        }
        new HandshakeReader(vertx, socket, handshakeTimeout, (remote, rest) -> {
            Optional<Handshake> ours = ourHandshakeFor.apply(remote.infoHash());
            if (ours.isEmpty()) {
                LOG.debugf("Refused %s: it asked for torrent %s, which we do not serve", from, remote.infoHash());
                socket.close();
                gate.closed(ip, false);
                return;
            }
            if (remote.samePeerId(ours.get())) {
                LOG.debugf("Refused %s: it is ourselves", from);
                socket.close();
                gate.closed(ip, false);
                return;
            }
            gate.handshaken();
            socket.write(ours.get().encode(), NO_CALLBACK);
            PeerConnection connection = PeerConnection.accepted(vertx, socket, remote, rest, settings);
            connection.whenClosed(() -> gate.closed(ip, true));
            accepted.accept(connection);
        }, reason -> {
            gate.closed(ip, false);
            LOG.debugf("Dropped incoming connection from %s: %s", from, reason);
        });
    }
}

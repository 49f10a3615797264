package me.bittorrent.engine.session;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerServer;

/**
 * One listening port for every torrent (BT_PEER_PORT): the PeerServer listens from the engine context, so
 * accepted sockets live there, and each handshaken connection goes to the session registered for its
 * info-hash; an unknown info-hash is refused by the PeerServer. Register a session once it is started and
 * unregister it when it stops.
 */
public final class PeerListener {

    private record Entry(Consumer<PeerConnection> session, InfoHash infoHash, byte[] peerId, IntSupplier dhtPort) {
        /** Built per connection: the DHT bit follows the DHT switch live. */
        Handshake ours() {
            return Handshake.ours(infoHash, peerId, dhtPort.getAsInt() > 0);
        }
    }

    private final PeerServer server;
    private final Map<InfoHash, Entry> sessions = new ConcurrentHashMap<>();

    public PeerListener(PeerServer server) {
        this.server = server;
    }

    public PeerListener() {
        this(new PeerServer());
    }

    /** Listens on host:port (0 = any free port) from the engine context; the future holds the bound port. */
    public Future<Integer> listen(Vertx vertx, Context engineContext, String host, int port) {
        Promise<Integer> bound = Promise.promise();
        engineContext.runOnContext(v -> server.listen(vertx, host, port,
                infoHash -> Optional.ofNullable(sessions.get(infoHash)).map(Entry::ours),
                connection -> {
                    Entry entry = sessions.get(connection.remoteHandshake().infoHash());
                    if (entry == null) {
                        connection.close("torrent no longer served");
                    } else {
                        entry.session().accept(connection);
                    }
                }).onComplete(bound));
        return bound.future();
    }

    /** The incoming caps over every torrent (the global connection budget counts them). */
    public me.bittorrent.wire.IncomingGate gate() {
        return server.gate();
    }

    public void register(TorrentSession session, byte[] peerId) {
        sessions.put(session.meta().infoHash(), new Entry(session::acceptIncoming, session.meta().infoHash(),
                peerId.clone(), session::dhtPort));
    }

    /**
     * Routes inbound connections for {@code infoHash} to {@code accept} (e.g. a magnet's {@link MetadataSession},
     * which does not offer the DHT in its handshake).
     */
    public void register(InfoHash infoHash, Consumer<PeerConnection> accept, byte[] peerId) {
        sessions.put(infoHash, new Entry(accept, infoHash, peerId.clone(), () -> 0));
    }

    public void unregister(InfoHash infoHash) {
        sessions.remove(infoHash);
    }

    public Future<Void> close() {
        sessions.clear();
        return server.close();
    }
}

package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.storage.Sha1;
import me.bittorrent.tracker.AnnounceEvent;
import me.bittorrent.tracker.AnnounceRequest;
import me.bittorrent.tracker.AnnounceResponse;
import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.tracker.TrackerClient;
import me.bittorrent.tracker.TrackerStatus;
import me.bittorrent.tracker.TrackerTiers;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.PeerMessage;

/**
 * A magnet link's first phase: find peers (trackers, {@code x.pe}, {@link #addPeer}: the DHT's entry point too),
 * and fetch the info dictionary from them over BEP 10 + BEP 9 ut_metadata ({@link MetadataAssembly} decides what
 * to ask whom). {@link #metadata()} completes with the bytes whose SHA-1 is the info-hash and the addresses
 * learned, for the {@link TorrentSession} that takes over; the caller validates them as a .torrent. Peers asking
 * us for metadata are rejected (we have none yet). A peer that sends metadata with the wrong hash, of the wrong
 * size, a malformed message, or leaves a request unanswered 20 s is dropped; one that lied is not dialled again.
 *
 * <p>Threading: as {@link TorrentSession}: every field on the engine context; public methods hop onto it.
 */
public final class MetadataSession {

    private static final Logger LOG = Logger.getLogger(MetadataSession.class);

    /** Frames up to 1 MiB: the ut_metadata pieces, and the bitfield of a torrent of up to 8 million pieces. */
    static final int MAX_FRAME = 1024 * 1024 + 1;

    /** The verified info dictionary and the peers known at that moment. */
    public record Fetched(byte[] info, List<PeerAddress> peers) {
    }

    /** What we know of a peer from its extension handshake. */
    private static final class Remote {
        int utMetadataId;
        long metadataSize = -1;
    }

    private final Vertx vertx;
    private final Context context;
    private final byte[] peerId;
    private final int listenPort;
    private final InfoHash infoHash;
    private final String name;
    private final int announceKey = ThreadLocalRandom.current().nextInt();
    private final BanPolicy bans = new BanPolicy();
    private final Swarm swarm;
    private final Announcer announcer;
    private final boolean hasTrackers;
    private final MetadataAssembly assembly = new MetadataAssembly();
    private final Map<Peer, Remote> remotes = new HashMap<>();
    private final Promise<Fetched> result = Promise.promise();

    private boolean started;
    private boolean stopping;
    private boolean hashing;
    private long timer = -1;
    private volatile int peersAsked;
    private volatile int peersConnected;
    private volatile List<TrackerStatus> trackerStatuses = List.of();

    /**
     * @param trackerTiers the magnet's {@code tr} URLs (one tier each: all are asked)
     * @param peers        the magnet's {@code x.pe} addresses
     */
    public MetadataSession(Vertx vertx, Context context, byte[] peerId, int listenPort, TrackerClient trackers,
            InfoHash infoHash, String name, List<List<String>> trackerTiers, List<PeerAddress> peers,
            SessionSettings settings) {
        this.vertx = vertx;
        this.context = context;
        this.peerId = peerId.clone();
        this.listenPort = listenPort;
        this.infoHash = infoHash;
        this.name = name;
        this.hasTrackers = trackerTiers.stream().anyMatch(t -> !t.isEmpty());
        this.swarm = new Swarm(vertx, infoHash, name, 0, this.peerId, bans, settings, new Host());
        this.announcer = new Announcer(vertx, context, new TrackerTiers(trackerTiers, trackers), hasTrackers,
                this::announceRequest, this::onTrackerAnswer, event -> { });
        context.runOnContext(v -> peers.forEach(swarm::learn));
    }

    public InfoHash infoHash() {
        return infoHash;
    }

    /** Completes on the engine context once the info dictionary arrived and hashed to the info-hash. */
    public Future<Fetched> metadata() {
        return result.future();
    }

    /** Peers we have a metadata request in flight with (the number the API shows beside the state). */
    public int peersAsked() {
        return peersAsked;
    }

    public int peersConnected() {
        return peersConnected;
    }

    public List<TrackerStatus> trackers() {
        return trackerStatuses;
    }

    public Uni<Void> start() {
        return onContext(() -> {
            if (!started) {
                started = true;
                LOG.infof("'%s': fetching the torrent's metadata from peers", name);
                announcer.start();
                swarm.connectMore();
                timer = vertx.setPeriodic(1000, id -> everySecond());
            }
            return Future.succeededFuture();
        });
    }

    /** Closes the peers, tells the trackers we stopped; the metadata future stays as it is. */
    public Uni<Void> stop() {
        return onContext(() -> {
            if (stopping) {
                return Future.succeededFuture();
            }
            stopping = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            swarm.closeAll("torrent stopped");
            return announcer.stop().eventually(() -> {
                swarm.close();
                return Future.succeededFuture();
            });
        });
    }

    /** An inbound connection for this info-hash. */
    public void acceptIncoming(PeerConnection connection) {
        context.runOnContext(v -> swarm.accept(connection));
    }

    /** Peers found for this info-hash (by a tracker, the DHT, a user): dialled as the caps allow. */
    public void addPeer(String host, int port) {
        context.runOnContext(v -> {
            swarm.learn(new PeerAddress(host, port));
            swarm.connectMore();
        });
    }

    // ---- engine context ----------------------------------------------------------------------------------

    private boolean running() {
        return started && !stopping && !result.future().isComplete();
    }

    private void everySecond() {
        if (!running()) {
            return;
        }
        for (String late : assembly.expired(System.nanoTime())) {
            peerNamed(late).ifPresent(p -> p.close("did not answer a metadata request within "
                    + MetadataAssembly.REQUEST_TIMEOUT_NANOS / 1_000_000_000 + " s"));
        }
        swarm.connectMore();
        if (swarm.size() == 0 && swarm.halfOpen() == 0) {
            announcer.reannounceIfDue();
        }
        askAll();
        publish();
    }

    private void publish() {
        peersAsked = assembly.peersAsked();
        peersConnected = swarm.size();
        trackerStatuses = announcer.statuses();
    }

    private java.util.Optional<Peer> peerNamed(String address) {
        return swarm.peers().stream().filter(p -> p.address.equals(address)).findFirst();
    }

    private void askAll() {
        for (Peer peer : new ArrayList<>(swarm.peers())) {
            ask(peer);
        }
    }

    private void ask(Peer peer) {
        Remote remote = remotes.get(peer);
        if (remote == null || remote.utMetadataId == 0 || hashing || !running()) {
            return;
        }
        List<PeerMessage> requests = new ArrayList<>();
        for (int piece : assembly.pick(peer.address, remote.metadataSize, System.nanoTime())) {
            requests.add(new PeerMessage.Extended(remote.utMetadataId, UtMetadata.request(piece)));
        }
        if (!requests.isEmpty()) {
            peer.link.sendAll(requests);
            publish();
        }
    }

    private void on(Peer peer, PeerMessage message) {
        if (!swarm.isConnected(peer) || !(message instanceof PeerMessage.Extended extended)) {
            return; // bitfield, have, choke...: nothing to do before the metadata is known
        }
        Remote remote = remotes.computeIfAbsent(peer, p -> new Remote());
        if (extended.id() == 0) {
            Map<String, Object> dict = ExtensionHandshake.decode(extended.payload());
            remote.utMetadataId = ExtensionHandshake.utMetadataId(dict);
            remote.metadataSize = ExtensionHandshake.metadataSize(dict);
            String refused = remote.utMetadataId == 0 ? "does not offer metadata (no ut_metadata)"
                    : MetadataAssembly.refuseSize(remote.metadataSize);
            if (refused != null) {
                swarm.dismiss(peer.address); // it will not offer other metadata during this fetch
                peer.close(refused);
                return;
            }
            ask(peer);
        } else if (extended.id() == UtMetadata.OUR_ID) {
            UtMetadata.Message m = UtMetadata.decode(extended.payload());
            if (m == null) {
                peer.close("sent a malformed ut_metadata message");
            } else if (m.type() == UtMetadata.REQUEST) {
                if (remote.utMetadataId != 0) {
                    peer.send(new PeerMessage.Extended(remote.utMetadataId, UtMetadata.reject(m.piece())));
                }
            } else if (m.type() == UtMetadata.REJECT) {
                LOG.debugf("'%s': %s rejected metadata piece %d", name, peer.address, m.piece());
                assembly.rejected(peer.address, m.piece(), System.nanoTime());
                askAll();
            } else {
                onData(peer, m);
            }
        }
    }

    private void onData(Peer peer, UtMetadata.Message m) {
        Object outcome = assembly.received(peer.address, m.piece(), m.totalSize(), m.data());
        if (outcome instanceof String violation) {
            LOG.infof("'%s': dropping %s: it %s", name, peer.address, violation);
            peer.close(violation);
        } else if (outcome == MetadataAssembly.Outcome.COMPLETE) {
            byte[] bytes = assembly.complete();
            hashing = true;
            vertx.executeBlocking(() -> Sha1.digest(bytes), false).onComplete(ar -> {
                hashing = false;
                if (!running()) {
                    return;
                }
                if (ar.succeeded() && Sha1.equals(ar.result(), infoHash.bytes())) {
                    LOG.infof("'%s': metadata received (%d bytes), its hash matches", name, bytes.length);
                    List<PeerAddress> known = swarm.knownAddresses();
                    swarm.closeAll("metadata received; the download starts");
                    result.complete(new Fetched(bytes, known));
                    return;
                }
                List<String> culprits = assembly.hashFailed();
                LOG.warnf("'%s': the metadata received does not match the info-hash (from %s); asking again", name,
                        culprits.isEmpty() ? "several peers: asking one at a time now" : String.join(", ", culprits));
                for (String culprit : culprits) {
                    bans.banAddress(culprit);
                    peerNamed(culprit).ifPresent(p -> {
                        bans.banAddress(p.peerIdHex); // by address and peer id: honest peers may share its IP
                        p.close("sent metadata that does not match the info-hash");
                    });
                }
                askAll();
            });
        } else if (outcome == MetadataAssembly.Outcome.PROGRESS) {
            ask(peer);
        }
    }

    /** What the {@link Swarm} asks of this phase. */
    private final class Host implements Swarm.Host {

        @Override
        public boolean running() {
            return MetadataSession.this.running();
        }

        @Override
        public boolean dialling() {
            return running();
        }

        @Override
        public boolean haveAll() {
            return false;
        }

        @Override
        public int listenPort() {
            return listenPort;
        }

        @Override
        public void connected(Peer peer, PeerConnection connection) {
            if (!connection.remoteHandshake().supportsExtensions()) {
                peer.close("does not support the extension protocol, so it cannot send metadata");
                return;
            }
            connection.maxFrameLength(MAX_FRAME);
            // ours first: setting the handler delivers what the peer sent meanwhile (its extension handshake),
            // and our requests must not reach the peer before our handshake (libtorrent drops us then)
            peer.send(new PeerMessage.Extended(0, ExtensionHandshake.ours(listenPort)));
            connection.handler(message -> on(peer, message));
        }

        @Override
        public void disconnected(Peer peer, String reason) {
            remotes.remove(peer);
            assembly.peerLeft(peer.address);
            LOG.debugf("'%s': %s left: %s", name, peer.address, reason);
            askAll();
            publish();
        }
    }

    private AnnounceRequest announceRequest(AnnounceEvent event) {
        // left is unknown: say 16 KiB so no tracker takes us for a seed
        return new AnnounceRequest(infoHash, peerId, listenPort, 0, 0, UtMetadata.PIECE_SIZE, event,
                event == AnnounceEvent.STOPPED ? 0 : 50, announceKey);
    }

    private void onTrackerAnswer(AnnounceResponse answer) {
        for (PeerAddress address : answer.peers()) {
            swarm.learn(address);
        }
        swarm.connectMore();
    }

    private <T> Uni<T> onContext(Supplier<Future<T>> action) {
        return Uni.createFrom().emitter(emitter -> context.runOnContext(v -> action.get().onComplete(ar -> {
            if (ar.succeeded()) {
                emitter.complete(ar.result());
            } else {
                emitter.fail(ar.cause());
            }
        })));
    }
}

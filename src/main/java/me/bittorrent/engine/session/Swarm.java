package me.bittorrent.engine.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import me.bittorrent.metainfo.InfoHash;
import me.bittorrent.metainfo.TorrentMeta;
import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.wire.ConnectionSettings;
import me.bittorrent.wire.Handshake;
import me.bittorrent.wire.PeerConnection;
import me.bittorrent.wire.SelfConnectionException;

/**
 * Who we are connected to and who we may dial: established peers, known addresses, half-open dials with
 * back-off, the peer caps, and bans applied to connections. Engine context only.
 */
final class Swarm {

    /** Logged under the session's category, as before the split. */
    private static final Logger LOG = Logger.getLogger(TorrentSession.class);

    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_HALF_OPEN = 16;
    static final int MAX_KNOWN = 2000;
    /** Dial failures before an address is forgotten; the back-off doubles from 10 s up to then. */
    static final int MAX_FAILURES = 6;
    /** A peer that hung up on us is not dialled again for this long. */
    static final long HUNG_UP_BACKOFF_NANOS = 30_000_000_000L;

    /** What the swarm needs from its session. */
    interface Host {
        /** Connections are welcome at all (started, files open, not stopping). */
        boolean running();

        /** Dial now (running, and not paused with nothing left to download). */
        boolean dialling();

        /** Every piece of the torrent is verified (seeds are not worth a connection then). */
        boolean haveAll();

        /** Our port: an address on this machine with it is ourselves. */
        int listenPort();

        /** Our handshake carries the DHT bit (BEP 5): the DHT is on and the torrent is not private. */
        default boolean dht() {
            return false;
        }

        /** A peer joined: set its connection's handlers, send bitfield and handshake. */
        void connected(Peer peer, PeerConnection connection);

        /** A peer left (once per peer): give back what it held. */
        void disconnected(Peer peer, String reason);
    }

    private final Vertx vertx;
    /** The torrent as the swarm needs it (a magnet's metadata phase has no TorrentMeta yet: 0 pieces). */
    private record Identity(InfoHash infoHash, String name, int pieceCount) {
    }

    private final Identity meta;
    private final byte[] peerId;
    private final BanPolicy bans;
    private final Host host;
    private SessionSettings settings;
    private NetClient netClient;
    /** The global connection cap shared by every torrent, or null (tests: no global cap). */
    private me.bittorrent.wire.ConnectionBudget budget;

    /** Established connections by address. */
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Set<String> connectedPeerIds = new HashSet<>();
    /** Addresses to dial, from trackers and addPeer. */
    private final Map<String, PeerAddress> known = new LinkedHashMap<>();
    private final Map<String, Integer> connectFailures = new HashMap<>();
    private final Map<String, Long> retryAfterNanos = new HashMap<>();
    private final Set<String> connecting = new HashSet<>();
    /** Addresses of seeds we hung up on because we have everything too. */
    private final Set<String> seedAddresses = new HashSet<>();
    /** Known addresses of peers that cannot help this swarm: never dialled again by it. */
    private final Set<String> dismissed = new HashSet<>();

    Swarm(Vertx vertx, TorrentMeta meta, byte[] peerId, BanPolicy bans, SessionSettings settings, Host host) {
        this(vertx, meta.infoHash(), meta.name(), meta.pieceCount(), peerId, bans, settings, host);
    }

    /** For a torrent known only by its info-hash (a magnet fetching its metadata): no piece counts yet. */
    Swarm(Vertx vertx, InfoHash infoHash, String name, int pieceCount, byte[] peerId, BanPolicy bans,
            SessionSettings settings, Host host) {
        this.vertx = vertx;
        this.meta = new Identity(infoHash, name, pieceCount);
        this.peerId = peerId;
        this.bans = bans;
        this.settings = settings;
        this.host = host;
    }

    void settings(SessionSettings newSettings) {
        settings = newSettings;
    }

    /** The established peers, in connection order (read-only view). */
    Collection<Peer> peers() {
        return Collections.unmodifiableCollection(peers.values());
    }

    int size() {
        return peers.size();
    }

    int halfOpen() {
        return connecting.size();
    }

    /** True while {@code peer} is the live connection for its address (not closed, not replaced). */
    boolean isConnected(Peer peer) {
        return peers.get(peer.address) == peer;
    }

    /** Addresses known or connected, counted once. */
    int knownOrConnected() {
        Set<String> all = new HashSet<>(known.keySet());
        all.addAll(peers.keySet());
        return all.size();
    }

    /** The addresses we may dial (from trackers, the DHT, x.pe, addPeer), for a session that takes over. */
    List<PeerAddress> knownAddresses() {
        return List.copyOf(known.values());
    }

    int seeds() {
        int n = 0;
        for (Peer peer : peers.values()) {
            if (peer.isSeed(meta.pieceCount())) {
                n++;
            }
        }
        return n;
    }

    // ---- addresses and dials -----------------------------------------------------------------------------

    void learn(PeerAddress address) {
        if (address.port() <= 0 || isSelf(address) || known.size() >= MAX_KNOWN) {
            return;
        }
        known.putIfAbsent(address.host() + ":" + address.port(), address);
    }

    private boolean isSelf(PeerAddress address) {
        if (address.port() != host.listenPort()) {
            return false;
        }
        String h = address.host();
        return h.startsWith("127.") || h.equals("localhost") || h.equals("0.0.0.0") || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    /**
     * The peer at {@code address} cannot help this swarm (a magnet's fetch: it offers no metadata, or claims a size
     * we refuse): it is not dialled again, where a peer that hung up is redialled after 30 s. It stays known, so
     * the download that follows the fetch may still dial it.
     */
    void dismiss(String address) {
        if (known.containsKey(address)) {
            dismissed.add(address); // a subset of known: bounded by MAX_KNOWN
        }
    }

    /** Dials known addresses up to the caps (and at most {@link #MAX_HALF_OPEN} at once). */
    void connectMore() {
        if (!host.dialling()) {
            return;
        }
        long now = System.nanoTime();
        boolean complete = host.haveAll();
        int limit = Math.min(settings.maxPeers(), settings.maxConnections());
        for (Map.Entry<String, PeerAddress> entry : known.entrySet()) {
            if (peers.size() + connecting.size() >= limit || connecting.size() >= MAX_HALF_OPEN) {
                return;
            }
            String address = entry.getKey();
            Long retry = retryAfterNanos.get(address);
            if (peers.containsKey(address) || connecting.contains(address) || bans.isBanned(address)
                    || bans.hostBanned(entry.getValue().host()) || (retry != null && retry - now > 0)
                    || (complete && seedAddresses.contains(address)) || dismissed.contains(address)) {
                continue;
            }
            if (budget != null && !budget.tryDial()) {
                return; // every connection of the service is taken: the dial waits for the next round
            }
            dial(address, entry.getValue());
        }
    }

    /** Dials take a place in {@code budget} (shared by every torrent) first. */
    void connectionBudget(me.bittorrent.wire.ConnectionBudget budget) {
        this.budget = budget;
    }

    private void dial(String address, PeerAddress target) {
        if (netClient == null) {
            netClient = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true)
                    .setConnectTimeout((int) HANDSHAKE_TIMEOUT.toMillis()));
        }
        connecting.add(address);
        PeerConnection.connect(vertx, netClient, target.host(), target.port(),
                Handshake.ours(meta.infoHash(), peerId, host.dht()), HANDSHAKE_TIMEOUT,
                ConnectionSettings.forPieceCount(meta.pieceCount())).onComplete(ar -> {
                    connecting.remove(address);
                    if (ar.failed()) {
                        if (budget != null) {
                            budget.dialFailed();
                        }
                        dialFailed(address, ar.cause());
                        return;
                    }
                    connectFailures.remove(address);
                    PeerConnection connection = ar.result();
                    if (budget != null) {
                        budget.holdUntilClosed(connection);
                    }
                    if (!host.running()) {
                        connection.close("torrent not running");
                        return;
                    }
                    attach(connection, address, true);
                });
    }

    private void dialFailed(String address, Throwable cause) {
        if (cause instanceof SelfConnectionException) {
            known.remove(address); // the tracker handed us our own address
            bans.banAddress(address);
            return;
        }
        int failures = connectFailures.merge(address, 1, Integer::sum);
        LOG.debugf("could not connect to %s: %s", address, cause.getMessage());
        // back off 10 s, 20 s, 40 s ... and forget an address after 6 failures
        retryAfterNanos.put(address, System.nanoTime() + (10_000_000_000L << Math.min(failures, MAX_FAILURES)));
        if (failures >= MAX_FAILURES) {
            known.remove(address);
        }
    }

    // ---- connections -------------------------------------------------------------------------------------

    /** An inbound connection the PeerServer accepted for this torrent. */
    void accept(PeerConnection connection) {
        String address = connection.remoteHost() + ":" + connection.remotePort();
        if (!host.running() || peers.size() >= settings.maxPeers()
                || peers.size() + connecting.size() >= settings.maxConnections()) {
            connection.close(host.running() ? "too many connections" : "torrent not running");
            return;
        }
        attach(connection, address, false);
    }

    private void attach(PeerConnection connection, String address, boolean outbound) {
        Peer peer = Peer.over(connection, address, outbound);
        if (bans.isBanned(peer.peerIdHex) || bans.isBanned(address) || bans.hostBanned(peer.host)) {
            connection.close("banned: sent corrupt data before");
            return;
        }
        if (peers.containsKey(address) || connectedPeerIds.contains(peer.peerIdHex)) {
            connection.close("already connected to this peer");
            return;
        }
        if (peers.size() >= settings.maxPeers() || peers.size() + connecting.size() >= settings.maxConnections()) {
            connection.close("too many connections");
            return;
        }
        peers.put(address, peer);
        connectedPeerIds.add(peer.peerIdHex);
        host.connected(peer, connection);
        connection.closeHandler(reason -> closed(peer, reason));
        LOG.debugf("%s: connected to %s (%s)", meta.name(), address, outbound ? "outgoing" : "incoming");
    }

    private void closed(Peer peer, String reason) {
        if (peers.get(peer.address) != peer) {
            return;
        }
        peers.remove(peer.address);
        connectedPeerIds.remove(peer.peerIdHex);
        if (peer.outbound) {
            // do not hammer a peer that just hung up on us
            retryAfterNanos.put(peer.address, System.nanoTime() + HUNG_UP_BACKOFF_NANOS);
        }
        LOG.debugf("%s: %s disconnected: %s", meta.name(), peer.address, reason);
        host.disconnected(peer, reason);
    }

    /** Both sides have every piece: nothing to trade, so hang up and do not dial the seed again while we seed. */
    boolean closeIfBothSeeds(Peer peer) {
        if (peer.isSeed(meta.pieceCount()) && host.haveAll()) {
            seedAddresses.add(peer.address);
            peer.close("both sides have every piece");
            return true;
        }
        return false;
    }

    /** Closes the least useful peers ({@link PeerRanking}) beyond the caps, e.g. after they were lowered. */
    void enforceCaps(boolean seeding) {
        int cap = Math.min(settings.maxPeers(), settings.maxConnections() - connecting.size());
        if (peers.size() <= cap) {
            return;
        }
        List<Peer> ranked = PeerRanking.leastUsefulFirst(peers.values(), System.currentTimeMillis(), seeding);
        int excess = peers.size() - Math.max(0, cap); // counted first: closing removes them at once
        for (int i = 0; i < excess; i++) {
            Peer peer = ranked.get(i);
            LOG.infof("%s: closing %s, the least useful peer, to honour the new connection limit", meta.name(),
                    peer.address);
            peer.close("fewer connections allowed now");
        }
    }

    /** Closes every peer (stop). */
    void closeAll(String reason) {
        for (Peer peer : new ArrayList<>(peers.values())) {
            peer.close(reason);
        }
    }

    /** Closes the dialling client; call after {@link #closeAll}. */
    void close() {
        if (netClient != null) {
            netClient.close();
        }
    }

    // ---- bans --------------------------------------------------------------------------------------------

    /**
     * Applies the ban policy's verdict: the banned peers are closed, and their IP address is banned for the
     * torrent's life (as is the address we dialled), so a new peer id from the same host is refused too.
     */
    void ban(List<String> peerIdsHex) {
        for (String id : peerIdsHex) {
            for (Peer peer : new ArrayList<>(peers.values())) {
                if (peer.peerIdHex.equals(id)) {
                    if (peer.outbound) {
                        bans.banAddress(peer.address);
                    }
                    bans.banHost(peer.host);
                    LOG.warnf("'%s': peer %s (and its address %s) banned: it sent corrupt data (%d pieces it alone"
                            + " sent failed, or a block of a piece that passed later differed)", meta.name(),
                            peer.address, peer.host, BanPolicy.STRIKES_TO_BAN);
                    peer.close("banned: sent corrupt data");
                }
            }
        }
    }

    /** The address of a connected peer id, in words. */
    String addressOf(String peerIdHex) {
        for (Peer peer : peers.values()) {
            if (peer.peerIdHex.equals(peerIdHex)) {
                return peer.address;
            }
        }
        return "that has left";
    }

    /** Who sent a piece, in words: the addresses still connected and a count of those gone. */
    String describeSenders(String[] blockSenders) {
        Set<String> senders = BanPolicy.distinct(blockSenders);
        List<String> from = new ArrayList<>();
        for (Peer peer : peers.values()) {
            if (senders.contains(peer.peerIdHex)) {
                from.add(peer.address);
            }
        }
        if (from.size() < senders.size()) {
            from.add((senders.size() - from.size()) + " peer(s) now gone");
        }
        return String.join(", ", from);
    }
}

package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import me.bittorrent.tracker.PeerAddress;
import me.bittorrent.wire.PeerMessage;

/**
 * BEP 11 peer exchange for one torrent, as libtorrent does it. Sending: a peer that speaks ut_pex gets the peers
 * we are connected to right after its extension handshake, then, once a minute, a round's changes: the peers
 * connected since the last round ({@code added}, with seed and reachable flags) and those gone ({@code dropped}),
 * 50 of each at most (the rest waits for the next round). Only peers whose listen port we know are passed on.
 * Receiving: at most one message per peer per {@link #MIN_GAP_IN_NANOS} is honoured (the others are dropped
 * unread), each trimmed to 50 added and 50 dropped ({@link UtPex}), and a peer has at most {@link #MAX_LEARNED}
 * addresses it told us about at any time; they go where tracker and DHT peers go ({@code learn}: self, the known
 * cap, bans and the connection budget apply there). Nothing of this happens while {@code on} is false: PEX off,
 * or a private torrent (BEP 27). Engine context only.
 */
final class PeerExchange {

    private static final Logger LOG = Logger.getLogger(TorrentSession.class);

    static final long ROUND_NANOS = 60_000_000_000L;
    /** A peer's PEX messages closer together than this are dropped (libtorrent sends one a minute). */
    static final long MIN_GAP_IN_NANOS = 45_000_000_000L;
    /** We never send a peer two messages closer together than this (libtorrent drops a peer that floods it). */
    static final long MIN_GAP_OUT_NANOS = 50_000_000_000L;
    /** Addresses one peer may have told us about (and not dropped) at once: libtorrent's max_pex_peers. */
    static final int MAX_LEARNED = 50;
    /** The last round's view is at most this large (the swarm's cap on addresses). */
    static final int MAX_ROUND = Swarm.MAX_KNOWN;

    private final String name;
    private final Supplier<Collection<Peer>> peers;
    private final IntSupplier pieceCount;
    private final Consumer<PeerAddress> learn;
    private final BooleanSupplier on;

    /** The peers passed on as of the last round: address key -> what was announced. */
    private final Map<String, UtPex.Added> lastRound = new LinkedHashMap<>();
    private List<UtPex.Added> roundAdded = List.of();
    private List<PeerAddress> roundDropped = List.of();
    private int round;
    /** When the next round is due; set a minute after this unit first hears of the time (0 until then). */
    private long nextRoundNanos;
    private boolean clockStarted;
    /** PEX messages dropped because they came too soon after the one before (for logs and tests). */
    private long floods;

    /**
     * @param peers      the connected peers
     * @param pieceCount the torrent's piece count (a peer with all of them is flagged a seed)
     * @param learn      where addresses heard of go (the swarm's known addresses)
     * @param on         PEX is on for this torrent now (the switch, and never for a private torrent)
     */
    PeerExchange(String name, Supplier<Collection<Peer>> peers, IntSupplier pieceCount, Consumer<PeerAddress> learn,
            BooleanSupplier on) {
        this.name = name;
        this.peers = peers;
        this.pieceCount = pieceCount;
        this.learn = learn;
        this.on = on;
    }

    /** Whether to offer ut_pex in the extension handshake of a new connection. */
    boolean on() {
        return on.getAsBoolean();
    }

    long floods() {
        return floods;
    }

    /** The peer's extension handshake: its ut_pex id and listen port; it gets our current peers at once. */
    void handshake(Peer peer, Map<String, Object> dict, long nowNanos) {
        startClock(nowNanos);
        if (!peer.outbound) {
            int port = ExtensionHandshake.listenPort(dict);
            if (port > 0) {
                peer.listenPort = port;
            }
        }
        boolean first = peer.utPexId == 0;
        peer.utPexId = peer.pexOffered ? ExtensionHandshake.utPexId(dict) : 0;
        if (first && peer.utPexId > 0 && on()) {
            List<UtPex.Added> current = new ArrayList<>(advertisable().values());
            current.removeIf(a -> a.address().equals(addressOf(peer)));
            peer.pexRound = round;
            if (!current.isEmpty()) {
                send(peer, current, List.of(), nowNanos);
            }
        }
    }

    /** A ut_pex message from {@code peer} (sent to our id). */
    void received(Peer peer, byte[] payload, long nowNanos) {
        if (!peer.pexOffered || !on()) {
            return; // we did not offer it (private torrent, PEX off): ignored
        }
        if (peer.pexInNanos != 0 && nowNanos - peer.pexInNanos < MIN_GAP_IN_NANOS) {
            if (!UtPex.wellFormed(payload)) {
                peer.close("sent a malformed ut_pex message"); // too soon or not, garbage is a reason to hang up
                return;
            }
            if (floods++ % 100 == 0) {
                LOG.debugf("'%s': %s sends PEX messages too often; dropping them", name, peer.address);
            }
            return;
        }
        peer.pexInNanos = nowNanos;
        UtPex.Message message = UtPex.decode(payload);
        if (message == null) {
            peer.close("sent a malformed ut_pex message");
            return;
        }
        if (peer.pexLearned == null) {
            peer.pexLearned = new HashSet<>();
        }
        for (PeerAddress gone : message.dropped()) {
            peer.pexLearned.remove(gone.toString());
        }
        int fresh = 0;
        for (UtPex.Added added : message.added()) {
            if (peer.pexLearned.size() >= MAX_LEARNED) {
                break;
            }
            if (peer.pexLearned.add(added.address().toString())) {
                learn.accept(added.address());
                fresh++;
            }
        }
        if (fresh > 0) {
            LOG.debugf("'%s': %s told us of %d peer(s) through PEX", name, peer.address, fresh);
        }
    }

    /** Once a second: a new round every minute; each peer gets the newest round's changes at most once a minute. */
    void everySecond(long nowNanos) {
        startClock(nowNanos);
        if (!on()) {
            return;
        }
        if (nowNanos - nextRoundNanos >= 0) {
            nextRoundNanos = nowNanos + ROUND_NANOS;
            newRound();
        }
        for (Peer peer : new ArrayList<>(peers.get())) {
            if (peer.utPexId > 0 && peer.pexRound < round
                    && (peer.pexOutNanos == 0 || nowNanos - peer.pexOutNanos >= MIN_GAP_OUT_NANOS)) {
                PeerAddress own = addressOf(peer);
                List<UtPex.Added> added = new ArrayList<>(roundAdded);
                added.removeIf(a -> a.address().equals(own));
                List<PeerAddress> dropped = new ArrayList<>(roundDropped);
                dropped.remove(own);
                peer.pexRound = round;
                if (!added.isEmpty() || !dropped.isEmpty()) {
                    send(peer, added, dropped, nowNanos);
                }
            }
        }
    }

    private void startClock(long nowNanos) {
        if (!clockStarted) {
            clockStarted = true;
            nextRoundNanos = nowNanos + ROUND_NANOS;
        }
    }

    /** The changes since the last round, 50 added and 50 dropped at most; the rest stays for the next one. */
    private void newRound() {
        Map<String, UtPex.Added> current = advertisable();
        List<UtPex.Added> added = new ArrayList<>();
        for (Map.Entry<String, UtPex.Added> e : current.entrySet()) {
            if (added.size() >= UtPex.MAX_ADDED || lastRound.size() >= MAX_ROUND) {
                break;
            }
            if (lastRound.putIfAbsent(e.getKey(), e.getValue()) == null) {
                added.add(e.getValue());
            }
        }
        List<PeerAddress> dropped = new ArrayList<>();
        Iterator<Map.Entry<String, UtPex.Added>> it = lastRound.entrySet().iterator();
        while (it.hasNext() && dropped.size() < UtPex.MAX_DROPPED) {
            Map.Entry<String, UtPex.Added> e = it.next();
            if (!current.containsKey(e.getKey())) {
                dropped.add(e.getValue().address());
                it.remove();
            }
        }
        if (!added.isEmpty() || !dropped.isEmpty()) {
            roundAdded = List.copyOf(added);
            roundDropped = List.copyOf(dropped);
            round++;
        }
    }

    /** The connected peers we may pass on (listen port known), by address, with their flags. */
    private Map<String, UtPex.Added> advertisable() {
        Map<String, UtPex.Added> out = new LinkedHashMap<>();
        int pieces = pieceCount.getAsInt();
        for (Peer peer : peers.get()) {
            PeerAddress address = addressOf(peer);
            if (address == null) {
                continue;
            }
            int flags = (pieces > 0 && peer.isSeed(pieces) ? UtPex.FLAG_SEED : 0)
                    | (peer.outbound ? UtPex.FLAG_REACHABLE : 0);
            out.put(address.toString(), new UtPex.Added(address, flags));
        }
        return out;
    }

    /** Its IP (as the socket has it: a literal) and listen port; null while the port is unknown. */
    private static PeerAddress addressOf(Peer peer) {
        return peer.listenPort > 0 ? new PeerAddress(peer.host, peer.listenPort) : null;
    }

    private void send(Peer peer, List<UtPex.Added> added, List<PeerAddress> dropped, long nowNanos) {
        peer.pexOutNanos = nowNanos;
        peer.send(new PeerMessage.Extended(peer.utPexId, UtPex.encode(added, dropped)));
    }
}

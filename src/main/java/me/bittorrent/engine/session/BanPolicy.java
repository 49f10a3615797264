package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

/**
 * One session's ban policy (STATE.md "Ban policy"): strikes per peer id, banned peer ids and dialled addresses,
 * and the blocks of failed pieces kept to find the liar once the piece passes ({@link SuspectBlocks}).
 *
 * <p>Threading: confined to the session's engine context, like every other part of {@link TorrentSession}.
 */
final class BanPolicy {

    /** Logged under the session's category, as before this moved out of it. */
    private static final Logger LOG = Logger.getLogger(TorrentSession.class);

    private final String torrentName;
    /** The session's established connections by address (its own map, read and closed here, never changed). */
    private final Map<String, Peer> peers;
    /** Banned peer ids (hex) and dialled addresses. */
    private final Set<String> banned = new HashSet<>();
    private final Map<String, Integer> strikes = new HashMap<>();
    /** Blocks of failed pieces that had several senders, to find the liar once the piece passes. */
    private final SuspectBlocks suspects = new SuspectBlocks();

    BanPolicy(String torrentName, Map<String, Peer> peers) {
        this.torrentName = torrentName;
        this.peers = peers;
    }

    /** True for a banned peer id (hex) or address. */
    boolean isBanned(String peerIdHexOrAddress) {
        return banned.contains(peerIdHexOrAddress);
    }

    /** Never dial this address again (e.g. it turned out to be ourselves). */
    void banAddress(String address) {
        banned.add(address);
    }

    /** True when the piece failed before with several senders: its pass must be judged block by block. */
    boolean suspect(int piece) {
        return suspects.has(piece);
    }

    /** The piece passed: its senders earn back trust, and those whose earlier blocks differed get a strike. */
    void pieceVerified(int piece, String[] senders, byte[][] blockDigests) {
        Set<String> liars = blockDigests == null ? Set.of() : suspects.liars(piece, blockDigests);
        for (String id : distinct(senders)) {
            if (!liars.contains(id)) {
                strikes.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null); // good data earns back trust
            }
        }
        for (String id : liars) {
            LOG.warnf("'%s': piece %d passed now; peer %s had sent corrupt blocks of it", torrentName, piece,
                    addressOf(id));
            strike(id);
        }
    }

    /** Who sent a failed piece, in words: the addresses still connected and a count of those gone. */
    String describeSenders(String[] blockSenders) {
        Set<String> senders = distinct(blockSenders);
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

    /** The piece failed its hash check: a lone sender gets a strike; several senders are kept as suspects. */
    void pieceFailed(int piece, String[] blockSenders, byte[][] blockDigests) {
        Set<String> senders = distinct(blockSenders);
        if (senders.size() == 1) {
            strike(senders.iterator().next()); // the only sender: it is the one that lied
        } else {
            // several senders: blaming all would ban an honest peer that shared pieces with a liar
            suspects.failed(piece, blockSenders, blockDigests);
        }
    }

    private static Set<String> distinct(String[] senders) {
        Set<String> ids = new HashSet<>();
        for (String id : senders) {
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private void strike(String peerIdHex) {
        if (strikes.merge(peerIdHex, 1, Integer::sum) >= TorrentSession.STRIKES_TO_BAN
                && !banned.contains(peerIdHex)) {
            ban(peerIdHex);
        }
    }

    private String addressOf(String peerIdHex) {
        for (Peer peer : peers.values()) {
            if (peer.peerIdHex.equals(peerIdHex)) {
                return peer.address;
            }
        }
        return "that has left";
    }

    private void ban(String peerIdHex) {
        banned.add(peerIdHex);
        for (Peer peer : new ArrayList<>(peers.values())) {
            if (peer.peerIdHex.equals(peerIdHex)) {
                if (peer.outbound) {
                    banned.add(peer.address);
                }
                LOG.warnf("'%s': peer %s banned after %d bad pieces", torrentName, peer.address,
                        TorrentSession.STRIKES_TO_BAN);
                peer.connection.close("banned: sent corrupt data");
            }
        }
    }
}

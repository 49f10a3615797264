package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One session's ban policy (STATE.md "Ban policy"): strikes per peer id, banned peer ids and addresses, and the
 * blocks of failed pieces kept to find the liar once the piece passes ({@link SuspectBlocks}). It only judges:
 * it returns the culprits and the newly banned, and closes nothing ({@link Swarm#ban} does).
 *
 * <p>Threading: confined to the session's engine context.
 */
final class BanPolicy {

    static final int STRIKES_TO_BAN = 3;

    /**
     * What a verified piece revealed.
     *
     * @param liars  peers whose earlier blocks of it differed from the good data (banned at once)
     * @param banned peers banned now
     */
    record Verdict(List<String> liars, List<String> banned) {
        static final Verdict NONE = new Verdict(List.of(), List.of());
    }

    /** Banned peer ids (hex) and host:port addresses (ourselves). */
    private final Set<String> banned = new HashSet<>();
    /**
     * Hosts (IP addresses) of banned peers, for the torrent's life: a liar that comes back under a new peer id,
     * dialling in or handed to us again, is refused by its address (libtorrent bans by IP).
     */
    private final Set<String> bannedHosts = new HashSet<>();
    private final Map<String, Integer> strikes = new HashMap<>();
    /** Blocks of failed pieces that had several senders, to find the liar once the piece passes. */
    private final SuspectBlocks suspects = new SuspectBlocks();

    /** True for a banned peer id (hex) or address. */
    boolean isBanned(String peerIdHexOrAddress) {
        return banned.contains(peerIdHexOrAddress);
    }

    /** Never let this address connect again (a banned peer's dialled address, or our own). */
    void banAddress(String address) {
        banned.add(address);
    }

    /** Never let anyone on this host connect again for this torrent. */
    void banHost(String host) {
        bannedHosts.add(host);
    }

    boolean hostBanned(String host) {
        return bannedHosts.contains(host);
    }

    /** True when the piece failed before with several senders: its pass must be judged block by block. */
    boolean suspect(int piece) {
        return suspects.has(piece);
    }

    /** The piece passed: its senders earn back trust, and those whose earlier blocks differed are banned. */
    Verdict pieceVerified(int piece, String[] senders, byte[][] blockDigests) {
        Set<String> liars = blockDigests == null ? Set.of() : suspects.liars(piece, blockDigests);
        for (String id : distinct(senders)) {
            if (!liars.contains(id)) {
                strikes.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null); // good data earns back trust
            }
        }
        if (liars.isEmpty()) {
            return Verdict.NONE;
        }
        // A block proven corrupt (it differs from the data that passed) bans its sender at once, as libtorrent's
        // smart ban does: waiting for 3 such proofs let an attack's liar spoil 20 more shared pieces meanwhile.
        List<String> newlyBanned = new ArrayList<>();
        for (String id : liars) {
            strikes.put(id, STRIKES_TO_BAN);
            if (banned.add(id)) {
                newlyBanned.add(id);
            }
        }
        return new Verdict(List.copyOf(liars), newlyBanned);
    }

    /**
     * The piece failed its hash check: a lone sender gets a strike; several senders are kept as suspects.
     * Returns the peers banned now.
     */
    List<String> pieceFailed(int piece, String[] blockSenders, byte[][] blockDigests) {
        Set<String> senders = distinct(blockSenders);
        List<String> newlyBanned = new ArrayList<>();
        if (senders.size() == 1) {
            strike(senders.iterator().next(), newlyBanned); // the only sender: it is the one that lied
        } else {
            // several senders: blaming all would ban an honest peer that shared pieces with a liar
            suspects.failed(piece, blockSenders, blockDigests);
        }
        return newlyBanned;
    }

    /** The distinct peer ids among a piece's block senders. */
    static Set<String> distinct(String[] senders) {
        Set<String> ids = new HashSet<>();
        for (String id : senders) {
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private void strike(String peerIdHex, List<String> newlyBanned) {
        if (strikes.merge(peerIdHex, 1, Integer::sum) >= STRIKES_TO_BAN && banned.add(peerIdHex)) {
            newlyBanned.add(peerIdHex);
        }
    }
}

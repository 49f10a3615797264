package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Which peers to close first when a lowered {@code max_connections}/{@code max_peers} leaves too many.
 *
 * <p>The rule, least useful first:
 * <ul>
 * <li>while downloading: the lowest download rate from the peer over the last 5 s; at equal rates a peer that has
 * nothing we want goes before one that has (so a seed we still need stays); then the lowest upload rate to it;
 * then the most recently connected (it has had the least time to ramp up, and nothing is lost yet);</li>
 * <li>while seeding: the lowest upload rate to the peer; at equal rates one that is not interested goes first;
 * then the most recently connected.</li>
 * </ul>
 * Pure ordering over a snapshot of the peers: engine context only, like {@link Peer}.
 */
final class PeerRanking {

    private PeerRanking() {
    }

    static List<Peer> leastUsefulFirst(Collection<Peer> peers, long nowMillis, boolean seeding) {
        List<Ranked> ranked = new ArrayList<>(peers.size());
        for (Peer peer : peers) {
            ranked.add(new Ranked(peer, peer.downloadMeter.rate(nowMillis), peer.uploadMeter.rate(nowMillis)));
        }
        Comparator<Ranked> order = seeding
                ? Comparator.<Ranked>comparingLong(r -> r.up)
                        .thenComparing(r -> r.peer.peerInterested)
                : Comparator.<Ranked>comparingLong(r -> r.down)
                        .thenComparing(r -> r.peer.amInterested)
                        .thenComparingLong(r -> r.up);
        // newest connection first among equals: a larger connectedNanos is younger
        order = order.thenComparing(Comparator.<Ranked>comparingLong(r -> r.peer.connectedNanos).reversed());
        ranked.sort(order);
        List<Peer> result = new ArrayList<>(ranked.size());
        ranked.forEach(r -> result.add(r.peer));
        return result;
    }

    private record Ranked(Peer peer, long down, long up) {
    }
}

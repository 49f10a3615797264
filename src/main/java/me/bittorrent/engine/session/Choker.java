package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The tit-for-tat choker as a pure function over a snapshot of peer stats. Run every 10 s: the
 * {@code regularSlots} interested peers that gave us the most (download rate from them while leeching, upload
 * rate to them while seeding) are unchoked, plus one optimistic unchoke among the other interested peers,
 * rotated every third round (30 s).
 */
public final class Choker {

    public static final int REGULAR_SLOTS = 4;
    public static final long ROUND_MILLIS = 10_000;
    public static final int ROUNDS_PER_OPTIMISTIC = 3;

    /**
     * @param key          the caller's id of the peer
     * @param interested   the peer is interested in us
     * @param downloadRate bytes/s we receive from the peer
     * @param uploadRate   bytes/s we send to the peer
     * @param snubbed      the peer sent us nothing for a long time although unchoked (never a regular slot
     *                     while leeching)
     */
    public record PeerStat<K>(K key, boolean interested, long downloadRate, long uploadRate, boolean snubbed) {
    }

    /** Peers to unchoke (everyone else is choked) and the optimistic one among them, null when none. */
    public record Decision<K>(Set<K> unchoke, K optimistic) {
    }

    private Choker() {
    }

    public static <K> Decision<K> decide(List<PeerStat<K>> peers, boolean seeding, int regularSlots,
            K currentOptimistic, boolean rotateOptimistic, Random random) {
        List<PeerStat<K>> candidates = new ArrayList<>();
        for (PeerStat<K> p : peers) {
            if (p.interested() && (seeding || !p.snubbed())) {
                candidates.add(p);
            }
        }
        Comparator<PeerStat<K>> byRate = seeding
                ? Comparator.comparingLong(PeerStat<K>::uploadRate)
                : Comparator.comparingLong(PeerStat<K>::downloadRate);
        candidates.sort(byRate.reversed());
        Set<K> unchoke = new HashSet<>();
        for (int i = 0; i < candidates.size() && unchoke.size() < regularSlots; i++) {
            unchoke.add(candidates.get(i).key());
        }

        K optimistic = null;
        boolean currentStillFits = false;
        List<K> others = new ArrayList<>();
        for (PeerStat<K> p : peers) {
            if (p.interested() && !unchoke.contains(p.key())) {
                others.add(p.key());
                if (p.key().equals(currentOptimistic)) {
                    currentStillFits = true;
                }
            }
        }
        if (currentStillFits && !rotateOptimistic) {
            optimistic = currentOptimistic;
        } else if (!others.isEmpty()) {
            if (others.size() > 1 && currentOptimistic != null) {
                others.remove(currentOptimistic); // rotating: give someone else the chance
            }
            optimistic = others.get(random.nextInt(others.size()));
        }
        if (optimistic != null) {
            unchoke.add(optimistic);
        }
        return new Decision<>(unchoke, optimistic);
    }
}

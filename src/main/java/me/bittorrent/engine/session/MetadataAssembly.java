package me.bittorrent.engine.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The info dictionary of a magnet link as it comes in (BEP 9): which 16 KiB piece to ask which peer for, what
 * arrived from whom, time-outs and rejections. Knows nothing of sockets or the clock (the caller passes
 * {@code nowNanos}), so it is tested without peers. Peers are named by a key (their address). Engine context only.
 *
 * <p>Rules: the size is the first valid {@code metadata_size} a peer claims (at most {@link UtMetadata#MAX_SIZE});
 * only peers claiming that size are asked. Pieces are asked from several peers at once, up to
 * {@link #MAX_OUTSTANDING} per peer; when every missing piece is asked, an idle peer is asked again for a piece
 * outstanding elsewhere (so one silent peer cannot stall the fetch). The whole is accepted only when its SHA-1 is
 * the info-hash (checked by the caller, see {@link #complete()}); after a failure from one peer, that peer is the
 * culprit; after a failure with pieces from several, the next attempts take every piece from one peer at a time
 * (solo), so the liar is found. The peers that sent pieces of that failed attempt go solo first: they are known to
 * answer, and one of them lied, while a peer that never answered would hold up everyone for a request's time-out.
 * Memory: one buffer of the claimed size, at most 16 MiB.
 */
final class MetadataAssembly {

    /** A request unanswered this long drops the peer. */
    static final long REQUEST_TIMEOUT_NANOS = 20_000_000_000L;
    /** Requests in flight per peer (libtorrent rejects requests beyond a few queued ones). */
    static final int MAX_OUTSTANDING = 3;
    /** A peer that rejected a request is not asked again for this long. */
    static final long REJECT_BACKOFF_NANOS = 5_000_000_000L;

    /** What a data message did. */
    enum Outcome { IGNORED, PROGRESS, COMPLETE }

    private int size = -1;
    private byte[] buffer;
    private boolean[] have;
    private int received;
    private final Map<Integer, String> senders = new HashMap<>();
    /** Per peer: piece to the time it was asked. */
    private final Map<String, Map<Integer, Long>> outstanding = new LinkedHashMap<>();
    /** Peers that rejected a request, to when they may be asked again. */
    private final Map<String, Long> declined = new HashMap<>();
    private boolean solo;
    private String soloPeer;
    /** Senders of the last attempt that failed with pieces from several peers, not yet tried solo. */
    private final Set<String> soloFirst = new HashSet<>();
    private int failures;

    /** The size being fetched, -1 before a peer claimed one. */
    int size() {
        return size;
    }

    int failures() {
        return failures;
    }

    /** Peers with a request in flight. */
    int peersAsked() {
        int n = 0;
        for (Map<Integer, Long> asked : outstanding.values()) {
            n += asked.isEmpty() ? 0 : 1;
        }
        return n;
    }

    /** Why a claimed {@code metadata_size} is refused, or null when it is acceptable. */
    static String refuseSize(long claimed) {
        if (claimed > UtMetadata.MAX_SIZE) {
            return "claims an info dictionary of " + claimed + " bytes, over the " + (UtMetadata.MAX_SIZE >> 20)
                    + " MiB cap";
        }
        return claimed <= 0 ? "has no metadata to give (no metadata_size)" : null;
    }

    /** The pieces to ask {@code peer} for now (it claimed {@code claimedSize}); they count as outstanding. */
    List<Integer> pick(String peer, long claimedSize, long nowNanos) {
        Long retry = declined.get(peer);
        if (refuseSize(claimedSize) != null || (retry != null && retry - nowNanos > 0)) {
            return List.of();
        }
        if (size < 0) {
            size = (int) claimedSize;
            buffer = new byte[size];
            have = new boolean[UtMetadata.pieceCount(size)];
        }
        if (claimedSize != size) {
            return List.of();
        }
        if (solo) {
            if (soloPeer == null) {
                if (!soloFirst.isEmpty() && !soloFirst.contains(peer)) {
                    return List.of(); // a sender of the failed attempt goes first
                }
                soloFirst.remove(peer);
                soloPeer = peer;
            } else if (!soloPeer.equals(peer)) {
                return List.of();
            }
        }
        Map<Integer, Long> mine = outstanding.computeIfAbsent(peer, p -> new LinkedHashMap<>());
        List<Integer> picked = new ArrayList<>();
        for (int pass = 0; pass < 2 && mine.size() < MAX_OUTSTANDING; pass++) {
            for (int piece = 0; piece < have.length && mine.size() < MAX_OUTSTANDING; piece++) {
                if (have[piece] || mine.containsKey(piece) || (pass == 0 && askedElsewhere(piece))) {
                    continue;
                }
                mine.put(piece, nowNanos);
                picked.add(piece);
            }
        }
        return picked;
    }

    private boolean askedElsewhere(int piece) {
        for (Map<Integer, Long> asked : outstanding.values()) {
            if (asked.containsKey(piece)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A data message from {@code peer}. Returns null and keeps the piece when it is one we asked that peer for,
     * with the size we fetch; a piece we did not ask for, or already have, is IGNORED; anything else is a
     * violation, returned as the reason to drop the peer.
     */
    Object received(String peer, int piece, long totalSize, byte[] data) {
        Map<Integer, Long> mine = outstanding.get(peer);
        if (size < 0 || mine == null || !mine.containsKey(piece)) {
            return Outcome.IGNORED; // late (asked elsewhere meanwhile, or before a reset) or never asked
        }
        mine.remove(piece);
        if (totalSize != size) {
            return "sent metadata with total_size " + totalSize + " instead of " + size;
        }
        if (data.length != UtMetadata.pieceLength(size, piece)) {
            return "sent a metadata piece of " + data.length + " bytes instead of "
                    + UtMetadata.pieceLength(size, piece);
        }
        if (have[piece]) {
            return Outcome.IGNORED;
        }
        System.arraycopy(data, 0, buffer, piece * UtMetadata.PIECE_SIZE, data.length);
        have[piece] = true;
        senders.put(piece, peer);
        received++;
        for (Map<Integer, Long> asked : outstanding.values()) {
            asked.remove(piece); // a duplicate asked elsewhere is late now
        }
        return received == have.length ? Outcome.COMPLETE : Outcome.PROGRESS;
    }

    /** Every piece arrived: the bytes to hash (the caller compares the SHA-1 with the info-hash). */
    byte[] complete() {
        return received == (have == null ? -1 : have.length) ? buffer : null;
    }

    /**
     * The assembled bytes did not hash to the info-hash: starts over (the size too) and returns the culprits:
     * the one peer that sent every piece, or none when several did (the next attempts are solo).
     */
    List<String> hashFailed() {
        failures++;
        Set<String> from = new HashSet<>(senders.values());
        reset();
        if (from.size() == 1) {
            return List.copyOf(from);
        }
        solo = true;
        soloFirst.clear();
        soloFirst.addAll(from);
        return List.of();
    }

    /** The peer rejected a piece: its requests are free again, and it is not asked for a while. */
    void rejected(String peer, int piece, long nowNanos) {
        declined.put(peer, nowNanos + REJECT_BACKOFF_NANOS);
        Map<Integer, Long> mine = outstanding.get(peer);
        if (mine != null) {
            mine.clear();
        }
    }

    /** Peers with a request older than the time-out (the caller drops them). */
    List<String> expired(long nowNanos) {
        List<String> late = new ArrayList<>();
        outstanding.forEach((peer, asked) -> {
            for (long sent : asked.values()) {
                if (nowNanos - sent > REQUEST_TIMEOUT_NANOS) {
                    late.add(peer);
                    return;
                }
            }
        });
        return late;
    }

    /** The peer left: its requests are free again; a solo peer's partial data is thrown away. */
    void peerLeft(String peer) {
        outstanding.remove(peer);
        declined.remove(peer);
        soloFirst.remove(peer);
        if (peer.equals(soloPeer)) {
            reset();
        }
    }

    private void reset() {
        size = -1;
        buffer = null;
        have = null;
        received = 0;
        senders.clear();
        soloPeer = null;
        for (Map<Integer, Long> asked : outstanding.values()) {
            asked.clear();
        }
    }
}

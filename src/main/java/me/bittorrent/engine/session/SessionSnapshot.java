package me.bittorrent.engine.session;

import java.util.BitSet;
import java.util.List;

import me.bittorrent.tracker.TrackerStatus;

/**
 * A torrent session's live values at one instant (a copy: safe to read on any thread).
 *
 * @param state          the session's state
 * @param error          what went wrong when state is error, else null
 * @param verified       verified pieces (what resume data persists)
 * @param bytesLeft      bytes of wanted pieces still missing
 * @param downloaded     payload bytes received this session (including discarded and failed ones)
 * @param uploaded       payload bytes sent this session
 * @param downloadRate   bytes/s over the last seconds
 * @param uploadRate     bytes/s over the last seconds
 * @param peersConnected established connections
 * @param peersKnown     addresses known from trackers and incoming connections
 * @param seeds          connected peers that have every piece
 * @param trackers       per-tracker status
 * @param etaSeconds     seconds to completion at the current rate, -1 when unknown, 0 when complete
 */
public record SessionSnapshot(SessionState state, String error, BitSet verified, long bytesLeft, long downloaded,
        long uploaded, long downloadRate, long uploadRate, int peersConnected, int peersKnown, int seeds,
        List<TrackerStatus> trackers, long etaSeconds) {

    public SessionSnapshot {
        verified = (BitSet) verified.clone();
        trackers = List.copyOf(trackers);
    }

    @Override
    public BitSet verified() {
        return (BitSet) verified.clone();
    }
}

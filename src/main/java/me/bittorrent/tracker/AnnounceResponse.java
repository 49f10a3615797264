package me.bittorrent.tracker;

import java.util.List;

/**
 * A tracker's answer. {@code minIntervalSeconds} is 0 when the tracker gave none; {@code seeders} and
 * {@code leechers} are -1 when the tracker did not say; {@code warning} is null when there is none.
 */
public record AnnounceResponse(int intervalSeconds, int minIntervalSeconds, List<PeerAddress> peers, int seeders,
        int leechers, String warning) {

    /** Shortest re-announce interval we honour: a tracker saying 0 or 5 s would have us hammer it. */
    public static final int MIN_INTERVAL_SECONDS = 60;
    /** Longest: a tracker saying a year would have us never announce again. */
    public static final int MAX_INTERVAL_SECONDS = 24 * 60 * 60;

    public AnnounceResponse {
        peers = List.copyOf(peers);
    }

    /** A tracker's interval as we follow it: within [1 min, 1 day]. */
    static int clampInterval(long seconds) {
        return (int) Math.max(MIN_INTERVAL_SECONDS, Math.min(MAX_INTERVAL_SECONDS, seconds));
    }

    /** A tracker's min interval as we follow it: within [0, 1 day]. */
    static int clampMinInterval(long seconds) {
        return (int) Math.max(0, Math.min(MAX_INTERVAL_SECONDS, seconds));
    }
}

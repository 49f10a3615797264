package me.bittorrent.tracker;

import java.util.List;

/**
 * A tracker's answer. {@code minIntervalSeconds} is 0 when the tracker gave none; {@code seeders} and
 * {@code leechers} are -1 when the tracker did not say; {@code warning} is null when there is none.
 */
public record AnnounceResponse(int intervalSeconds, int minIntervalSeconds, List<PeerAddress> peers, int seeders,
        int leechers, String warning) {

    public AnnounceResponse {
        peers = List.copyOf(peers);
    }
}

package me.bittorrent.engine;

import me.bittorrent.engine.session.SessionSnapshot;

/**
 * A running torrent's live values: its session's latest snapshot, and the payload totals over every run
 * (what was stored when the session started plus what this session moved).
 *
 * @param stalledReason why a downloading torrent is stalled, in words; null when it is not (STATE.md "Stalled")
 */
public record LiveView(SessionSnapshot snapshot, long uploaded, long downloaded, String stalledReason) {

    public LiveView(SessionSnapshot snapshot, long uploaded, long downloaded) {
        this(snapshot, uploaded, downloaded, null);
    }
}

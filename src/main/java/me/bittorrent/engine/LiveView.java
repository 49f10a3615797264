package me.bittorrent.engine;

import me.bittorrent.engine.session.SessionSnapshot;

/**
 * A running torrent's live values: its session's latest snapshot, and the payload totals over every run
 * (what was stored when the session started plus what this session moved).
 */
public record LiveView(SessionSnapshot snapshot, long uploaded, long downloaded) {
}
